/**
 * `e2b-bridge/restore`, `push` and `snapshot` through the real SDK against the envd stand-in:
 * a byte-identical restore into an empty sandbox (paged), modes, the instance manifest,
 * nothing outside the root, restore points (checkpoint, version, time), and push writing only
 * what differs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { randomBytes } from "../e2b_standin/standin_support.ts";
import {
  ROOT,
  runAll,
  sha256,
  treeHashes,
  withBridge,
  workspaceFiles,
  writeTree,
} from "./bridge_support.ts";

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
  withBridge(async ({ client, sql, workspaceId, sandbox, use }) => {
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
    // The restore is committed: the checkpoint's state is the workspace's current state.
    assert.ok(back.pages.at(-1)!.seq! > checkpoint.seq);
    const cp1 = new Map([["a.txt", sha256("a1")], ["b.txt", sha256("b1")]]);
    assert.deepEqual(await treeHashes(c.root), cp1);
    assert.deepEqual(await workspaceFiles(sql, workspaceId), cp1);

    // push the current state onto the live sandbox `a` (a2, b1, c2): a.txt is written, b.txt
    // kept, c.txt (absent from the workspace now) removed. `a` is bound to the workspace again.
    await use(a.id);
    const pushed = await runAll(client, "push", { workspaceId, sandboxId: a.id });
    assert.deepEqual(
      [pushed.written, pushed.pages.at(-1)!.skipped, pushed.pages.at(-1)!.deleted],
      [1, 1, 1],
    );
    assert.deepEqual(await treeHashes(a.root), await treeHashes(c.root));

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

Deno.test("a checkpoint restored onto its live sandbox: sandbox and workspace agree, later changes move exactly", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox }) => {
    const a = await sandbox({ "app.ts": "v1", "lib/keep.ts": "keep", ".gitignore": "build/\n" });
    await runAll(client, "snapshot", { workspaceId, sandboxId: a.id, name: "before" });
    await writeTree(a.root, {
      "app.ts": "v2",
      "later.txt": "made after",
      "build/out.js": "ignored",
    });
    const after = await runAll(client, "pull", { workspaceId, sandboxId: a.id });
    assert.equal(after.pulled, 2);

    const restored = await runAll(client, "restore", {
      workspaceId,
      sandboxId: a.id,
      at: "before",
    });
    const last = restored.pages.at(-1)!;
    assert.deepEqual([restored.written, last.deleted, last.heldDeletes], [1, 1, 0]);
    const expected = new Map([
      [".gitignore", sha256("build/\n")],
      ["app.ts", sha256("v1")],
      ["build/out.js", sha256("ignored")],
      ["lib/keep.ts", sha256("keep")],
    ]);
    assert.deepEqual(await treeHashes(a.root), expected, "later.txt removed, ignored build/ kept");
    expected.delete("build/out.js");
    assert.deepEqual(await workspaceFiles(sql, workspaceId), expected, "the workspace agrees");
    const [history] = await sql<{ n: number }[]>`
      select count(*)::int as n from sandsync.versions as v join sandsync.files as f on f.id = v.file_id
      where f.workspace_id = ${workspaceId} and f.path = 'app.ts' and v.sha256 = ${sha256("v2")}`;
    assert.equal(history?.n, 1, "v2 stays in history");

    const quiet = await runAll(client, "pull", { workspaceId, sandboxId: a.id });
    assert.deepEqual([quiet.pulled, quiet.pages.at(-1)!.deleted], [0, 0], "nothing left to pull");
    await writeTree(a.root, { "app.ts": "v3" });
    const next = await runAll(client, "pull", { workspaceId, sandboxId: a.id });
    assert.equal(next.pulled, 1, "exactly the later change moves");
    expected.set("app.ts", sha256("v3"));
    assert.deepEqual(await workspaceFiles(sql, workspaceId), expected);
    const push = await runAll(client, "push", { workspaceId, sandboxId: a.id });
    assert.deepEqual([push.written, push.pages.at(-1)!.deleted], [0, 0]);
  }));

Deno.test("a restore that would remove most synced files holds them unless confirmed", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox }) => {
    const files: Record<string, string> = { "keep.txt": "keep" };
    const a = await sandbox(files);
    await runAll(client, "snapshot", { workspaceId, sandboxId: a.id, name: "small" });
    const more: Record<string, string> = {};
    for (let i = 0; i < 12; i++) more[`gen/f${i}.txt`] = `f${i}`;
    await writeTree(a.root, more);
    await runAll(client, "pull", { workspaceId, sandboxId: a.id });

    const held = await runAll(client, "restore", { workspaceId, sandboxId: a.id, at: "small" });
    const page = held.pages.at(-1)!;
    assert.deepEqual([page.deleted, page.heldDeletes], [0, 12]);
    assert.equal(page.refused.filter((r) => r.reason === "held_delete").length, 12);
    assert.equal((await treeHashes(a.root)).size, 13, "nothing removed");
    assert.equal((await workspaceFiles(sql, workspaceId)).size, 13, "nothing committed either");
    const confirmed = await runAll(client, "restore", {
      workspaceId,
      sandboxId: a.id,
      at: "small",
      confirmDeletes: true,
    });
    assert.equal(confirmed.pages.at(-1)!.deleted, 12);
    assert.deepEqual(await treeHashes(a.root), new Map([["keep.txt", sha256("keep")]]));
  }));
