import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256Hex } from "../../shared/hash.ts";
import { recoverApplies, settleApply } from "./apply_recovery.ts";
import type { HashedFile } from "./file_state.ts";
import { withEngine } from "./test_context.ts";

const NEW = "n".repeat(64);
const FILE: HashedFile = { path: "a", sha256: NEW, size: 1, mtimeMs: 1, ino: 1, mode: 0o644 };
const WRITE = { path: "a", sha256: NEW, vector: { srv: 2 }, versionId: "v2" };
const DELETE = { path: "a", sha256: null, vector: { srv: 2 }, versionId: "v2" };

const CASES = [
  {
    name: "a write whose bytes landed: adopt",
    pending: WRITE,
    left: { gone: false, file: FILE },
    verdict: "adopt",
  },
  {
    name: "a write whose bytes did not land: leave",
    pending: WRITE,
    left: { gone: false, file: { ...FILE, sha256: "o".repeat(64) } },
    verdict: "leave",
  },
  {
    name: "a write over a file changing: leave",
    pending: WRITE,
    left: { gone: false },
    verdict: "leave",
  },
  {
    name: "a write with nothing there: leave",
    pending: WRITE,
    left: { gone: true },
    verdict: "leave",
  },
  { name: "a deletion done: forget", pending: DELETE, left: { gone: true }, verdict: "forget" },
  { name: "a deletion not done: leave", pending: DELETE, left: { gone: false }, verdict: "leave" },
] as const;

for (const { name, pending, left, verdict } of CASES) {
  Deno.test(`settleApply() ${name}`, () => {
    assert.equal(settleApply(pending, left), verdict);
  });
}

Deno.test("recoverApplies() records a file that holds the bytes being applied", async () => {
  await withEngine({}, async (f) => {
    await Deno.writeTextFile(join(f.dir, "a.txt"), "new");
    f.state.beginApply({
      path: "a.txt",
      sha256: sha256Hex("new"),
      vector: { srv: 2 },
      versionId: "v2",
    });
    f.state.beginApply({
      path: "b.txt",
      sha256: sha256Hex("b"),
      vector: { srv: 2 },
      versionId: "v2",
    });
    await recoverApplies(f.ctx);
    assert.deepEqual(f.state.get("a.txt")?.vector, { srv: 2 });
    assert.equal(f.state.get("b.txt"), undefined);
    assert.deepEqual(f.state.pendingApplies(), []);
    assert.deepEqual(f.logs, ['recovered the interrupted apply of "a.txt"']);
  });
});
