// Blob collection as a state (issue 12 §1, issue 10 §4): a commit that dedups against bytes
// being collected never ends up pointing at a removed object; one missing object never fails a
// feed page; deleting a workspace collects only its owner's blobs, past the grace; stray
// objects under an owner's prefix are removed.
import assert from "node:assert/strict";
import { encodeBase64 } from "../support/base64.ts";
import { sha256Hex } from "../../shared/hash.ts";
import { createBlobStore } from "../../supabase/functions/_shared/blobs/blob_store.ts";
import { connect } from "../db/db_support.ts";
import { blobDigest, blobObject } from "../support/blob_objects.ts";
import { ApiClient, inlineCommit, newUser, newWorkspace } from "../support/api.ts";

const sql = connect(4);

interface Entry {
  path: string;
  sha256: string | null;
  url?: string;
  error?: { code: string; message: string };
}

function storeOf(client: ApiClient) {
  return createBlobStore({ url: client.env.apiUrl, serviceRoleKey: client.env.serviceRoleKey });
}

/** Commits one file inline, retrying while its bytes are being collected (409 blob_missing). */
async function commitText(
  client: ApiClient,
  workspaceId: string,
  replicaId: string,
  path: string,
  content: string | null,
  base: Record<string, number> | null,
  attempts = 1,
): Promise<{ status: number; body: Record<string, unknown> }> {
  for (let i = 1;; i++) {
    const answer = await client.call(
      "POST",
      "sync/commit",
      inlineCommit(workspaceId, replicaId, [{ path, content, base }]),
    );
    if (answer.status !== 409 || answer.body.code !== "blob_missing" || i >= attempts) {
      return answer;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** negotiate, PUT what the server asks for, commit by hash (no inline bytes). */
async function negotiatedCommit(
  client: ApiClient,
  workspaceId: string,
  replicaId: string,
  path: string,
  content: string,
  base: Record<string, number> | null = null,
) {
  const bytes = new TextEncoder().encode(content);
  const change = {
    path,
    sha256: sha256Hex(bytes),
    size: bytes.byteLength,
    mode: 420,
    mtime: Date.now(),
    base,
  };
  const negotiated = await client.call<{ uploads: { method: string; url?: string }[] }>(
    "POST",
    "sync/negotiate",
    { workspaceId, replicaId, changes: [change] },
  );
  assert.equal(negotiated.status, 200, JSON.stringify(negotiated.body));
  const inline: Record<string, string> = {};
  for (const upload of negotiated.body.uploads) {
    if (upload.method === "inline") inline[change.sha256] = encodeBase64(bytes);
    else {
      const put = await fetch(upload.url!, { method: "PUT", body: bytes });
      await put.body?.cancel();
    }
  }
  return await client.call("POST", "sync/commit", {
    workspaceId,
    replicaId,
    idempotencyKey: crypto.randomUUID(),
    changes: [change],
    ...(Object.keys(inline).length ? { inline } : {}),
  });
}

async function manifest(client: ApiClient, workspaceId: string) {
  return await client.call<{ files: Entry[] }>("GET", `sync/manifest?workspaceId=${workspaceId}`);
}

async function downloadHash(url: string): Promise<string> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `download ${url}`);
  return sha256Hex(new Uint8Array(await response.arrayBuffer()));
}

/** Makes `content`'s blob unreferenced and old: committed, overwritten, history pruned. */
async function orphanedBlob(
  client: ApiClient,
  workspaceId: string,
  replicaId: string,
  content: string,
): Promise<string> {
  const first = await commitText(client, workspaceId, replicaId, "old.txt", content, null);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const vector = (first.body.items as { vector: Record<string, number> }[])[0]!.vector;
  const second = await commitText(client, workspaceId, replicaId, "old.txt", "other\n", vector);
  assert.equal(second.status, 200, JSON.stringify(second.body));
  await sql`update sandsync.workspaces set retention_versions = 1 where id = ${workspaceId}`;
  await sql`select public.service_prune_history(${workspaceId})`;
  const sha = sha256Hex(new TextEncoder().encode(content));
  await sql`update sandsync.blobs set created_at = now() - interval '2 hours' where sha256 = ${sha}`;
  return sha;
}

Deno.test("a commit deduplicating against bytes being collected never loses them", async () => {
  const { id, client } = await newUser("collect-race");
  const { workspaceId, replicas } = await newWorkspace(client);
  const content = "reused bytes\n";
  const sha = await orphanedBlob(client, workspaceId, replicas[0]!, content);

  // Step 1 of collection: the unreferenced blob is picked.
  const picked = await sql<{ storage_key: string }[]>`
    select storage_key from public.service_collect_blobs(interval '0 seconds')
    where owner_id = ${id}`;
  assert.deepEqual(picked.map((row) => row.storage_key), [`${id}/${sha.slice(0, 2)}/${sha}`]);
  // Between the steps, a client commits the same content the way agents dedup: negotiate, upload
  // only what is not present, commit by hash.
  const during = await negotiatedCommit(client, workspaceId, replicas[0]!, "new.txt", content);
  // Step 2: the objects go through Storage. Step 3: the rows are settled.
  await storeOf(client).remove(picked.map((row) => row.storage_key));
  const [finish] = await sql`select to_regproc('public.service_finish_collect') as f`;
  if (finish?.f) await sql`select public.service_finish_collect(${id}, ${[sha]})`;

  if (during.status !== 200) {
    assert.equal(during.status, 409, JSON.stringify(during.body));
    assert.equal(during.body.code, "blob_missing");
    const again = await negotiatedCommit(client, workspaceId, replicas[0]!, "new.txt", content);
    assert.equal(again.status, 200, JSON.stringify(again.body));
  }
  const current = await manifest(client, workspaceId);
  assert.equal(current.status, 200, JSON.stringify(current.body));
  const entry = current.body.files.find((file) => file.path === "new.txt")!;
  assert.ok(entry.url, JSON.stringify(entry));
  assert.equal(await downloadHash(entry.url), sha, "the committed bytes are there");
  const [row] =
    await sql`select state from sandsync.blobs where owner_id = ${id} and sha256 = ${sha}`;
  assert.equal(row?.state, "stored");
});

Deno.test("negotiate asks for a fresh upload of a blob being collected", async () => {
  const { id, client } = await newUser("collect-negotiate");
  const { workspaceId, replicas } = await newWorkspace(client);
  const content = "negotiated again\n";
  const sha = await orphanedBlob(client, workspaceId, replicas[0]!, content);
  await sql`select * from public.service_collect_blobs(interval '0 seconds', ${id}::uuid)`;
  const answer = await client.call<{ uploads: { sha256: string }[]; present: string[] }>(
    "POST",
    "sync/negotiate",
    {
      workspaceId,
      replicaId: replicas[0],
      changes: [{
        path: "n.txt",
        sha256: sha,
        size: content.length,
        mode: 420,
        mtime: Date.now(),
        base: null,
      }],
    },
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body.present, [], "a collecting blob is not present");
  assert.equal(answer.body.uploads.length, 1);
});

Deno.test("one missing object leaves the manifest and changes pages flowing", async () => {
  const { id, client } = await newUser("collect-feed");
  const { workspaceId, replicas } = await newWorkspace(client);
  // Two commits: two objects (each commit's small files rest in a pack of their own).
  for (
    const [path, content] of [
      ["gone.txt", "these bytes will vanish\n"],
      ["kept.txt", "these stay\n"],
    ] as const
  ) {
    const committed = await client.call(
      "POST",
      "sync/commit",
      inlineCommit(workspaceId, replicas[0]!, [{ path, content }]),
    );
    assert.equal(committed.status, 200, JSON.stringify(committed.body));
  }
  const gone = sha256Hex(new TextEncoder().encode("these bytes will vanish\n"));
  const holder = await blobObject(sql, { workspaceId, owner: id, sha256: gone });
  await storeOf(client).remove([holder.key]);

  const current = await manifest(client, workspaceId);
  assert.equal(current.status, 200, JSON.stringify(current.body));
  const byPath = new Map(current.body.files.map((file) => [file.path, file]));
  assert.equal(byPath.get("gone.txt")?.error?.code, "blob_missing");
  assert.equal(byPath.get("gone.txt")?.url, undefined);
  assert.ok(byPath.get("kept.txt")?.url);
  const changes = await client.call<{ changes: Entry[] }>(
    "GET",
    `sync/changes?workspaceId=${workspaceId}&cursor=0`,
  );
  assert.equal(changes.status, 200, JSON.stringify(changes.body));
  assert.equal(
    changes.body.changes.find((e) => e.path === "gone.txt")?.error?.code,
    "blob_missing",
  );
  assert.ok(changes.body.changes.find((e) => e.path === "kept.txt")?.url);
});

Deno.test("deleting a workspace collects only its owner's blobs, past the grace", async () => {
  const other = await newUser("collect-bystander");
  const otherWs = await newWorkspace(other.client);
  const otherSha = await orphanedBlob(
    other.client,
    otherWs.workspaceId,
    otherWs.replicas[0]!,
    "b\n",
  );
  const { id, client } = await newUser("collect-deleter");
  const { workspaceId, replicas } = await newWorkspace(client);
  const young = await commitText(client, workspaceId, replicas[0]!, "young.txt", "young\n", null);
  assert.equal(young.status, 200);
  const deleted = await client.call("DELETE", `workspaces/${workspaceId}`);
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
  const [kept] = await sql`select state from sandsync.blobs
    where owner_id = ${other.id} and sha256 = ${otherSha}`;
  assert.equal(kept?.state, "stored", "another owner's blob row is untouched");
  const youngSha = sha256Hex(new TextEncoder().encode("young\n"));
  const [mine] = await sql`select count(*)::int as n from sandsync.blobs
    where owner_id = ${id} and sha256 = ${youngSha}`;
  assert.equal(mine?.n, 1, "a blob younger than the grace stays until housekeeping");
  // Its bytes rested in the deleted workspace's own pack, which nothing else can use: gone.
  const [packs] = await sql`select count(*)::int as n from storage.objects
    where bucket_id = 'sandsync' and name like ${`${id}/packs/${workspaceId}/%`}`;
  assert.equal(packs?.n, 0, "the deleted workspace's packs are removed with it");
});

Deno.test("housekeeping removes stray objects under an owner's prefix", async () => {
  const { id, client } = await newUser("collect-stray");
  const store = storeOf(client);
  await store.put(`${id}/notes/readme.txt`, new TextEncoder().encode("not a blob\n"));
  await sql`update storage.objects set created_at = now() - interval '2 hours'
    where bucket_id = 'sandsync' and name = ${`${id}/notes/readme.txt`}`;
  const service = new ApiClient(client.env, client.env.serviceRoleKey);
  const run = await service.call<{ strayObjects: number }>("POST", "housekeeping", {
    graceSeconds: 60,
  });
  assert.equal(run.status, 200, JSON.stringify(run.body));
  const [left] = await sql`select count(*)::int as n from storage.objects
    where bucket_id = 'sandsync' and name like ${id + "/%"}`;
  assert.equal(left?.n, 0, "the stray object is removed");
  const [quota] =
    await sql`select used_bytes::int as n from sandsync.quotas where owner_id = ${id}`;
  assert.equal(quota?.n ?? 0, 0, "and its bytes leave the quota");
});

Deno.test("housekeeping with grace 0 beside dedup-heavy commits and reverts loses no bytes", async () => {
  const { client } = await newUser("collect-random");
  const { workspaceId, replicas } = await newWorkspace(client);
  await sql`update sandsync.workspaces set retention_versions = 1 where id = ${workspaceId}`;
  const service = new ApiClient(client.env, client.env.serviceRoleKey);
  const seed = Number(Deno.env.get("SANDSYNC_COLLECT_SEED") ?? Date.now() % 100000);
  console.log(`collect randomized seed ${seed} (SANDSYNC_COLLECT_SEED to replay)`);
  let state = seed;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const pool = ["alpha\n", "beta\n", "gamma\n", "delta\n"];
  const vectors = new Map<string, Record<string, number> | null>();
  let stop = false;
  let runs = 0;
  const housekeeping = (async () => {
    while (!stop) {
      const run = await service.call("POST", "housekeeping", { graceSeconds: 0 });
      assert.equal(run.status, 200, JSON.stringify(run.body));
      runs++;
    }
  })();
  let commits = 0;
  try {
    for (let i = 0; i < 80; i++) {
      const path = `f${random(3)}.txt`;
      // Mostly content another version already had (dedup, reverts), sometimes a delete.
      const content = random(6) === 0 ? null : pool[random(pool.length)]!;
      const base = vectors.get(path) ?? null;
      let answer = content === null
        ? await commitText(client, workspaceId, replicas[0]!, path, null, base)
        : await negotiatedCommit(client, workspaceId, replicas[0]!, path, content, base);
      // Bytes being collected are refused (409 blob_missing); the client negotiates again.
      for (let retry = 0; answer.status === 409 && retry < 50; retry++) {
        assert.equal(answer.body.code, "blob_missing", JSON.stringify(answer.body));
        await new Promise((resolve) => setTimeout(resolve, 50));
        answer = await negotiatedCommit(client, workspaceId, replicas[0]!, path, content!, base);
      }
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      vectors.set(path, (answer.body.items as { vector: Record<string, number> }[])[0]!.vector);
      commits++;
    }
  } finally {
    stop = true;
    await housekeeping;
  }
  assert.ok(runs > 1, `housekeeping ran ${runs} times`);
  // Every version the workspace still holds has its bytes, hashing to its sha256.
  const versions = await sql<{ sha256: string; owner_id: string }[]>`
    select distinct sha256, owner_id from sandsync.versions
    where workspace_id = ${workspaceId} and sha256 is not null`;
  const store = storeOf(client);
  for (const version of versions) {
    const digest = await blobDigest(sql, store, {
      workspaceId,
      owner: version.owner_id,
      sha256: version.sha256,
    });
    assert.equal(digest?.sha256, version.sha256, `bytes of ${version.sha256} (seed ${seed})`);
  }
  const current = await manifest(client, workspaceId);
  assert.equal(current.status, 200, JSON.stringify(current.body));
  for (const file of current.body.files) {
    assert.ok(file.url, JSON.stringify(file));
    assert.equal(await downloadHash(file.url), file.sha256);
  }
  console.log(`collect randomized: ${commits} commits beside ${runs} housekeeping runs`);
});

Deno.test({
  name: "close the collect test pool",
  fn: () => sql.end(),
  sanitizeResources: false,
  sanitizeOps: false,
});
