import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256Hex } from "../../shared/hash.ts";
import { IgnoreRules } from "../../shared/paths/ignore_rules.ts";
import { beginRestore, finishRestore } from "./restore.ts";
import { startOutcome } from "./sync_outcome.ts";
import { liveEntry, withEngine } from "./test_context.ts";

const MANIFEST = { cursor: 12, files: [liveEntry("same.txt", "S"), liveEntry("new.txt", "N")] };

Deno.test("beginRestore() adopts scanned files identical to the workspace's", async () => {
  const api = { fullManifest: () => Promise.resolve(MANIFEST) };
  await withEngine(api, async (f) => {
    const result = startOutcome(f.state);
    const scanned = new Map([
      ["same.txt", {
        path: "same.txt",
        sha256: sha256Hex("S"),
        size: 1,
        mtimeMs: 5,
        ino: 1,
        mode: 0o644,
      }],
      ["mine.txt", {
        path: "mine.txt",
        sha256: sha256Hex("M"),
        size: 1,
        mtimeMs: 5,
        ino: 2,
        mode: 0o644,
      }],
    ]);
    const manifest = await beginRestore(f.ctx, scanned, { emptied: true, result });
    assert.equal(manifest, MANIFEST);
    assert.equal(result.restored, true);
    assert.deepEqual([...f.state.all().keys()], ["same.txt"]);
    assert.deepEqual(f.logs, ["root is empty: restoring 2 files"]);
  });
});

Deno.test("finishRestore() brings every file down, forgets the rest when emptied, takes the cursor", async () => {
  await withEngine({}, async (f) => {
    f.state.put({
      path: "old.txt",
      vector: {},
      versionId: null,
      sha256: "",
      size: 0,
      mtimeMs: 0,
      ino: null,
      mode: 0o644,
    });
    const result = startOutcome(f.state);
    const rules = await IgnoreRules.load(f.fs);
    await finishRestore(f.ctx, MANIFEST, { rules, result, emptied: true, instance: "i2" });
    assert.equal(await Deno.readTextFile(join(f.dir, "new.txt")), "N");
    assert.deepEqual([...f.state.all().keys()].sort(), ["new.txt", "same.txt"]);
    assert.equal(f.state.cursor, 12);
    assert.equal(f.state.getMeta("instance"), "i2");
  });
});
