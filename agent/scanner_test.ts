import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256Hex } from "../shared/hash.ts";
import { IgnoreRules } from "../shared/paths/ignore_rules.ts";
import { LocalFs } from "./local_fs.ts";
import { scan, scanPaths } from "./scanner.ts";
import { StateDb } from "./state_db.ts";

async function withDir(test: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "sandsync-scan-" });
  try {
    await test(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("scan() applies default, .gitignore and .sandsyncignore rules and skips symlinks", async () => {
  await withDir(async (dir) => {
    for (
      const path of ["a.txt", "src/b.ts", "node_modules/x/i.js", ".git/HEAD", "x.log", "tmp/t"]
    ) {
      await Deno.mkdir(join(dir, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, path), path);
    }
    await Deno.writeTextFile(join(dir, ".gitignore"), "*.log\n");
    await Deno.writeTextFile(join(dir, ".sandsyncignore"), "tmp/\n");
    await Deno.writeTextFile(join(dir, ".sandsync-tmp-abc"), "leftover");
    await Deno.symlink("a.txt", join(dir, "link"));
    const fs = new LocalFs(dir);
    // A look by a process that does not own the directory (status, flush beside a daemon)
    // leaves temp files alone: they may be the daemon's downloads in flight.
    await scan(fs, await IgnoreRules.load(fs), new Map());
    await Deno.stat(join(dir, ".sandsync-tmp-abc"));
    const result = await scan(fs, await IgnoreRules.load(fs), new Map(), { removeTemps: true });
    assert.deepEqual([...result.files.keys()].sort(), [
      ".gitignore",
      ".sandsyncignore",
      "a.txt",
      "src/b.ts",
    ]);
    assert.deepEqual(result.skipped, [{ path: "link", reason: "symlink" }]);
    assert.equal(result.files.get("a.txt")?.sha256, sha256Hex("a.txt"));
    await assert.rejects(
      Deno.stat(join(dir, ".sandsync-tmp-abc")),
      "the owner removes a leftover temp file",
    );
  });
});

Deno.test("scan() does not hash files whose size, mtime and inode match the state", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "one");
    await Deno.writeTextFile(join(dir, "b.txt"), "two");
    const fs = new LocalFs(dir);
    const rules = new IgnoreRules();
    const first = await scan(fs, rules, new Map());
    assert.equal(first.hashed, 2);
    const state = new Map(
      [...first.files].map(([path, f]) => [path, { ...f, vector: {}, versionId: null }]),
    );
    const again = await scan(fs, rules, state);
    assert.equal(again.hashed, 0);
    await Deno.writeTextFile(join(dir, "b.txt"), "changed");
    const third = await scan(fs, rules, state);
    assert.equal(third.hashed, 1);
    assert.equal(third.files.get("b.txt")?.sha256, sha256Hex("changed"));
  });
});

Deno.test("scanPaths() scans only the named files and directory subtrees, skipping ignored and gone paths", async () => {
  await withDir(async (dir) => {
    for (const path of ["a.txt", "b.txt", "src/x.ts", "src/deep/y.ts", "other/z.ts", "x.log"]) {
      await Deno.mkdir(join(dir, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, path), path);
    }
    const fs = new LocalFs(dir);
    const rules = new IgnoreRules(["*.log"]);
    const result = await scanPaths(fs, rules, {
      paths: ["a.txt", "src", "src/x.ts", "gone.txt", "x.log", "node_modules/m.js"],
      state: new Map(),
    });
    assert.deepEqual([...result.files.keys()].sort(), ["a.txt", "src/deep/y.ts", "src/x.ts"]);
    assert.equal(result.hashed, 3, "a path named twice is hashed once");
    const state = new Map(
      [...result.files].map(([path, f]) => [path, { ...f, vector: {}, versionId: null }]),
    );
    const again = await scanPaths(fs, rules, { paths: ["a.txt", "src"], state });
    assert.equal(again.hashed, 0, "unchanged stat: not hashed");
  });
});

Deno.test("StateDb.under() lists the paths below a directory only", async () => {
  await withDir((dir) => {
    const db = new StateDb(join(dir, "state.db"));
    const row = {
      vector: {},
      versionId: null,
      sha256: "s",
      size: 1,
      mtimeMs: 2,
      ino: 3,
      mode: 0o644,
    };
    for (const path of ["src", "src/a.ts", "src/b/c.ts", "src.ts", "src-x/d.ts", "srd/e.ts"]) {
      db.put({ ...row, path });
    }
    assert.deepEqual(db.under("src").map((st) => st.path).sort(), ["src/a.ts", "src/b/c.ts"]);
    assert.deepEqual(db.under("src/b").map((st) => st.path), ["src/b/c.ts"]);
    assert.deepEqual(db.under("none"), []);
    db.close();
    return Promise.resolve();
  });
});

Deno.test("StateDb keeps paths, settings and conflicts across reopen; a failed transaction rolls back", async () => {
  await withDir((dir) => {
    const file = join(dir, "state.db");
    const db = new StateDb(file);
    const row = {
      path: "a",
      vector: { r: 1 },
      versionId: "v",
      sha256: "s",
      size: 1,
      mtimeMs: 2,
      ino: 3,
      mode: 0o644,
    };
    db.transaction(() => {
      db.put(row);
      db.setMeta("cursor", "7");
    });
    assert.throws(() =>
      db.transaction(() => {
        db.put({ ...row, path: "b" });
        throw new Error("killed");
      })
    );
    db.openConflict({ conflictId: "c1", path: "a", openedAt: "now" });
    db.close();
    const reopened = new StateDb(file);
    assert.deepEqual(reopened.get("a"), row);
    assert.equal(reopened.get("b"), undefined);
    assert.equal(reopened.cursor, 7);
    assert.equal(reopened.conflicts().length, 1);
    reopened.close();
    return Promise.resolve();
  });
});

Deno.test("IgnoreRules.ignoresPath() ignores remote paths under ignored directories", () => {
  const rules = new IgnoreRules(["build/"]);
  assert.equal(rules.ignoresPath("node_modules/a/b.js"), true);
  assert.equal(rules.ignoresPath("build/out.js"), true);
  assert.equal(rules.ignoresPath(".sandsync/state.db"), true);
  assert.equal(rules.ignoresPath("src/build.ts"), false);
});
