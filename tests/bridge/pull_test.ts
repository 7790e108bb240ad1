/**
 * `e2b-bridge/pull` through the real e2b SDK (inside the function) against the envd stand-in:
 * a 2,000-file tree pulled in pages, then only what changed moves (checked from the answers,
 * Storage and the database), deletions, and an empty sandbox that never deletes anything.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ROOT,
  runAll,
  sha256,
  storedObjects,
  withBridge,
  workspaceFiles,
  writeTree,
} from "./bridge_support.ts";

/**
 * A tree of `n` files in 40 directories, a few KB each. Every content appears twice (file `i`
 * and file `i + n/2`): content addressing moves each blob once, which the test asserts, and
 * halves the Storage objects the suite has to wait for (one object costs several ms locally).
 */
function tree(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const k = i % (n / 2);
    files[`src/mod-${i % 40}/file-${i}.ts`] = `// content ${k}\n` +
      `export const value${k} = ${k};\n`.repeat(20 + (k % 50));
  }
  return files;
}

function bytesOf(files: Record<string, string>): number {
  return Object.values(files).reduce((sum, text) => sum + new TextEncoder().encode(text).length, 0);
}

Deno.test("pull moves a 2,000-file tree, then only the 10 files that changed", () =>
  withBridge(async ({ client, sql, userId, workspaceId, sandbox }) => {
    const files = tree(2000);
    // Ignored by default and by the root's .gitignore: never listed or pulled.
    const { id, root } = await sandbox({
      ...files,
      ".gitignore": "dist/\n*.log\n",
      "dist/bundle.js": "ignored",
      "debug.log": "ignored",
      "node_modules/pkg/index.js": "ignored",
      ".git/HEAD": "ref: refs/heads/main\n",
    });
    const body = { workspaceId, sandboxId: id, root: ROOT };

    const first = await runAll(client, "pull", body);
    assert.ok(first.pages.length >= 2, "a 2,000-file tree takes more than one page");
    assert.equal(first.pulled, 2001); // the tree and .gitignore
    // Each distinct content moved once: half the tree's bytes, plus .gitignore.
    const distinct = Object.fromEntries(Object.entries(files).slice(0, 1000));
    assert.equal(first.bytes, bytesOf({ ...distinct, ".gitignore": "dist/\n*.log\n" }));
    const stored = await workspaceFiles(sql, workspaceId);
    assert.equal(stored.size, 2001);
    assert.equal(stored.get("src/mod-7/file-7.ts"), sha256(files["src/mod-7/file-7.ts"]!));
    assert.equal(stored.has("dist/bundle.js") || stored.has("debug.log"), false);
    assert.equal([...stored.keys()].some((path) => path.startsWith("node_modules/")), false);
    // Small files rest in packs (docs/decisions/0014-packs.md): one object per page at most.
    const packs = async () => {
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from sandsync.packs where workspace_id = ${workspaceId}`;
      return row?.n ?? 0;
    };
    const objectsAfterFirst = await storedObjects(sql, userId);
    assert.equal(objectsAfterFirst, await packs());
    assert.ok(objectsAfterFirst >= 1 && objectsAfterFirst <= first.pages.length);

    // Change 10 files; touch 5 others without changing them (mtime moves, bytes do not).
    const changed: Record<string, string> = {};
    for (let i = 0; i < 10; i++) changed[`src/mod-${i}/file-${i * 40 + i}.ts`] = `changed ${i}\n`;
    await writeTree(root, changed);
    for (let i = 0; i < 5; i++) {
      const path = join(root, `src/mod-${i}/file-${i + 400}.ts`);
      await Deno.utime(path, new Date(), new Date(Date.now() + 60_000));
    }
    const second = await runAll(client, "pull", body);
    assert.equal(second.pulled, 10);
    assert.equal(second.bytes, bytesOf(changed));
    assert.equal(second.pages.reduce((n, page) => n + page.skipped, 0), 1991);
    const objectsAfterSecond = await storedObjects(sql, userId);
    assert.equal(objectsAfterSecond, await packs());
    assert.ok(objectsAfterSecond > objectsAfterFirst);
    assert.ok(objectsAfterSecond <= objectsAfterFirst + second.pages.length);
    const after = await workspaceFiles(sql, workspaceId);
    for (const [path, text] of Object.entries(changed)) assert.equal(after.get(path), sha256(text));
    const [versions] = await sql<{ n: number }[]>`
      select count(*)::int as n from sandsync.versions where workspace_id = ${workspaceId}`;
    assert.equal(versions?.n, 2011);

    // Nothing changed: nothing moves, nothing is committed.
    const third = await runAll(client, "pull", body);
    assert.deepEqual([third.pulled, third.bytes], [0, 0]);
    assert.equal(third.pages.every((page) => page.commit === null), true);
  }));

Deno.test("a file removed in the sandbox becomes a delete; an ignored one is not", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox }) => {
    const { id, root } = await sandbox({ "a.txt": "a", "b.txt": "b", "keep/c.txt": "c" });
    const body = { workspaceId, sandboxId: id, root: ROOT };
    await runAll(client, "pull", body);
    await Deno.remove(join(root, "a.txt"));
    // keep/ becomes ignored: its file is forgotten by the bridge, not deleted in the workspace.
    await writeTree(root, { ".sandsyncignore": "keep/\n" });
    const second = await runAll(client, "pull", body);
    assert.equal(second.pages.at(-1)?.deleted, 1);
    assert.deepEqual([...(await workspaceFiles(sql, workspaceId)).keys()].sort(), [
      ".sandsyncignore",
      "b.txt",
      "keep/c.txt",
    ]);
    const history = await sql`
      select v.deleted from sandsync.versions v join sandsync.files f on f.id = v.file_id
      where f.workspace_id = ${workspaceId} and f.path = 'a.txt' order by v.committed_at`;
    assert.deepEqual(history.map((row) => row.deleted), [false, true]);
  }));

Deno.test("an empty or missing sandbox root never deletes anything: sandbox_empty", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox }) => {
    const { id, root } = await sandbox({ "a.txt": "a", "src/b.txt": "b" });
    const body = { workspaceId, sandboxId: id, root: ROOT };
    await runAll(client, "pull", body);
    const [before] = await sql<{ seq: number }[]>`
      select last_seq::int as seq from sandsync.workspaces where id = ${workspaceId}`;

    await Deno.remove(join(root, "a.txt"));
    await Deno.remove(join(root, "src"), { recursive: true });
    await writeTree(root, { "node_modules/x.js": "only ignored files left" });
    const empty = await client.call<{ code: string; details: { suggestion: string } }>(
      "POST",
      "e2b-bridge/pull",
      body,
    );
    assert.equal(empty.status, 409);
    assert.equal(empty.body.code, "sandbox_empty");
    assert.equal(empty.body.details.suggestion, "restore");

    await Deno.remove(root, { recursive: true });
    const missing = await client.call<{ code: string }>("POST", "e2b-bridge/pull", body);
    assert.deepEqual([missing.status, missing.body.code], [409, "sandbox_empty"]);

    const [after] = await sql<{ seq: number }[]>`
      select last_seq::int as seq from sandsync.workspaces where id = ${workspaceId}`;
    assert.equal(after?.seq, before?.seq, "nothing was committed");
    assert.equal((await workspaceFiles(sql, workspaceId)).size, 2);
  }));
