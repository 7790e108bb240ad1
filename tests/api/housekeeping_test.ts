// The housekeeping function: service role only; releases expired reservations, prunes history
// beyond a workspace's retention, and collects unreferenced blobs through Storage (quota freed).
import assert from "node:assert/strict";
import { sha256Hex } from "../../shared/hash.ts";
import { connect } from "../db/db_support.ts";
import { ApiClient, inlineCommit, newUser, newWorkspace, SIGNED_PUT_SIZE } from "../support/api.ts";

const sql = connect(2);

interface Report {
  expiredReservations: number;
  prunedVersions: number;
  collectedBlobs: number;
}

Deno.test("housekeeping refuses users and agents, and bad bodies", async () => {
  const { client } = await newUser("hk-user");
  const refused = await client.call<{ code: string }>("POST", "housekeeping", {});
  assert.equal(refused.status, 403);
  assert.equal(refused.body.code, "forbidden");
  const service = new ApiClient(client.env, client.env.serviceRoleKey);
  const bad = await service.call<{ code: string }>("POST", "housekeeping", { graceSeconds: -1 });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, "validation_failed");
});

Deno.test("housekeeping expires reservations, prunes history, collects orphaned bytes", async () => {
  const { id, client } = await newUser("hk");
  const { workspaceId, replicas } = await newWorkspace(client);
  const service = new ApiClient(client.env, client.env.serviceRoleKey);

  // 1. Two blobs negotiated: one never uploaded (its reservation stays, and expires), one
  // uploaded but never committed (the object lands, nothing references it).
  const never = new Uint8Array(SIGNED_PUT_SIZE).fill(9);
  const orphan = new Uint8Array(SIGNED_PUT_SIZE).fill(7);
  const negotiated = await client.call<{ uploads: { method: string; url: string }[] }>(
    "POST",
    "sync/negotiate",
    {
      workspaceId,
      replicaId: replicas[0],
      changes: [orphan, never].map((bytes, i) => ({
        path: `orphan-${i}.bin`,
        sha256: sha256Hex(bytes),
        size: bytes.byteLength,
        mode: 420,
        mtime: Date.now(),
        base: null,
      })),
    },
  );
  assert.equal(negotiated.body.uploads[0]?.method, "signed_url");
  const put = await fetch(negotiated.body.uploads[0]!.url, { method: "PUT", body: orphan });
  assert.ok(put.ok, await put.text());
  await sql`update sandsync.reservations set expires_at = now() - interval '1 minute'
    where owner_id = ${id}`;
  // 3. Three versions of one file in a workspace that keeps one.
  let vector: Record<string, number> | null = null;
  for (const text of ["v1\n", "v2\n", "v3\n"]) {
    const body = inlineCommit(workspaceId, replicas[0]!, [{
      path: "doc.txt",
      content: text,
      base: vector,
    }]);
    const answer: { body: { items: { vector: Record<string, number> }[] } } = await client.call(
      "POST",
      "sync/commit",
      body,
    );
    vector = answer.body.items[0]!.vector;
  }
  await sql`update sandsync.workspaces set retention_versions = 1 where id = ${workspaceId}`;
  const objects = async () =>
    Number(
      (await sql`select count(*) as n from storage.objects
      where bucket_id = 'sandsync' and name like ${id + "/%"}`)[0]?.n,
    );
  const usedBytes = async () =>
    Number(
      (await sql`select used_bytes from sandsync.quotas where owner_id = ${id}`)[0]?.used_bytes,
    );
  assert.equal(await objects(), 4);

  const run = await service.call<Report>("POST", "housekeeping", { graceSeconds: 0 });
  assert.equal(run.status, 200, JSON.stringify(run.body));
  assert.ok(run.body.expiredReservations >= 1);
  assert.ok(run.body.prunedVersions >= 2);
  assert.ok(run.body.collectedBlobs >= 3, JSON.stringify(run.body));
  const [left] = await sql`select count(*)::int as n from sandsync.reservations
    where owner_id = ${id}`;
  assert.equal(left?.n, 0);
  assert.equal(await objects(), 1, "only the current version's bytes stay");
  assert.equal(await usedBytes(), "v3\n".length, "quota counts only what Storage still holds");
  const current = await client.call<{ files: { path: string }[] }>(
    "GET",
    `sync/manifest?workspaceId=${workspaceId}`,
  );
  assert.deepEqual(current.body.files.map((file) => file.path), ["doc.txt"]);

  // An empty body runs with the defaults (a one-hour grace): nothing young is collected.
  const again = await service.call<Report>("POST", "housekeeping");
  assert.equal(again.status, 200);
  assert.equal(await objects(), 1);
});

Deno.test({
  name: "close the housekeeping test pool",
  fn: () => sql.end(),
  sanitizeResources: false,
  sanitizeOps: false,
});
