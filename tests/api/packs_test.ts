// Packs (docs/decisions/0014-packs.md): small files of a commit rest in one pack object of their
// workspace; a pack serves many commits; a workspace never gets another workspace's pack; dead
// packs are collected and sparse ones repacked; a workspace synced before packs (loose objects)
// still syncs; the quota counters stay equal to the recomputed truth throughout.
import assert from "node:assert/strict";
import { sha256Hex } from "../../shared/hash.ts";
import { createBlobStore } from "../../supabase/functions/_shared/blobs/blob_store.ts";
import { connect } from "../db/db_support.ts";
import { ApiClient, inlineCommit, newUser, newWorkspace } from "../support/api.ts";

const sql = connect(4);
const text = (value: string) => new TextEncoder().encode(value);

interface Entry {
  path: string;
  sha256: string | null;
  url?: string;
  range?: { offset: number; length: number };
  error?: { code: string };
}

interface CommitBody {
  items: { path: string; outcome: string; vector: Record<string, number> }[];
}

async function manifest(client: ApiClient, workspaceId: string): Promise<Map<string, Entry>> {
  const answer = await client.call<{ files: Entry[] }>(
    "GET",
    `sync/manifest?workspaceId=${workspaceId}`,
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return new Map(answer.body.files.map((file) => [file.path, file]));
}

/** Fetches an entry's bytes as a client would: its range of the pack, or the whole object. */
async function fetchEntry(entry: Entry): Promise<Uint8Array> {
  assert.ok(entry.url, JSON.stringify(entry));
  const headers: Record<string, string> = entry.range
    ? { range: `bytes=${entry.range.offset}-${entry.range.offset + entry.range.length - 1}` }
    : {};
  const response = await fetch(entry.url, { headers });
  assert.equal(response.status, entry.range ? 206 : 200);
  return new Uint8Array(await response.arrayBuffer());
}

async function commit(
  client: ApiClient,
  workspaceId: string,
  replicaId: string,
  files: { path: string; content: string | null; base?: Record<string, number> | null }[],
) {
  const answer = await client.call<CommitBody>(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicaId, files),
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

async function packsOf(workspaceId: string) {
  return await sql<{ sha256: string; storage_key: string; state: string; size: string }[]>`
    select sha256, storage_key, state, size from sandsync.packs
    where workspace_id = ${workspaceId} order by created_at`;
}

async function assertQuotaTruth(owner: string) {
  const [row] = await sql<{ used: string; truth: string }[]>`
    select q.used_bytes as used,
      (select coalesce(sum((o.metadata ->> 'size')::bigint), 0) from storage.objects as o
        where o.bucket_id = 'sandsync' and o.name like ${owner + "/%"}) as truth
    from sandsync.quotas as q where q.owner_id = ${owner}`;
  assert.equal(row?.used, row?.truth, "used bytes equal what Storage holds");
}

Deno.test("a commit of many small files writes one pack, which later commits reuse", async () => {
  const { id, client } = await newUser("packs-many");
  const { workspaceId, replicas } = await newWorkspace(client);
  const files = Array.from({ length: 200 }, (_, i) => ({
    path: `src/f${i}.ts`,
    content: `export const v${i} = ${i};\n`,
  }));
  const first = await commit(client, workspaceId, replicas[0]!, files);
  assert.equal(first.items.length, 200);
  const packs = await packsOf(workspaceId);
  assert.equal(packs.length, 1, "one pack for the whole commit");
  assert.equal(packs[0]!.state, "stored");
  const [objects] = await sql<{ n: number }[]>`select count(*)::int as n from storage.objects
    where bucket_id = 'sandsync' and name like ${id + "/%"}`;
  assert.equal(objects?.n, 1, "one Storage object, not 200");

  // Another commit naming content the pack holds (a revert, a copy) sends no byte again.
  const copy = text(files[7]!.content);
  const negotiated = await client.call<{ uploads: unknown[]; present: string[] }>(
    "POST",
    "sync/negotiate",
    {
      workspaceId,
      replicaId: replicas[0],
      changes: [{
        path: "copy.ts",
        sha256: sha256Hex(copy),
        size: copy.byteLength,
        mode: 420,
        mtime: Date.now(),
        base: null,
      }],
    },
  );
  assert.deepEqual(negotiated.body.uploads, []);
  assert.deepEqual(negotiated.body.present, [sha256Hex(copy)]);
  const reused = await client.call<CommitBody>("POST", "sync/commit", {
    workspaceId,
    replicaId: replicas[0],
    idempotencyKey: crypto.randomUUID(),
    changes: [{
      path: "copy.ts",
      sha256: sha256Hex(copy),
      size: copy.byteLength,
      mode: 420,
      mtime: Date.now(),
      base: null,
    }],
  });
  assert.equal(reused.status, 200, JSON.stringify(reused.body));
  assert.equal((await packsOf(workspaceId)).length, 1, "no second pack");

  const current = await manifest(client, workspaceId);
  const expected: [string, string][] = [
    ["copy.ts", files[7]!.content],
    ["src/f199.ts", files[199]!.content],
  ];
  for (const [path, content] of expected) {
    const entry = current.get(path)!;
    assert.ok(entry.range, `${path} is served from the pack`);
    assert.deepEqual(await fetchEntry(entry), text(content), path);
  }
  await assertQuotaTruth(id);
});

Deno.test("a small file of another workspace rests in that workspace's own pack", async () => {
  const { id, client, env } = await newUser("packs-tenants");
  const { workspaceId: w1, replicas: [r1] } = await newWorkspace(client);
  const { workspaceId: w2, replicas: [r2] } = await newWorkspace(client);
  const secret = `TOKEN=${crypto.randomUUID()}\n`;
  await commit(client, w2, r2!, [{ path: ".env.local", content: secret }]);
  const issued = await client.call<{ token: string }>("POST", `workspaces/${w1}/tokens`, {
    name: "w1-agent",
  });
  assert.equal(issued.status, 201);
  const agent = new ApiClient(env, env.anonKey, { "x-sandsync-token": issued.body.token });
  // The agent of W1 commits the same bytes (it holds them): they go into a pack of W1.
  const sent = await agent.call<CommitBody>(
    "POST",
    "sync/commit",
    inlineCommit(w1, r1!, [{ path: "same.env", content: secret }]),
  );
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  const [w1Packs, w2Packs] = [await packsOf(w1), await packsOf(w2)];
  assert.equal(w1Packs.length, 1);
  assert.equal(w2Packs.length, 1);
  assert.notEqual(w1Packs[0]!.storage_key, w2Packs[0]!.storage_key);
  // Every URL W1's agent is given points into W1's packs, never W2's.
  const seen = await manifest(agent, w1);
  const url = new URL(seen.get("same.env")!.url!);
  assert.ok(url.pathname.includes(`/packs/${w1}/`), url.pathname);
  assert.ok(!url.pathname.includes(w2), url.pathname);
  assert.deepEqual(await fetchEntry(seen.get("same.env")!), text(secret));
  // W2 is out of the token's reach altogether.
  const other = await agent.call("GET", `sync/manifest?workspaceId=${w2}`);
  assert.equal(other.status, 404, JSON.stringify(other.body));
  await assertQuotaTruth(id);
});

Deno.test("housekeeping collects a dead pack and repacks a sparse one; nothing live is lost", async () => {
  const { id, client } = await newUser("packs-collect");
  const { workspaceId, replicas } = await newWorkspace(client);
  const service = new ApiClient(client.env, client.env.serviceRoleKey);
  await sql`update sandsync.workspaces set retention_versions = 1 where id = ${workspaceId}`;
  // Pack 1: two files, both deleted later (dead). Pack 2: one big-ish live file and three that
  // are deleted (sparse: less than half of it live).
  const dead = await commit(client, workspaceId, replicas[0]!, [
    { path: "dead/a.txt", content: "a".repeat(1000) },
    { path: "dead/b.txt", content: "b".repeat(1000) },
  ]);
  const sparse = await commit(client, workspaceId, replicas[0]!, [
    { path: "keep.txt", content: "k".repeat(1000) },
    { path: "gone/1.txt", content: "1".repeat(1000) },
    { path: "gone/2.txt", content: "2".repeat(1000) },
    { path: "gone/3.txt", content: "3".repeat(1000) },
  ]);
  const vectors = new Map(
    [...dead.items, ...sparse.items].map((item) => [item.path, item.vector]),
  );
  const deletions = ["dead/a.txt", "dead/b.txt", "gone/1.txt", "gone/2.txt", "gone/3.txt"];
  await commit(
    client,
    workspaceId,
    replicas[0]!,
    deletions.map((path) => ({ path, content: null, base: vectors.get(path)! })),
  );
  const before = await packsOf(workspaceId);
  assert.equal(before.length, 2);

  const run = await service.call<{ collectedPacks: number; repackedPacks: number }>(
    "POST",
    "housekeeping",
    { graceSeconds: 0 },
  );
  assert.equal(run.status, 200, JSON.stringify(run.body));
  assert.equal(run.body.repackedPacks, 1, JSON.stringify(run.body));
  assert.equal(run.body.collectedPacks, 2, JSON.stringify(run.body));
  const after = await packsOf(workspaceId);
  assert.equal(after.length, 1, "one new pack holds the live blob");
  assert.equal(Number(after[0]!.size), 1000, "only the live bytes were kept");
  assert.ok(!before.some((pack) => pack.sha256 === after[0]!.sha256));
  const [objects] = await sql<{ n: number }[]>`select count(*)::int as n from storage.objects
    where bucket_id = 'sandsync' and name like ${id + "/%"}`;
  assert.equal(objects?.n, 1, "the dead and the sparse pack objects are gone");
  const current = await manifest(client, workspaceId);
  assert.deepEqual([...current.keys()], ["keep.txt"]);
  assert.deepEqual(await fetchEntry(current.get("keep.txt")!), text("k".repeat(1000)));
  await assertQuotaTruth(id);
  const [reserved] = await sql<{ n: string }[]>`
    select reserved_bytes as n from sandsync.quotas where owner_id = ${id}`;
  assert.equal(Number(reserved?.n), 0, "the repack's reservation is settled");
});

Deno.test("a workspace synced before packs (loose objects) still reads and syncs", async () => {
  const { id, client } = await newUser("packs-upgrade");
  const { workspaceId, replicas } = await newWorkspace(client);
  // What a commit wrote before packs: the small blob as its own loose object, marked stored.
  const old = text("written before packs\n");
  const sha256 = sha256Hex(old);
  const store = createBlobStore({
    url: client.env.apiUrl,
    serviceRoleKey: client.env.serviceRoleKey,
  });
  await store.put(`${id}/${sha256.slice(0, 2)}/${sha256}`, old);
  await sql`select public.service_mark_blob_stored(${id}, ${sha256}, ${old.byteLength})`;
  const change = {
    path: "old.txt",
    sha256,
    size: old.byteLength,
    mode: 420,
    mtime: Date.now(),
    base: null,
  };
  const negotiated = await client.call<{ present: string[] }>("POST", "sync/negotiate", {
    workspaceId,
    replicaId: replicas[0],
    changes: [change],
  });
  assert.deepEqual(negotiated.body.present, [sha256], "the loose object counts as present");
  const committed = await client.call("POST", "sync/commit", {
    workspaceId,
    replicaId: replicas[0],
    idempotencyKey: crypto.randomUUID(),
    changes: [change],
  });
  assert.equal(committed.status, 200, JSON.stringify(committed.body));
  const entry = (await manifest(client, workspaceId)).get("old.txt")!;
  assert.equal(entry.range, undefined, "served from its own object");
  assert.deepEqual(await fetchEntry(entry), old);
  assert.equal((await packsOf(workspaceId)).length, 0);
  await assertQuotaTruth(id);
});

Deno.test({
  name: "close the packs test pool",
  fn: () => sql.end(),
  sanitizeResources: false,
  sanitizeOps: false,
});
