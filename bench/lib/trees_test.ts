import assert from "node:assert/strict";
import { editRound, editTargets } from "./trees.ts";

Deno.test("editTargets() and editRound(): ten different files per side and per round", () => {
  const files = Array.from({ length: 500 }, (_, i) => `f${i}`);
  const targets = editTargets(files, 3);
  const seen = new Set<string>();
  for (let round = 0; round < 3; round++) {
    const { a, b } = editRound(targets, round);
    assert.equal(a.length, 10);
    assert.equal(b.length, 10);
    for (const path of [...a, ...b]) {
      assert.equal(seen.has(path), false, `${path} edited twice`);
      seen.add(path);
    }
  }
  assert.throws(() => editTargets(files.slice(0, 30), 3));
});
