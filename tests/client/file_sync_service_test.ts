import assert from "node:assert/strict";
import { isSyncError } from "../../shared/protocol/errors.ts";
import { sha256Hex } from "../../shared/hash.ts";
import { FileSyncService } from "../../client/file_sync_service.ts";
import { SyncApi } from "../../client/sync_api.ts";
import { newUser, newWorkspace } from "../support/api.ts";

async function service(options: { strategy?: string } = {}) {
  const { client, env } = await newUser("client");
  const { workspaceId } = await newWorkspace(client, { replicas: 0, ...options });
  const api = new SyncApi({ url: env.apiUrl, anonKey: env.anonKey, token: client.bearer });
  return { api, workspaceId, client, env };
}

function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

Deno.test("FileSyncService uploads inline, signed-URL and TUS blobs and downloads them verified", async () => {
  const { api, workspaceId } = await service();
  const sync = new FileSyncService({ api });
  const events: string[] = [];
  sync.addEventListener("progress", (e) => events.push((e as CustomEvent).detail.kind));
  const small = "hello\n";
  const medium = randomBytes(1024 * 1024);
  const large = randomBytes(7 * 1024 * 1024);
  const results = await sync.uploadFiles(workspaceId, [
    { path: "small.txt", content: small },
    { path: "dir/medium.bin", content: medium },
    { path: "dir/large.bin", content: large },
  ]);
  assert.deepEqual(results.map((r) => r.outcome), ["applied", "applied", "applied"]);
  assert.ok(events.includes("upload") && events.includes("commit"), events.join());
  assert.equal(new TextDecoder().decode(await sync.downloadFile(workspaceId, "small.txt")), small);
  assert.equal(
    sha256Hex(await sync.downloadFile(workspaceId, "dir/medium.bin")),
    sha256Hex(medium),
  );
  assert.equal(sha256Hex(await sync.downloadFile(workspaceId, "dir/large.bin")), sha256Hex(large));

  // A single-file edit goes through the files function (PUT, recorded for this replica);
  // it is based on the current version, or on `ifMatch`'s, refused when stale.
  const edited = await sync.uploadFile(workspaceId, "small.txt", "hello again\n");
  assert.equal(edited.outcome, "applied");
  const history = await sync.history(workspaceId, "small.txt");
  assert.deepEqual(history.versions.map((v) => v.versionId), [
    edited.versionId,
    results[0]!.versionId,
  ]);
  assert.equal(history.versions[0]?.replicaId, sync.replicaId);
  await assert.rejects(
    sync.uploadFile(workspaceId, "small.txt", "stale\n", { ifMatch: results[0]!.versionId! }),
    (e) => isSyncError(e, "precondition_failed"),
  );
  const old = await sync.downloadFile(workspaceId, "small.txt", {
    versionId: results[0]!.versionId!,
  });
  assert.equal(new TextDecoder().decode(old), small);
  const diff = await sync.diff(workspaceId, "small.txt");
  assert.equal(
    diff.diff,
    "--- a/small.txt\n+++ b/small.txt\n@@ -1,1 +1,1 @@\n-hello\n+hello again\n",
  );
  assert.equal((await sync.deleteFile(workspaceId, "dir/medium.bin")).outcome, "applied");
  await assert.rejects(
    sync.downloadFile(workspaceId, "dir/medium.bin"),
    (e) => isSyncError(e, "file_not_found"),
  );
});

Deno.test("FileSyncService.detectConflicts() lists conflicts opened under user_intervention", async () => {
  const { api, workspaceId } = await service({ strategy: "user_intervention" });
  const a = new FileSyncService({ api });
  const b = new FileSyncService({ api });
  await a.uploadFile(workspaceId, "notes.md", "base\n");
  const base = (await api.fullManifest(workspaceId)).files[0]!.vector;
  await a.uploadFile(workspaceId, "notes.md", "from a\n", { base });
  const clash = await b.uploadFile(workspaceId, "notes.md", "from b\n", { base });
  assert.equal(clash.outcome, "conflict");
  const open = await a.detectConflicts(workspaceId);
  assert.equal(open.length, 1);
  assert.equal(open[0]?.path, "notes.md");
  assert.equal(open[0]?.id, clash.conflictId);
  assert.equal(open[0]?.status, "open");
  assert.equal(open[0]?.incoming?.sha256, sha256Hex("from b\n"));
  assert.equal(open[0]?.current?.sha256, sha256Hex("from a\n"));
  // The server kept its version; the other side is kept in the conflict.
  assert.equal(new TextDecoder().decode(await a.downloadFile(workspaceId, "notes.md")), "from a\n");
  // Resolving takes it off the list; the incoming side becomes the current content.
  const resolved = await b.resolveConflict(workspaceId, {
    conflictId: clash.conflictId!,
    resolution: "incoming",
  });
  assert.equal(resolved.sha256, sha256Hex("from b\n"));
  assert.deepEqual(await a.detectConflicts(workspaceId), []);
  assert.equal(new TextDecoder().decode(await a.downloadFile(workspaceId, "notes.md")), "from b\n");
});

Deno.test("SyncApi with an agent token is scoped to its workspace; bad input changes nothing", async () => {
  const { api, workspaceId, env } = await service();
  const issued = await api.issueToken(workspaceId, { name: "test agent" });
  const agent = new SyncApi({ url: env.apiUrl, anonKey: env.anonKey, token: issued.token });
  const listed = await agent.listWorkspaces();
  assert.deepEqual(listed.map((w) => w.id), [workspaceId]);
  await assert.rejects(
    agent.getWorkspace(crypto.randomUUID()),
    (e) => isSyncError(e, "workspace_not_found"),
  );
  await assert.rejects(
    agent.commit({
      workspaceId,
      replicaId: crypto.randomUUID(),
      idempotencyKey: crypto.randomUUID(),
      changes: [{ path: "../x", sha256: null, size: 0, mode: 420, mtime: 0, base: null }],
    }),
    (e) => isSyncError(e, "validation_failed"),
  );
  assert.equal((await agent.fullManifest(workspaceId)).files.length, 0);
});
