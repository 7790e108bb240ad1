/**
 * Bucket answers as supabase/storage v1.70 gives them: `GET /bucket/{id}` selects
 * `id, name, owner, public, created_at, updated_at, file_size_limit, allowed_mime_types` and
 * serializes through `bucketSchema` (`owner` a string, no `owner_id`); listings add `type`
 * (`routes/bucket/getBucket.ts`, `getAllBuckets.ts`); a `file_size_limit` above the global
 * limit is EntityTooLarge (`Storage.parseMaxSizeLimit` in `storage/storage.ts`).
 */
import assert from "node:assert/strict";
import { service, storageFetch, uniqueBucket } from "./support.ts";

const FIELDS = [
  "allowed_mime_types",
  "created_at",
  "file_size_limit",
  "id",
  "name",
  "owner",
  "public",
  "updated_at",
];

Deno.test("GET /bucket/{id} has the real fields: owner as a string, no owner_id", async () => {
  const id = uniqueBucket("shape");
  const created = await service.storage.createBucket(id, { public: false, fileSizeLimit: 1000 });
  assert.deepEqual(created.data, { name: id });
  const { data, error } = await service.storage.getBucket(id);
  assert.equal(error, null);
  assert.deepEqual(Object.keys(data!).sort(), FIELDS);
  assert.equal(data?.owner, "", "an ownerless bucket's owner serializes as an empty string");
  assert.equal(data?.file_size_limit, 1000);

  const listed = await storageFetch(`/bucket?search=${id}`);
  const [entry] = await listed.json();
  assert.deepEqual(Object.keys(entry).sort(), [...FIELDS, "type"].sort());
  assert.equal(entry.type, "STANDARD");
});

Deno.test("a bucket file_size_limit above the global limit is 400 with 413 EntityTooLarge", async () => {
  const id = uniqueBucket("too-big");
  const tooBig = await storageFetch("/bucket", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id, name: id, file_size_limit: "100GB" }),
  });
  assert.equal(tooBig.status, 400);
  assert.deepEqual(await tooBig.json(), {
    statusCode: "413",
    code: "EntityTooLarge",
    error: "Payload too large",
    message: "The object exceeded the maximum allowed size",
  });
  assert.equal((await service.storage.getBucket(id)).error?.statusCode, "404");

  await service.storage.createBucket(id, { public: false });
  const update = await service.storage.updateBucket(id, {
    public: false,
    fileSizeLimit: Number.MAX_SAFE_INTEGER,
  });
  assert.equal(update.error?.statusCode, "413");
});
