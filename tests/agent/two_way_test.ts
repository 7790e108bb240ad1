import assert from "node:assert/strict";
import { join } from "node:path";
import { cleanup, newAccount, newRoot, runCli, tree, write } from "./support.ts";

Deno.test("two agents: create, edit, delete, rename and nested dirs converge", async () => {
  const { config, workspace } = await newAccount("two-way");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    await write(a.dir, "README.md", "# demo\n");
    await write(a.dir, "src/deep/nested/mod.ts", "export const x = 1;\n");
    await write(a.dir, "src/old-name.ts", "rename me\n");
    await write(a.dir, "node_modules/pkg/index.js", "ignored\n");
    await write(a.dir, ".gitignore", "*.log\n");
    await write(a.dir, "debug.log", "ignored by .gitignore\n");
    const first = await a.sync();
    assert.equal(first.uploaded, 4);
    const pulled = await b.sync();
    assert.equal(pulled.downloaded, 4);
    assert.deepEqual(await tree(b.dir), {
      ".gitignore": "*.log\n",
      "README.md": "# demo\n",
      "src/deep/nested/mod.ts": "export const x = 1;\n",
      "src/old-name.ts": "rename me\n",
    });

    // B edits, renames and deletes; A pulls it all.
    await write(b.dir, "README.md", "# demo\nedited in B\n");
    await Deno.rename(join(b.dir, "src/old-name.ts"), join(b.dir, "src/new-name.ts"));
    await Deno.remove(join(b.dir, "src/deep"), { recursive: true });
    const pushed = await b.sync();
    assert.equal(pushed.uploaded, 2);
    assert.equal(pushed.deleted, 2);
    const applied = await a.sync();
    assert.equal(applied.downloaded, 2);
    assert.equal(applied.deleted, 2);
    const expected = {
      ".gitignore": "*.log\n",
      "README.md": "# demo\nedited in B\n",
      "src/new-name.ts": "rename me\n",
    };
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(await tree(a.dir)).filter(([p]) =>
          !p.startsWith("node_modules") && p !== "debug.log"
        ),
      ),
      expected,
    );
    // Emptied directories are removed with their last file; ignored files stay local.
    await assert.rejects(Deno.stat(join(a.dir, "src/deep")));
    assert.equal(await Deno.readTextFile(join(a.dir, "debug.log")), "ignored by .gitignore\n");

    // A no-op run moves nothing and hashes nothing; own commits never echo back.
    const noop = await a.sync();
    assert.deepEqual([noop.uploaded, noop.downloaded, noop.deleted], [0, 0, 0]);
    assert.deepEqual([(await b.sync()).downloaded, (await b.sync()).uploaded], [0, 0]);
  } finally {
    await cleanup(a, b);
  }
});

Deno.test("a burst of 1,000 small files syncs in batches and arrives intact", async () => {
  const { config, workspace } = await newAccount("burst");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    for (let i = 0; i < 1000; i++) {
      await write(a.dir, `burst/d${i % 10}/f${i}.txt`, `file ${i}\n`);
    }
    const up = await a.sync();
    assert.equal(up.uploaded, 1000);
    const down = await b.sync();
    assert.equal(down.downloaded, 1000);
    const files = await tree(b.dir);
    assert.equal(Object.keys(files).length, 1000);
    assert.equal(files["burst/d7/f987.txt"], "file 987\n");
  } finally {
    await cleanup(a, b);
  }
});

Deno.test("an emptied directory is restored from the workspace, not propagated as deletions", async () => {
  const { config, workspace } = await newAccount("restore");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    for (let i = 0; i < 5; i++) await write(a.dir, `keep/f${i}.txt`, `v${i}\n`);
    await a.sync();
    await b.sync();
    // Everything in A vanishes (a sandbox that came up empty).
    for await (const entry of Deno.readDir(a.dir)) {
      if (entry.name !== ".sandsync") {
        await Deno.remove(join(a.dir, entry.name), { recursive: true });
      }
    }
    const restored = await a.sync();
    assert.equal(restored.restored, true);
    assert.equal(restored.deleted, 0);
    assert.equal(restored.downloaded, 5);
    assert.equal(Object.keys(await tree(a.dir)).length, 5);
    assert.equal((await b.sync()).deleted, 0);
    assert.equal(Object.keys(await tree(b.dir)).length, 5);
  } finally {
    await cleanup(a, b);
  }
});

Deno.test("--max-delete holds a mass deletion (exit 4) until confirmed", async () => {
  const { config, workspace } = await newAccount("max-delete");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    for (let i = 0; i < 20; i++) await write(a.dir, `f${i}.txt`, `${i}\n`);
    await a.sync();
    await b.sync();
    a.close();
    for (let i = 0; i < 15; i++) await Deno.remove(join(a.dir, `f${i}.txt`));
    const held = await runCli(config, ["sync", a.dir, "--json"]);
    assert.equal(held.code, 4, held.stderr);
    assert.equal(JSON.parse(held.stdout).heldDeletes, 15);
    assert.equal((await runCli(config, ["status", a.dir])).code, 4);
    assert.equal((await b.sync()).deleted, 0, "nothing deleted while held");
    const confirmed = await runCli(config, ["sync", a.dir, "--confirm-deletes", "--json"]);
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.equal(JSON.parse(confirmed.stdout).deleted, 15);
    assert.equal((await b.sync()).deleted, 15);
    assert.equal(Object.keys(await tree(b.dir)).length, 5);
  } finally {
    await cleanup(b);
    await Deno.remove(a.dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("CLI: usage errors exit 2, an uninitialised directory exits 2", async () => {
  const { config } = await newAccount("cli");
  assert.equal((await runCli(config, ["frobnicate"])).code, 2);
  assert.equal((await runCli(config, ["init", "/tmp"])).code, 2);
  const dir = await Deno.makeTempDir();
  try {
    assert.equal((await runCli(config, ["sync", dir])).code, 2);
    assert.equal((await runCli(config, ["sync", dir, "--max-delete", "150"])).code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
