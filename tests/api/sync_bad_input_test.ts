// Bad input to the sync function, as a table: each request gets its stable code and status, and
// changes nothing (no file, version, change set, reservation, blob row or Storage object).
import assert from "node:assert/strict";
import { sha256Hex } from "../../shared/hash.ts";
import { signJwt } from "../../local_stack/jwt.ts";
import { connect } from "../db/db_support.ts";
import { ApiClient, inlineCommit, newUser, newWorkspace, SIGNED_PUT_SIZE } from "../support/api.ts";

const sql = connect(2);

/** Everything a request could leave behind for an owner. */
async function footprint(ownerId: string) {
  const [row] = await sql`select
    (select count(*) from sandsync.files where owner_id = ${ownerId})::int as files,
    (select count(*) from sandsync.versions v join sandsync.files f on f.id = v.file_id
      where f.owner_id = ${ownerId})::int as versions,
    (select count(*) from sandsync.change_sets where owner_id = ${ownerId})::int as change_sets,
    (select count(*) from sandsync.reservations where owner_id = ${ownerId})::int as reservations,
    (select count(*) from sandsync.blobs where owner_id = ${ownerId})::int as blobs,
    (select coalesce(max(reserved_bytes), 0) from sandsync.quotas where owner_id = ${ownerId})::bigint
      as reserved_bytes,
    (select count(*) from storage.objects
      where bucket_id = 'sandsync' and name like ${ownerId + "/%"})::int as objects`;
  return row;
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

const one = bytes("hello\n");
const change = (overrides: Record<string, unknown> = {}) => ({
  path: "a.txt",
  sha256: sha256Hex(one),
  size: one.byteLength,
  mode: 420,
  mtime: 1_700_000_000_000,
  base: null,
  ...overrides,
});

/** A vector of `count` random replica ids (none registered anywhere). */
function manyReplicas(count: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: count }, () => [crypto.randomUUID(), 1]));
}

interface Case {
  name: string;
  /** Builds the request; `otherWorkspace` belongs to another user. */
  request: (ctx: Ctx) => Promise<{ client: ApiClient; path: string; body: unknown }>;
  status: number;
  /** The stable code; the gateway's own JWT refusals carry the platform's codes. */
  code: string | RegExp;
}

interface Ctx {
  client: ApiClient;
  workspaceId: string;
  replicaId: string;
  otherWorkspace: string;
  jwtSecret: string;
  userId: string;
}

const cases: Case[] = [
  {
    name: "malformed JSON",
    request: ({ client }) => Promise.resolve({ client, path: "sync/negotiate", body: "{nope" }),
    status: 400,
    code: "invalid_json",
  },
  {
    name: "wrong types",
    request: ({ client, workspaceId, replicaId }) =>
      Promise.resolve({
        client,
        path: "sync/negotiate",
        body: { workspaceId, replicaId, changes: [change({ size: "six" })] },
      }),
    status: 400,
    code: "validation_failed",
  },
  ...["../escape.txt", "a//b.txt", "a/./b", "nul\u0000.txt", "/abs.txt", "C:/x.txt", ""].map(
    (path): Case => ({
      name: `bad path ${JSON.stringify(path)} in a commit`,
      request: ({ client, workspaceId, replicaId }) =>
        Promise.resolve({
          client,
          path: "sync/commit",
          body: {
            ...inlineCommit(workspaceId, replicaId, [{ path: "ok.txt", content: one }]),
            changes: [change({ path })],
          },
        }),
      status: 400,
      code: "validation_failed",
    }),
  ),
  {
    name: "an mtime beyond the Date range",
    request: ({ client, workspaceId, replicaId }) =>
      Promise.resolve({
        client,
        path: "sync/commit",
        body: {
          ...inlineCommit(workspaceId, replicaId, [{ path: "a.txt", content: one }]),
          changes: [change({ mtime: 9e15 })],
        },
      }),
    status: 400,
    code: "validation_failed",
  },
  ...["sync/negotiate", "sync/commit"].map((path): Case => ({
    name: `a replicaId that is not a UUID in ${path}`,
    request: ({ client, workspaceId }) =>
      Promise.resolve({
        client,
        path,
        body: inlineCommit(workspaceId, "not-a-uuid", [{ path: "a.txt", content: one }]),
      }),
    status: 400,
    code: "validation_failed",
  })),
  {
    name: "a JWT whose sub is not a UUID",
    request: async ({ client, workspaceId, replicaId, jwtSecret }) => ({
      client: new ApiClient(
        client.env,
        await signJwt({
          sub: "github|12345",
          role: "authenticated",
          exp: Math.floor(Date.now() / 1000) + 600,
        }, jwtSecret),
      ),
      path: "sync/commit",
      body: inlineCommit(workspaceId, replicaId, [{ path: "a.txt", content: one }]),
    }),
    status: 401,
    code: "unauthorized",
  },
  ...([
    ["a vector counter at 2^52", (r: string) => ({ [r]: 2 ** 52 })],
    ["a vector counter near 2^53", (r: string) => ({ [r]: 2 ** 53 - 1 })],
    ["a vector with 300 keys", () => manyReplicas(300)],
    ["a vector key that is no replica of the workspace", () => manyReplicas(1)],
  ] as const).map(([name, base]): Case => ({
    name,
    request: ({ client, workspaceId, replicaId }) =>
      Promise.resolve({
        client,
        path: "sync/commit",
        body: {
          ...inlineCommit(workspaceId, replicaId, [{ path: "a.txt", content: one }]),
          changes: [change({ base: base(replicaId) })],
        },
      }),
    status: 400,
    code: "validation_failed",
  })),
  {
    name: "unknown workspace",
    request: ({ client, replicaId }) =>
      Promise.resolve({
        client,
        path: "sync/commit",
        body: inlineCommit(crypto.randomUUID(), replicaId, [{ path: "a.txt", content: one }]),
      }),
    status: 404,
    code: "workspace_not_found",
  },
  {
    name: "another user's workspace",
    request: ({ client, otherWorkspace, replicaId }) =>
      Promise.resolve({
        client,
        path: "sync/commit",
        body: inlineCommit(otherWorkspace, replicaId, [{ path: "a.txt", content: one }]),
      }),
    status: 404,
    code: "workspace_not_found",
  },
  {
    name: "unregistered replica",
    request: ({ client, workspaceId }) =>
      Promise.resolve({
        client,
        path: "sync/commit",
        body: inlineCommit(workspaceId, crypto.randomUUID(), [{ path: "a.txt", content: one }]),
      }),
    status: 404,
    code: "replica_not_found",
  },
  {
    name: "forged JWT",
    request: async ({ client, workspaceId, replicaId, userId }) => ({
      client: new ApiClient(
        client.env,
        await signJwt({ sub: userId, role: "authenticated" }, "not-the-secret-".repeat(3)),
      ),
      path: "sync/commit",
      body: inlineCommit(workspaceId, replicaId, [{ path: "a.txt", content: one }]),
    }),
    status: 401,
    code: /^UNAUTHORIZED_/,
  },
  {
    name: "expired JWT",
    request: async ({ client, workspaceId, replicaId, userId, jwtSecret }) => ({
      client: new ApiClient(
        client.env,
        await signJwt({
          sub: userId,
          role: "authenticated",
          exp: Math.floor(Date.now() / 1000) - 60,
        }, jwtSecret),
      ),
      path: "sync/commit",
      body: inlineCommit(workspaceId, replicaId, [{ path: "a.txt", content: one }]),
    }),
    status: 401,
    code: /^UNAUTHORIZED_/,
  },
  {
    name: "the anon key without an agent token",
    request: ({ client, workspaceId, replicaId }) =>
      Promise.resolve({
        client: new ApiClient(client.env, client.env.anonKey),
        path: "sync/commit",
        body: inlineCommit(workspaceId, replicaId, [{ path: "a.txt", content: one }]),
      }),
    status: 401,
    code: "unauthorized",
  },
  {
    name: "oversize body",
    request: ({ client, workspaceId, replicaId }) =>
      Promise.resolve({
        client,
        path: "sync/negotiate",
        body: JSON.stringify({ workspaceId, replicaId, changes: [], pad: "x".repeat(9 << 20) }),
      }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "inline bytes that do not match their declared hash",
    request: ({ client, workspaceId, replicaId }) => {
      const body = inlineCommit(workspaceId, replicaId, [{ path: "a.txt", content: one }]);
      const sha = body.changes[0]!.sha256 as string;
      return Promise.resolve({
        client,
        path: "sync/commit",
        body: { ...body, inline: { [sha]: btoa("hellO\n") } },
      });
    },
    status: 422,
    code: "hash_mismatch",
  },
  {
    name: "a commit naming bytes that were never uploaded",
    request: ({ client, workspaceId, replicaId }) =>
      Promise.resolve({
        client,
        path: "sync/commit",
        body: {
          workspaceId,
          replicaId,
          idempotencyKey: crypto.randomUUID(),
          changes: [change({ sha256: sha256Hex(bytes("never sent")), size: 10 })],
        },
      }),
    status: 409,
    code: "blob_missing",
  },
];

for (const testCase of cases) {
  Deno.test(`sync refuses ${testCase.name} with ${testCase.code} and changes nothing`, async () => {
    const owner = await newUser("bad");
    const other = await newUser("other");
    const { workspaceId, replicas } = await newWorkspace(owner.client);
    const { workspaceId: otherWorkspace } = await newWorkspace(other.client);
    const ctx: Ctx = {
      client: owner.client,
      workspaceId,
      replicaId: replicas[0]!,
      otherWorkspace,
      jwtSecret: owner.env.jwtSecret,
      userId: owner.id,
    };
    const before = [await footprint(owner.id), await footprint(other.id)];
    const { client, path, body } = await testCase.request(ctx);
    const answer = await client.call<{ code: string; message: string }>("POST", path, body);
    assert.equal(answer.status, testCase.status, JSON.stringify(answer.body));
    if (typeof testCase.code === "string") assert.equal(answer.body.code, testCase.code);
    else assert.match(answer.body.code, testCase.code);
    assert.equal(typeof answer.body.message, "string");
    assert.deepEqual([await footprint(owner.id), await footprint(other.id)], before);
  });
}

Deno.test("uploaded bytes that differ from the declared ones are refused and removed", async () => {
  const { id, client } = await newUser("mismatch");
  const { workspaceId, replicas } = await newWorkspace(client);
  const declared = new Uint8Array(SIGNED_PUT_SIZE).fill(1);
  const sent = new Uint8Array(SIGNED_PUT_SIZE).fill(2);
  const item = change({ path: "big.bin", sha256: sha256Hex(declared), size: declared.byteLength });
  const negotiated = await client.call<{ uploads: { method: string; url: string }[] }>(
    "POST",
    "sync/negotiate",
    { workspaceId, replicaId: replicas[0], changes: [item] },
  );
  assert.equal(negotiated.body.uploads[0]?.method, "signed_url");
  const put = await fetch(negotiated.body.uploads[0]!.url, { method: "PUT", body: sent });
  assert.ok(put.ok, await put.text());
  const commit = await client.call<{ code: string }>("POST", "sync/commit", {
    workspaceId,
    replicaId: replicas[0],
    idempotencyKey: crypto.randomUUID(),
    changes: [item],
  });
  assert.equal(commit.status, 422);
  assert.equal(commit.body.code, "hash_mismatch");
  const after = await footprint(id);
  assert.equal(after?.files, 0);
  assert.equal(after?.objects, 0, "the wrong bytes are deleted from Storage");
});

Deno.test("a batch over the quota is refused whole: no file, no reservation", async () => {
  const { id, client } = await newUser("quota");
  const { workspaceId, replicas } = await newWorkspace(client);
  await sql`select public.service_set_quota_limit(${id}, 1000)`;
  const files = Array.from({ length: 5 }, (_, i) => ({
    path: `f${i}.bin`,
    content: new Uint8Array(300).fill(i + 1),
  }));
  const before = await footprint(id);
  const negotiate = await client.call<{ code: string }>("POST", "sync/negotiate", {
    workspaceId,
    replicaId: replicas[0],
    changes: inlineCommit(workspaceId, replicas[0]!, files).changes,
  });
  assert.equal(negotiate.status, 507);
  assert.equal(negotiate.body.code, "quota_exceeded");
  const commit = await client.call<{ code: string }>(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicas[0]!, files),
  );
  assert.equal(commit.status, 507);
  assert.equal(commit.body.code, "quota_exceeded");
  assert.deepEqual(await footprint(id), before);
  // Under the limit the same files commit.
  const fits = await client.call<{ items: { outcome: string }[] }>(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicas[0]!, files.slice(0, 3)),
  );
  assert.equal(fits.status, 200, JSON.stringify(fits.body));
  assert.deepEqual(fits.body.items.map((item) => item.outcome), ["applied", "applied", "applied"]);
});

Deno.test("an idempotency key reused with other items is refused before its inline blob is stored", async () => {
  const { id, client } = await newUser("idem");
  const { workspaceId, replicas } = await newWorkspace(client);
  const first = inlineCommit(workspaceId, replicas[0]!, [{ path: "a.txt", content: one }]);
  const committed = await client.call("POST", "sync/commit", first);
  assert.equal(committed.status, 200, JSON.stringify(committed.body));
  const before = await footprint(id);
  const other = inlineCommit(workspaceId, replicas[0]!, [{
    path: "b.txt",
    content: bytes("other bytes\n"),
  }]);
  const reused = await client.call<{ code: string }>("POST", "sync/commit", {
    ...other,
    idempotencyKey: first.idempotencyKey,
  });
  assert.equal(reused.status, 409, JSON.stringify(reused.body));
  assert.equal(reused.body.code, "idempotency_conflict");
  assert.deepEqual(await footprint(id), before, "no blob row, no object, no reservation");
  // The same items under the same key still replay.
  const replay = await client.call<{ replayed: boolean }>("POST", "sync/commit", first);
  assert.equal(replay.status, 200);
  assert.equal(replay.body.replayed, true);
});

Deno.test({
  name: "close the database pool",
  fn: () => sql.end(),
  sanitizeResources: false,
  sanitizeOps: false,
});
