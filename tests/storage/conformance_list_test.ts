/**
 * Listings as supabase/storage v1.70 answers them: `POST /object/list-v2/{bucket}`
 * (`routes/object/listObjectsV2.ts`, `Storage.listObjectsV2`, migration 0050's `search_v2`)
 * and the v1 `POST /object/list/{bucket}` (`storage.search` of migration 0050).
 */
import assert from "node:assert/strict";
import { env, makeBucket, objectRows, service, storageFetch } from "./support.ts";

const KEYS = ["p/alpha.txt", "p/bravo.txt", "p/nested/charlie.txt", "p/zulu.txt", "p/nested-a.txt"];

async function bucketWith(label: string, keys = KEYS): Promise<string> {
  const bucket = await makeBucket(label);
  for (const key of keys) {
    const { error } = await service.storage.from(bucket).upload(key, new Blob([key]));
    assert.equal(error, null, key);
  }
  return bucket;
}

Deno.test("listV2() pages objects with hasNext and an opaque cursor", async () => {
  const bucket = await bucketWith("lv2-page");
  const files = service.storage.from(bucket);
  const sortBy = { column: "name", order: "asc" } as const;
  const first = await files.listV2({ prefix: "p/", limit: 2, sortBy });
  assert.equal(first.error, null);
  assert.deepEqual(first.data?.objects.map((entry) => entry.name), ["p/alpha.txt", "p/bravo.txt"]);
  assert.deepEqual(first.data?.folders, []);
  assert.equal(first.data?.hasNext, true);
  assert.ok(first.data?.nextCursor);
  const object = first.data.objects[0]!;
  assert.deepEqual(Object.keys(object).sort(), [
    "created_at",
    "id",
    "last_accessed_at",
    "metadata",
    "name",
    "updated_at",
  ]);
  assert.equal((object.metadata as { size?: number } | null)?.size, "p/alpha.txt".length);

  const rest = await files.listV2({
    prefix: "p/",
    limit: 10,
    sortBy,
    cursor: first.data.nextCursor,
  });
  assert.deepEqual(rest.data?.objects.map((entry) => entry.name), [
    "p/nested-a.txt",
    "p/nested/charlie.txt",
    "p/zulu.txt",
  ]);
  assert.equal(rest.data?.hasNext, false);
  assert.equal("nextCursor" in (rest.data ?? {}), false, "no nextCursor on the last page");

  const descending = await files.listV2({
    prefix: "p/",
    limit: 1,
    sortBy: { column: "name", order: "desc" },
  });
  assert.deepEqual(descending.data?.objects.map((entry) => entry.name), ["p/zulu.txt"]);
});

Deno.test("listV2() with_delimiter gives folders (name with /, nulls) where their prefix sorts", async () => {
  const bucket = await bucketWith("lv2-delim");
  const files = service.storage.from(bucket);
  const all = await files.listV2({ prefix: "p/", with_delimiter: true });
  assert.deepEqual(all.data?.objects.map((entry) => entry.name), [
    "p/alpha.txt",
    "p/bravo.txt",
    "p/nested-a.txt",
    "p/zulu.txt",
  ]);
  assert.deepEqual(all.data?.folders, [{
    key: "nested",
    name: "p/nested/",
    id: null,
    updated_at: null,
    created_at: null,
    last_accessed_at: null,
    metadata: null,
  }]);
  assert.equal((all.data?.objects[0] as { key?: string }).key, "alpha.txt");

  // Page by page, the folder takes its place after p/nested-a.txt ("-" sorts before "/").
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await files.listV2({ prefix: "p/", with_delimiter: true, limit: 2, cursor });
    assert.equal(page.error, null);
    seen.push(...page.data!.objects.map((o) => o.name), ...page.data!.folders.map((f) => f.name));
    cursor = page.data!.hasNext ? page.data!.nextCursor : undefined;
  } while (cursor);
  assert.deepEqual(seen.sort(), [
    "p/alpha.txt",
    "p/bravo.txt",
    "p/nested-a.txt",
    "p/nested/",
    "p/zulu.txt",
  ]);
});

Deno.test("list-v2 is never an upload, refuses bad bodies with 400, and a bucket cannot be named list-v2", async () => {
  const bucket = await bucketWith("lv2-route", ["a.txt"]);
  const response = await storageFetch(`/object/list-v2/${bucket}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ prefix: "" }),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    hasNext: false,
    folders: [],
    objects: [(await service.storage.from(bucket).listV2()).data!.objects[0]],
  });
  assert.deepEqual((await objectRows(bucket)).map((row) => row.name), ["a.txt"]);

  for (const id of ["list-v2", "list", "sign", "public"]) {
    const { error } = await service.storage.createBucket(id);
    assert.equal(error?.statusCode, "400", id);
    assert.equal((error as { code?: string }).code, "InvalidBucketName");
  }

  const badCursor = await service.storage.from(bucket).listV2({ cursor: btoa("nonsense") });
  assert.equal(badCursor.error?.statusCode, "400");
  assert.equal(badCursor.error?.message, "Invalid Parameter continuation token");
  const badLimit = await storageFetch(`/object/list-v2/${bucket}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ limit: 0 }),
  });
  assert.equal(badLimit.status, 400);
  assert.deepEqual(await badLimit.json(), {
    statusCode: "400",
    code: "InvalidRequest",
    error: "Error",
    message: "body/limit must be >= 1",
  });

  // No header schema on this route: a missing token fails JWT verification (AccessDenied).
  const anonymous = await fetch(`${env.apiUrl}/storage/v1/object/list-v2/${bucket}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(anonymous.status, 400);
  assert.deepEqual(await anonymous.json(), {
    statusCode: "403",
    code: "AccessDenied",
    error: "Unauthorized",
    message: "Invalid Compact JWS",
  });
});

Deno.test("list() v1: folders (only a name) and files interleaved in key order", async () => {
  const bucket = await bucketWith("lv1", [...KEYS, "p/Upper/x.txt"]);
  const { data, error } = await service.storage.from(bucket).list("p");
  assert.equal(error, null);
  // Folder names come from lower(name) in the real storage.search, hence "upper".
  assert.deepEqual(data?.map((entry) => entry.name), [
    "alpha.txt",
    "bravo.txt",
    "nested-a.txt",
    "nested",
    "upper",
    "zulu.txt",
  ]);
  const folder = data!.find((entry) => entry.name === "nested")!;
  assert.deepEqual(folder, {
    name: "nested",
    id: null,
    updated_at: null,
    created_at: null,
    last_accessed_at: null,
    metadata: null,
  });
  const file = data!.find((entry) => entry.name === "alpha.txt")!;
  assert.ok(file.id && file.updated_at && file.created_at && file.last_accessed_at);
  assert.equal((file.metadata as { size: number }).size, "p/alpha.txt".length);

  const searched = await service.storage.from(bucket).list("p", { search: "BRA" });
  assert.deepEqual(searched.data?.map((entry) => entry.name), ["bravo.txt"]);
  const paged = await service.storage.from(bucket).list("p", { limit: 2, offset: 3 });
  assert.deepEqual(paged.data?.map((entry) => entry.name), ["nested", "upper"]);
});
