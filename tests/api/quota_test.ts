import assert from "node:assert/strict";
import { sha256Hex } from "../../shared/hash.ts";
import { connect } from "../db/db_support.ts";
import { ApiClient, inlineCommit, newUser, newWorkspace } from "../support/api.ts";
import { loadStackEnv } from "../support/stack_env.ts";
import { commit, manifest } from "./conflict_support.ts";

interface Usage {
  ownerId: string;
  limitBytes: number;
  usedBytes: number;
  reservedBytes: number;
  availableBytes: number;
  workspaces: { workspaceId: string; name: string; logicalBytes: number; files: number }[];
}

interface Check {
  consistent: boolean;
  owners: { ownerId: string; usedBytes: number; actualUsedBytes: number; consistent: boolean }[];
}

const env = loadStackEnv();
const service = new ApiClient(env, env.serviceRoleKey);

async function usage(client: ApiClient): Promise<Usage> {
  const answer = await client.call<Usage>("GET", "quota");
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

const bytesOf = (size: number, seed: string) =>
  new TextEncoder().encode(seed.repeat(Math.ceil(size / seed.length)).slice(0, size));

Deno.test("quota: usage reflects uploads, in total and per workspace (logical size of current files)", async () => {
  const { id, client } = await newUser("quota-usage");
  const empty = await usage(client);
  assert.equal(empty.ownerId, id);
  assert.deepEqual([empty.usedBytes, empty.reservedBytes, empty.workspaces], [0, 0, []]);
  assert.equal(empty.availableBytes, empty.limitBytes);

  const { workspaceId, replicas: [replica] } = await newWorkspace(client);
  const a = bytesOf(1000, "a");
  const b = bytesOf(300, "b");
  const first = await commit(
    client,
    inlineCommit(workspaceId, replica!, [{ path: "a.txt", content: a }, {
      path: "b.txt",
      content: b,
    }]),
  );
  // The same bytes under a second path cost nothing more in Storage, but count logically.
  await commit(client, inlineCommit(workspaceId, replica!, [{ path: "copy.txt", content: a }]));
  const after = await usage(client);
  assert.equal(after.usedBytes, 1300);
  assert.equal(after.reservedBytes, 0);
  assert.equal(after.availableBytes, after.limitBytes - 1300);
  assert.deepEqual(after.workspaces.map((w) => [w.workspaceId, w.logicalBytes, w.files]), [
    [workspaceId, 2300, 3],
  ]);

  // Deleting a file lowers the workspace's logical size; the blob is still held (history).
  await commit(
    client,
    inlineCommit(workspaceId, replica!, [{
      path: "b.txt",
      content: null,
      base: first.items[1]!.vector!,
    }]),
  );
  const deleted = await usage(client);
  assert.equal(deleted.workspaces[0]?.logicalBytes, 2000);
  assert.equal(deleted.usedBytes, 1300);
});

Deno.test("quota: an agent token sees its own workspace only", async () => {
  const { client } = await newUser("quota-agent");
  const { workspaceId: one, replicas: [replica] } = await newWorkspace(client);
  const { workspaceId: two } = await newWorkspace(client);
  await commit(client, inlineCommit(one, replica!, [{ path: "x", content: "xx" }]));
  const issued = await client.call<{ token: string }>("POST", `workspaces/${two}/tokens`, {
    name: "agent",
  });
  const agent = new ApiClient(env, env.anonKey, { "x-sandsync-token": issued.body.token });
  const seen = await usage(agent);
  assert.deepEqual(seen.workspaces.map((w) => w.workspaceId), [two]);
  // No owner totals for a workspace-scoped token: they would tell whether content it names
  // exists in the owner's other workspaces.
  assert.deepEqual(
    [seen.usedBytes, seen.reservedBytes, seen.availableBytes, seen.limitBytes > 0],
    [undefined, undefined, undefined, true],
  );
  assert.equal((await usage(client)).workspaces.length, 2);
});

Deno.test("quota: the service check says consistent; other callers get 403 on check and set", async () => {
  const { id, client } = await newUser("quota-check");
  const { workspaceId, replicas: [replica] } = await newWorkspace(client);
  await commit(client, inlineCommit(workspaceId, replica!, [{ path: "f", content: "12345" }]));

  const mine = await service.call<Check>("GET", `quota/check?ownerId=${id}`);
  assert.equal(mine.status, 200, JSON.stringify(mine.body));
  assert.equal(mine.body.consistent, true);
  assert.deepEqual(
    mine.body.owners.map((o) => [o.ownerId, o.usedBytes, o.actualUsedBytes, o.consistent]),
    [[id, 5, 5, true]],
  );
  const all = await service.call<Check>("GET", "quota/check");
  assert.equal(all.status, 200);
  assert.ok(all.body.owners.some((o) => o.ownerId === id));
  assert.equal(all.body.consistent, all.body.owners.every((o) => o.consistent));

  const limitBefore = (await usage(client)).limitBytes;
  const issued = await client.call<{ token: string }>("POST", `workspaces/${workspaceId}/tokens`, {
    name: "agent",
  });
  const agent = new ApiClient(env, env.anonKey, { "x-sandsync-token": issued.body.token });
  for (const caller of [client, agent]) {
    const check = await caller.call("GET", "quota/check");
    assert.equal(check.status, 403);
    assert.equal((check.body as { code: string }).code, "forbidden");
    const set = await caller.call("PUT", `quota/${id}`, { limitBytes: 1e12 });
    assert.equal(set.status, 403);
    assert.equal((set.body as { code: string }).code, "forbidden");
  }
  assert.equal((await usage(client)).limitBytes, limitBefore, "the refused set changed nothing");
  const bad = await service.call("GET", "quota/check?ownerId=nope");
  assert.equal(bad.status, 400);
  const own = await service.call("GET", "quota");
  assert.equal(own.status, 400, "the service role has no quota of its own");
});

Deno.test("quota: set a limit, then an upload over it is quota_exceeded with nothing left behind", async () => {
  const { id, client } = await newUser("quota-limit");
  const { workspaceId, replicas: [replica] } = await newWorkspace(client);
  await commit(
    client,
    inlineCommit(workspaceId, replica!, [{ path: "small", content: "0123456789" }]),
  );

  const set = await service.call<{ ownerId: string; limitBytes: number; usedBytes: number }>(
    "PUT",
    `quota/${id}`,
    { limitBytes: 100 },
  );
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual([set.body.ownerId, set.body.limitBytes, set.body.usedBytes], [id, 100, 10]);
  assert.equal((await usage(client)).availableBytes, 90);

  const big = bytesOf(91, "z");
  const over = await client.call(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replica!, [{
      path: "big",
      content: big,
    }]),
  );
  assert.equal(over.status, 507, JSON.stringify(over.body));
  assert.equal((over.body as { code: string }).code, "quota_exceeded");
  const negotiate = await client.call("POST", "sync/negotiate", {
    workspaceId,
    replicaId: replica,
    changes: [{ path: "big", sha256: sha256Hex(big), size: 91, mode: 420, mtime: 0, base: null }],
  });
  assert.equal(negotiate.status, 507);

  const after = await usage(client);
  assert.deepEqual([after.usedBytes, after.reservedBytes], [10, 0]);
  assert.deepEqual((await manifest(client, workspaceId)).map((f) => f.path), ["small"]);
  const sql = connect(1);
  try {
    const [left] = await sql<{ blobs: number; reservations: number; objects: number }[]>`
      select
        (select count(*)::int from sandsync.blobs where owner_id = ${id} and sha256 = ${
      sha256Hex(big)
    }) as blobs,
        (select count(*)::int from sandsync.reservations where owner_id = ${id}) as reservations,
        (select count(*)::int from storage.objects where bucket_id = 'sandsync'
          and name like ${`${id}/%`}) as objects`;
    assert.deepEqual(left, { blobs: 0, reservations: 0, objects: 1 });
  } finally {
    await sql.end();
  }
  const check = await service.call<Check>("GET", `quota/check?ownerId=${id}`);
  assert.equal(check.body.consistent, true);

  // What fits still goes in; a limit of null returns to the default.
  await commit(
    client,
    inlineCommit(workspaceId, replica!, [{ path: "fits", content: big.slice(1) }]),
  );
  assert.equal((await usage(client)).availableBytes, 0);
  const reset = await service.call<{ limitBytes: number | null; effectiveLimitBytes: number }>(
    "PUT",
    `quota/${id}`,
    { limitBytes: null },
  );
  assert.equal(reset.body.limitBytes, null);
  assert.equal((await usage(client)).limitBytes, reset.body.effectiveLimitBytes);
});

Deno.test("quota: bad limit requests are refused", async () => {
  const { id } = await newUser("quota-bad");
  const cases: [string, unknown, number][] = [
    [`quota/${id}`, { limitBytes: -1 }, 400],
    [`quota/${id}`, { limitBytes: 1.5 }, 400],
    [`quota/${id}`, {}, 400],
    [`quota/${id}`, "{", 400],
    ["quota/not-a-uuid", { limitBytes: 1 }, 400],
  ];
  for (const [path, body, status] of cases) {
    const answer = await service.call("PUT", path, body);
    assert.equal(answer.status, status, JSON.stringify({ path, body, answer: answer.body }));
  }
  const check = await service.call<Check>("GET", `quota/check?ownerId=${id}`);
  assert.deepEqual(check.body.owners, [], "no quota row was created");
});
