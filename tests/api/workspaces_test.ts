// The workspaces function over HTTP: create/list/get/delete, replicas, and workspace-scoped
// agent tokens (what a sandbox agent holds instead of a user session).
import assert from "node:assert/strict";
import { connect } from "../db/db_support.ts";
import { ApiClient, inlineCommit, newUser, newWorkspace } from "../support/api.ts";

const sql = connect(2);

interface Workspace {
  id: string;
  name: string;
  strategy: string;
  mergeFallback: string;
  conflictCopies: boolean;
  cursor: number;
}

Deno.test("a user creates, lists, reads and configures workspaces", async () => {
  const { client } = await newUser("ws");
  const created = await client.call<Workspace>("POST", "workspaces", {
    name: "demo",
    strategy: "auto_merge",
    mergeFallback: "last_write_wins",
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.strategy, "auto_merge");
  assert.equal(created.body.mergeFallback, "last_write_wins");
  assert.equal(created.body.cursor, 0);
  const listed = await client.call<{ workspaces: Workspace[] }>("GET", "workspaces");
  assert.deepEqual(listed.body.workspaces.map((w) => w.id), [created.body.id]);
  const got = await client.call<Workspace>("GET", `workspaces/${created.body.id}`);
  assert.equal(got.body.name, "demo");

  const bad = await client.call<{ code: string }>("POST", "workspaces", {
    name: "x",
    strategy: "coin_flip",
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, "validation_failed");
  const notUuid = await client.call<{ code: string }>("GET", "workspaces/not-a-uuid");
  assert.equal(notUuid.status, 400);
  const listedAfter = await client.call<{ workspaces: Workspace[] }>("GET", "workspaces");
  assert.equal(listedAfter.body.workspaces.length, 1, "a refused create leaves nothing");
});

Deno.test("another user cannot see, delete or register replicas in a workspace", async () => {
  const owner = await newUser("owner");
  const other = await newUser("intruder");
  const { workspaceId } = await newWorkspace(owner.client);
  for (
    const [method, path, body] of [
      ["GET", `workspaces/${workspaceId}`, undefined],
      ["DELETE", `workspaces/${workspaceId}`, undefined],
      ["POST", `workspaces/${workspaceId}/replicas`, {
        replicaId: crypto.randomUUID(),
        kind: "mobile",
      }],
      ["POST", `workspaces/${workspaceId}/tokens`, { name: "steal" }],
      ["GET", `workspaces/${workspaceId}/tokens`, undefined],
    ] as const
  ) {
    const answer = await other.client.call<{ code: string }>(method, path, body);
    assert.equal(answer.status, 404, `${method} ${path}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.code, "workspace_not_found");
  }
  const listed = await other.client.call<{ workspaces: Workspace[] }>("GET", "workspaces");
  assert.deepEqual(listed.body.workspaces, []);
  assert.equal((await owner.client.call("GET", `workspaces/${workspaceId}`)).status, 200);
});

Deno.test("an agent token acts in its one workspace only, and stops working when revoked", async () => {
  const { client } = await newUser("agent");
  const { workspaceId } = await newWorkspace(client);
  const { workspaceId: sibling } = await newWorkspace(client);
  const issued = await client.call<{ id: string; token: string; expiresAt: string }>(
    "POST",
    `workspaces/${workspaceId}/tokens`,
    { name: "sandbox-1", ttlSeconds: 3600 },
  );
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  assert.match(issued.body.token, /^sst_[A-Za-z0-9_-]{43}$/);
  const agent = new ApiClient(client.env, client.env.anonKey, {
    "x-sandsync-token": issued.body.token,
  });

  // The agent works in its workspace: registers a replica and commits.
  const replicaId = crypto.randomUUID();
  const registered = await agent.call("POST", `workspaces/${workspaceId}/replicas`, {
    replicaId,
    kind: "agent",
  });
  assert.equal(registered.status, 200, JSON.stringify(registered.body));
  const commit = await agent.call<{ items: { outcome: string }[] }>(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicaId, [{ path: "from-agent.txt", content: "hi" }]),
  );
  assert.equal(commit.status, 200, JSON.stringify(commit.body));
  const listed = await agent.call<{ workspaces: Workspace[] }>("GET", "workspaces");
  assert.deepEqual(listed.body.workspaces.map((w) => w.id), [workspaceId]);

  // It sees nothing else of its owner's, and cannot mint tokens or workspaces.
  assert.equal((await agent.call("GET", `workspaces/${sibling}`)).status, 404);
  assert.equal(
    (await agent.call("GET", `sync/changes?workspaceId=${sibling}&cursor=0`)).status,
    404,
  );
  assert.equal((await agent.call("POST", "workspaces", { name: "mine" })).status, 403);
  assert.equal(
    (await agent.call("POST", `workspaces/${workspaceId}/tokens`, { name: "more" })).status,
    403,
  );
  assert.equal((await agent.call("DELETE", `workspaces/${workspaceId}`)).status, 403);

  // Token listings never show the secret.
  const tokens = await client.call<{ tokens: Record<string, unknown>[] }>(
    "GET",
    `workspaces/${workspaceId}/tokens`,
  );
  assert.equal(tokens.body.tokens.length, 1);
  assert.ok(!JSON.stringify(tokens.body).includes(issued.body.token));

  const revoked = await client.call(
    "DELETE",
    `workspaces/${workspaceId}/tokens/${issued.body.id}`,
  );
  assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
  const after = await agent.call<{ code: string }>("GET", `workspaces/${workspaceId}`);
  assert.equal(after.status, 401);
  assert.equal(after.body.code, "unauthorized");
  const forged = new ApiClient(client.env, client.env.anonKey, {
    "x-sandsync-token": `sst_${"A".repeat(43)}`,
  });
  assert.equal((await forged.call("GET", "workspaces")).status, 401);
});

Deno.test("deleting a workspace frees the bytes only it referenced", async () => {
  const { id, client } = await newUser("delete");
  const { workspaceId, replicas } = await newWorkspace(client);
  const { workspaceId: kept, replicas: keptReplicas } = await newWorkspace(client);
  const shared = "shared by both workspaces\n";
  await client.call(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicas[0]!, [
      { path: "only-here.txt", content: "only in the deleted workspace\n" },
      { path: "shared.txt", content: shared },
    ]),
  );
  await client.call(
    "POST",
    "sync/commit",
    inlineCommit(kept, keptReplicas[0]!, [{ path: "copy.txt", content: shared }]),
  );
  const objects = async () =>
    (await sql`select count(*)::int as n from storage.objects
      where bucket_id = 'sandsync' and name like ${id + "/%"}`)[0]?.n;
  const used = async () =>
    (await sql`select used_bytes::int as n from sandsync.quotas where owner_id = ${id}`)[0]?.n;
  assert.equal(await objects(), 2);
  const usedBefore = await used();
  // Collection keeps its grace period: only blobs announced long enough ago go.
  await sql`update sandsync.blobs set created_at = now() - interval '2 hours' where owner_id = ${id}`;

  const deleted = await client.call<{ deleted: boolean; freedObjects: number }>(
    "DELETE",
    `workspaces/${workspaceId}`,
  );
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
  // Small files rest in packs, one workspace's each: the deleted workspace's pack (both of its
  // files) goes, the other workspace's copy of the shared bytes stays.
  assert.equal(deleted.body.freedObjects, 1);
  assert.equal(await objects(), 1, "the blob the other workspace uses stays");
  assert.equal(
    await used(),
    usedBefore! - "only in the deleted workspace\n".length - shared.length,
  );
  assert.equal((await client.call("GET", `workspaces/${workspaceId}`)).status, 404);
  const manifest = await client.call<{ files: { path: string }[] }>(
    "GET",
    `sync/manifest?workspaceId=${kept}`,
  );
  assert.deepEqual(manifest.body.files.map((f) => f.path), ["copy.txt"]);
});

Deno.test({
  name: "close the workspaces test pool",
  fn: () => sql.end(),
  sanitizeResources: false,
  sanitizeOps: false,
});
