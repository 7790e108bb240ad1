/**
 * `e2b-bridge/restore`, `push` and `snapshot` through the real SDK against the envd stand-in:
 * a byte-identical restore into an empty sandbox (paged), modes, the instance manifest,
 * nothing outside the root, restore points (checkpoint, version, time), and push writing only
 * what differs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { randomBytes } from "../e2b_standin/standin_support.ts";
import { ROOT, runAll, sha256, treeHashes, withBridge, writeTree } from "./bridge_support.ts";

async function listNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("restore into an empty sandbox is byte-identical, paged, and a pull of it moves nothing", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox, standin }) => {
    const files: Record<string, string | Uint8Array> = {
      "big.bin": randomBytes(3 * 1024 * 1024, 5),
      "empty.txt": "",
      "bin/run.sh": "#!/bin/sh\necho hi\n",
    };
    for (let i = 0; i < 300; i++) files[`src/d${i % 7}/f${i}.txt`] = `line ${i}\n`.repeat(i % 30);
    const a = await sandbox(files);
    await Deno.chmod(join(a.root, "bin/run.sh"), 0o755);
    await runAll(client, "pull", { workspaceId, sandboxId: a.id });

    const b = await sandbox();
    await Deno.remove(join(standin.sandboxDir(b.id), "home/user/project"));
    const restored = await runAll(client, "restore", { workspaceId, sandboxId: b.id, root: ROOT });
    assert.ok(restored.pages.length >= 2, "303 files at 250 per page take two pages");
    assert.equal(restored.written, 303);
    assert.deepEqual(await treeHashes(b.root), await treeHashes(a.root));
    assert.equal((await Deno.stat(join(b.root, "bin/run.sh"))).mode! & 0o777, 0o755);
    assert.equal((await Deno.stat(join(b.root, "empty.txt"))).size, 0);

    const last = restored.pages.at(-1)!;
    assert.equal(last.manifest, `${ROOT}/.sandsync/instance.json`);
    const manifest = JSON.parse(await Deno.readTextFile(join(b.root, ".sandsync/instance.json")));
    const [ws] = await sql<{ seq: number }[]>`
      select last_seq::int as seq from sandsync.workspaces where id = ${workspaceId}`;
    assert.deepEqual(
      [manifest.workspaceId, manifest.sandboxId, manifest.cursor, manifest.replicaId],
      [workspaceId, b.id, ws?.seq, last.replicaId],
    );
    // Nothing outside the root, no temp file left behind.
    assert.deepEqual(await listNames(standin.sandboxDir(b.id)), ["home"]);
    assert.deepEqual(await listNames(join(standin.sandboxDir(b.id), "home/user")), ["project"]);
    const hashes = await treeHashes(b.root);
    assert.equal([...hashes.keys()].some((path) => path.includes(".sandsync-tmp-")), false);

    const pulled = await runAll(client, "pull", { workspaceId, sandboxId: b.id });
    assert.deepEqual([pulled.pulled, pulled.bytes], [0, 0]);
  }));

Deno.test("snapshot records a checkpoint that restore returns to; push writes only what differs", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox }) => {
    const a = await sandbox({ "a.txt": "a1", "b.txt": "b1" });
    const snap = await runAll(client, "snapshot", { workspaceId, sandboxId: a.id, name: "cp1" });
    const checkpoint = snap.pages.at(-1)!.checkpoint!;
    assert.equal(checkpoint.name, "cp1");
    assert.equal(snap.pulled, 2);
    const [aVersion] = await sql<{ id: string }[]>`
      select current_version_id as id from sandsync.files
      where workspace_id = ${workspaceId} and path = 'a.txt'`;

    await writeTree(a.root, { "a.txt": "a2", "c.txt": "c2" });
    await runAll(client, "pull", { workspaceId, sandboxId: a.id });
    const taken = await client.call<{ code: string }>("POST", "e2b-bridge/snapshot", {
      workspaceId,
      sandboxId: a.id,
      name: "cp1",
    });
    assert.deepEqual([taken.status, taken.body.code], [409, "checkpoint_exists"]);

    const c = await sandbox();
    const back = await runAll(client, "restore", { workspaceId, sandboxId: c.id, at: "cp1" });
    assert.equal(back.pages.at(-1)!.seq, checkpoint.seq);
    assert.deepEqual(
      await treeHashes(c.root),
      new Map([["a.txt", sha256("a1")], ["b.txt", sha256("b1")]]),
    );

    // push the current state onto the live sandbox: a.txt differs, c.txt is new, b.txt is kept.
    const pushed = await runAll(client, "push", { workspaceId, sandboxId: c.id });
    assert.deepEqual([pushed.written, pushed.pages.at(-1)!.skipped], [2, 1]);
    assert.deepEqual(await treeHashes(c.root), await treeHashes(a.root));

    // A version id and a time are restore points too.
    const d = await sandbox();
    await runAll(client, "restore", { workspaceId, sandboxId: d.id, at: aVersion!.id });
    assert.equal(await Deno.readTextFile(join(d.root, "a.txt")), "a1");
    const e = await sandbox();
    await runAll(client, "restore", { workspaceId, sandboxId: e.id, at: "2001-01-01T00:00:00Z" });
    assert.deepEqual([...(await treeHashes(e.root)).keys()], []);

    const unknown = await client.call<{ code: string }>("POST", "e2b-bridge/restore", {
      workspaceId,
      sandboxId: "sbx-never-touched",
      at: "no-such-checkpoint",
    });
    // Not the workspace's bound sandbox: refused before the restore point is even looked up.
    assert.deepEqual([unknown.status, unknown.body.code], [403, "sandbox_not_owned"]);
    const noPoint = await client.call<{ code: string }>("POST", "e2b-bridge/restore", {
      workspaceId,
      sandboxId: e.id,
      at: "no-such-checkpoint",
    });
    assert.deepEqual([noPoint.status, noPoint.body.code], [404, "restore_point_not_found"]);
    const [replicas] = await sql<{ n: number }[]>`
      select count(*)::int as n from sandsync.replicas
      where workspace_id = ${workspaceId} and sandbox_instance = 'sbx-never-touched'`;
    assert.equal(replicas?.n, 0, "a refused restore registers no replica");
  }));
