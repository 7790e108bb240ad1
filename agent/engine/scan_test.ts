import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256Hex } from "../../shared/hash.ts";
import { IgnoreRules } from "../../shared/paths/ignore_rules.ts";
import { stateOf } from "./file_state.ts";
import { MAX_TARGETED_PATHS } from "./options.ts";
import { needsWholeTree, scanForRun } from "./scan.ts";
import { withEngine } from "./test_context.ts";

Deno.test("needsWholeTree() for an ignore file or a batch over the limit", () => {
  assert.equal(needsWholeTree(["src/a.ts"]), false);
  assert.equal(needsWholeTree([]), false);
  assert.equal(needsWholeTree([".sandsyncignore"]), true);
  assert.equal(
    needsWholeTree(Array.from({ length: MAX_TARGETED_PATHS + 1 }, (_, i) => `f${i}`)),
    true,
  );
});

Deno.test("scanForRun() scans only the paths given, or the whole root when one is gone", async () => {
  await withEngine({}, async (f) => {
    for (const name of ["a.txt", "b.txt"]) {
      await Deno.writeTextFile(join(f.dir, name), name);
      const info = (await f.fs.stat(name))!;
      f.state.put(
        stateOf({ ...info, sha256: sha256Hex(name) }, { vector: { r1: 1 }, versionId: "v" }),
      );
    }
    const rules = await IgnoreRules.load(f.fs);
    const some = await scanForRun(f.ctx, rules, ["a.txt"]);
    assert.equal(some.targeted, true);
    assert.deepEqual([...some.known.keys()], ["a.txt"]);
    await Deno.remove(join(f.dir, "a.txt"));
    const all = await scanForRun(f.ctx, rules, ["a.txt"]);
    assert.equal(all.targeted, false);
    assert.deepEqual([...all.scanned.files.keys()], ["b.txt"]);
    assert.equal(all.known.size, 2);
  });
});
