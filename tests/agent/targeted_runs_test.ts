import assert from "node:assert/strict";
import { join } from "node:path";
import { cleanup, newAccount, newRoot, tree, write } from "./support.ts";

Deno.test("watch-mode runs scan only the named paths; a recorded path gone falls back to a full scan", async () => {
  const { config, workspace } = await newAccount("targeted");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    for (let i = 0; i < 5; i++) await write(a.dir, `src/f${i}.ts`, `export const n = ${i};\n`);
    assert.equal((await a.sync()).uploaded, 5);
    assert.equal((await b.sync()).downloaded, 5);

    // Two edits, one named: only it is hashed and pushed.
    await write(a.dir, "src/f1.ts", "named\n");
    await write(a.dir, "src/f2.ts", "not named yet\n");
    const named = await a.engine.sync({ paths: ["src/f1.ts", "src/gone-temp.txt"] });
    assert.deepEqual([named.uploaded, named.hashed, named.deleted], [1, 1, 0]);

    // A directory named: its subtree is scanned (the unnamed edit is found there).
    const dir = await a.engine.sync({ paths: ["src"] });
    assert.deepEqual([dir.uploaded, dir.hashed], [1, 1]);

    // `[]`: a pull without a scan, here B applying A's two edits.
    const pulled = await b.engine.sync({ paths: [] });
    assert.deepEqual([pulled.downloaded, pulled.hashed, pulled.uploaded], [2, 0, 0]);
    assert.equal(await Deno.readTextFile(join(b.dir, "src/f2.ts")), "not named yet\n");

    // `pull: false` (a local-event run in watch mode) pushes and leaves B's edit for later.
    await write(b.dir, "src/f3.ts", "from B\n");
    assert.equal((await b.engine.sync({ paths: ["src/f3.ts"], pull: false })).uploaded, 1);
    await write(a.dir, "src/f4.ts", "from A\n");
    const pushOnly = await a.engine.sync({ paths: ["src/f4.ts"], pull: false });
    assert.deepEqual([pushOnly.uploaded, pushOnly.downloaded], [1, 0]);
    assert.equal((await a.engine.sync({ paths: [] })).downloaded, 1);
    assert.equal(await Deno.readTextFile(join(a.dir, "src/f3.ts")), "from B\n");

    // A recorded file deleted: the run scans everything (the deletion guard needs the tree),
    // so the unnamed new file is pushed too.
    await Deno.remove(join(a.dir, "src/f0.ts"));
    await write(a.dir, "unnamed.txt", "found by the full scan\n");
    const deleted = await a.engine.sync({ paths: ["src/f0.ts"] });
    assert.deepEqual([deleted.deleted, deleted.uploaded], [1, 1]);

    // A changed ignore file also means a full scan: the newly ignored file is not pushed.
    await write(a.dir, ".gitignore", "*.log\n");
    await write(a.dir, "debug.log", "ignored\n");
    await write(a.dir, "also-unnamed.txt", "found\n");
    const rules = await a.engine.sync({ paths: [".gitignore"] });
    assert.equal(rules.uploaded, 2);
    await b.engine.sync({ paths: [] });
    assert.deepEqual(Object.keys(await tree(b.dir)).sort(), [
      ".gitignore",
      "also-unnamed.txt",
      "src/f1.ts",
      "src/f2.ts",
      "src/f3.ts",
      "src/f4.ts",
      "unnamed.txt",
    ]);
  } finally {
    await cleanup(a, b);
  }
});
