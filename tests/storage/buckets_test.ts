import assert from "node:assert/strict";
import {
  anon,
  newUser,
  objectRows,
  service,
  storageFetch,
  uniqueBucket,
  withSql,
} from "./support.ts";

Deno.test("createBucket() as the service role stores public, file_size_limit and allowed_mime_types", async () => {
  const id = uniqueBucket("create");
  const created = await service.storage.createBucket(id, {
    public: true,
    fileSizeLimit: "1MB",
    allowedMimeTypes: ["image/*", "text/plain"],
  });
  assert.equal(created.error, null);
  assert.deepEqual(created.data, { name: id });

  const { data, error } = await service.storage.getBucket(id);
  assert.equal(error, null);
  assert.equal(data?.id, id);
  assert.equal(data?.public, true);
  assert.equal(data?.file_size_limit, 1_000_000);
  assert.deepEqual(data?.allowed_mime_types, ["image/*", "text/plain"]);

  const listed = await service.storage.listBuckets();
  assert.ok(listed.data?.some((bucket) => bucket.id === id));
  const searched = await service.storage.listBuckets({ search: id, limit: 5 });
  assert.deepEqual(searched.data?.map((bucket) => bucket.id), [id]);

  const duplicate = await service.storage.createBucket(id);
  assert.equal(duplicate.error?.statusCode, "409");
  assert.equal((duplicate.error as { code?: string }).code, "BucketAlreadyExists");
});

Deno.test("updateBucket() changes settings; unknown buckets answer 404 Bucket not found", async () => {
  const id = uniqueBucket("update");
  await service.storage.createBucket(id);
  const updated = await service.storage.updateBucket(id, {
    public: true,
    fileSizeLimit: 1234,
    allowedMimeTypes: ["text/plain"],
  });
  assert.equal(updated.error, null);
  const { data } = await service.storage.getBucket(id);
  assert.equal(data?.public, true);
  assert.equal(data?.file_size_limit, 1234);
  assert.deepEqual(data?.allowed_mime_types, ["text/plain"]);

  const missing = await service.storage.getBucket(uniqueBucket("missing"));
  assert.equal(missing.error?.statusCode, "404");
  assert.equal((missing.error as { code?: string }).code, "NoSuchBucket");
  assert.equal(missing.error?.message, "Bucket not found");
  const response = await storageFetch(`/bucket/${uniqueBucket("missing")}`, { method: "DELETE" });
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    statusCode: "404",
    code: "NoSuchBucket",
    error: "Bucket not found",
    message: "Bucket not found",
  });
});

Deno.test("deleteBucket() refuses a bucket with objects (409) until emptyBucket() removed them", async () => {
  const id = uniqueBucket("empty");
  await service.storage.createBucket(id);
  const files = service.storage.from(id);
  for (const name of ["a.txt", "b/c.txt"]) {
    assert.equal((await files.upload(name, new Blob(["x"]))).error, null);
  }
  const refused = await service.storage.deleteBucket(id);
  assert.equal(refused.error?.statusCode, "409");
  assert.equal((refused.error as { code?: string }).code, "ResourceNotEmpty");

  const emptied = await service.storage.emptyBucket(id);
  assert.equal(emptied.error, null);
  assert.deepEqual(await objectRows(id), []);
  const deleted = await service.storage.deleteBucket(id);
  assert.equal(deleted.error, null);
  const count = await withSql((sql) => sql`select 1 from storage.buckets where id = ${id}`);
  assert.equal(count.length, 0);
});

Deno.test("anon and users cannot create buckets without a policy: 403 AccessDenied from RLS", async () => {
  const user = await newUser("bucket-maker");
  for (const client of [anon, user.client]) {
    const id = uniqueBucket("denied");
    const { error } = await client.storage.createBucket(id);
    assert.equal(error?.statusCode, "403");
    assert.equal((error as { code?: string }).code, "AccessDenied");
    assert.match(error?.message ?? "", /row-level security/);
    const rows = await withSql((sql) => sql`select 1 from storage.buckets where id = ${id}`);
    assert.equal(rows.length, 0);
  }
  const listed = await anon.storage.listBuckets();
  assert.deepEqual(listed.data, [], "RLS hides every bucket from anon");
});
