/**
 * Downloads, HEAD and object info as supabase/storage v1.70 answers them: the renderers
 * (`storage/renderer/renderer.ts`, `head.ts`, `info.ts`), ranges (`storage/range.ts`), the
 * file backend's conditional GET (`storage/backend/file.ts`) and the route flows of
 * `routes/object/getObject.ts` / `getObjectInfo.ts` (bucket before object).
 */
import assert from "node:assert/strict";
import { env, makeBucket, service, storageFetch, uniqueBucket } from "./support.ts";

const BODY = "0123456789";

async function uploaded(label: string, options: { public?: boolean } = {}) {
  const bucket = await makeBucket(label, options);
  const { error } = await service.storage.from(bucket).upload(
    "d/a.txt",
    new Blob([BODY], { type: "text/plain" }),
    {
      cacheControl: "60",
    },
  );
  assert.equal(error, null);
  return bucket;
}

Deno.test("info() of a plain upload: metadata is {}, with ETag, Last-Modified and Cache-Control", async () => {
  const bucket = await uploaded("info-shape");
  const { data, error } = await service.storage.from(bucket).info("d/a.txt");
  assert.equal(error, null);
  assert.deepEqual(data?.metadata, {});
  assert.equal(data?.size, BODY.length);
  assert.equal(data?.contentType, "text/plain");
  assert.equal(data?.cacheControl, "max-age=60");

  const info = await storageFetch(`/object/info/${bucket}/d/a.txt`);
  assert.equal(info.status, 200);
  assert.equal(info.headers.get("content-type"), "application/json");
  assert.match(info.headers.get("etag") ?? "", /^"[0-9a-f]{32}"$/);
  assert.ok(Date.parse(info.headers.get("last-modified") ?? "") > 0);
  assert.equal(info.headers.get("cache-control"), "max-age=60");
  const body = await info.json();
  assert.deepEqual(Object.keys(body).sort(), [
    "bucket_id",
    "cache_control",
    "content_type",
    "created_at",
    "etag",
    "id",
    "last_modified",
    "metadata",
    "name",
    "size",
    "version",
  ]);
  assert.equal(body.etag, info.headers.get("etag"));

  const head = await storageFetch(`/object/info/authenticated/${bucket}/d/a.txt`, {
    method: "HEAD",
  });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("etag"), body.etag);
});

Deno.test("downloads: x-robots-tag none, 304 on a matching ETag, 206 ranges and 416 for bad ones", async () => {
  const bucket = await uploaded("dl-headers");
  const path = `/object/authenticated/${bucket}/d/a.txt`;
  const full = await storageFetch(path);
  assert.equal(full.status, 200);
  assert.equal(await full.text(), BODY);
  assert.equal(full.headers.get("x-robots-tag"), "none");
  assert.equal(full.headers.get("cache-control"), "max-age=60");
  assert.equal(full.headers.get("content-type"), "text/plain");
  assert.equal(full.headers.get("accept-ranges"), "bytes");
  const etag = full.headers.get("etag")!;

  const head = await storageFetch(path, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("etag"), etag);
  assert.equal(head.headers.get("content-length"), String(BODY.length));
  assert.equal(head.headers.get("last-modified"), full.headers.get("last-modified"));
  assert.equal(head.headers.get("x-robots-tag"), "none");

  const cached = await storageFetch(path, { headers: { "if-none-match": etag } });
  assert.equal(cached.status, 304);
  assert.equal(await cached.text(), "");
  const stale = await storageFetch(path, { headers: { "if-none-match": '"other"' } });
  assert.equal(stale.status, 200);
  assert.equal(stale.headers.get("cache-control"), "max-age=60, stale-while-revalidate=30");
  await stale.body?.cancel();

  const ranged = await storageFetch(path, { headers: { range: "bytes=2-4" } });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.headers.get("content-range"), `bytes 2-4/${BODY.length}`);
  assert.equal(ranged.headers.get("content-length"), "3");
  assert.equal(await ranged.text(), "234");
  const suffix = await storageFetch(path, { headers: { range: "bytes=-3" } });
  assert.equal(await suffix.text(), "789");

  for (const range of ["bytes=10-", "bytes=5-2", "bytes=0-1,3-4", "lines=1-2"]) {
    const refused = await storageFetch(path, { headers: { range } });
    assert.equal(refused.status, 416, range);
    assert.deepEqual(await refused.json(), {
      statusCode: "416",
      code: "InvalidRange",
      error: "invalid_range",
      message: "invalid range provided",
    });
  }

  const download = await storageFetch(`${path}?download`);
  assert.equal(download.headers.get("content-disposition"), "attachment;");
  await download.body?.cancel();
});

Deno.test("a missing bucket is NoSuchBucket, a missing object NoSuchKey, on every read route", async () => {
  const bucket = await uploaded("dl-missing");
  const nowhere = uniqueBucket("nowhere");
  for (
    const prefix of [
      "/object/authenticated",
      "/object",
      "/object/info/authenticated",
      "/object/info",
    ]
  ) {
    const noBucket = await storageFetch(`${prefix}/${nowhere}/d/a.txt`);
    assert.equal(noBucket.status, 400, prefix);
    assert.deepEqual(await noBucket.json(), {
      statusCode: "404",
      code: "NoSuchBucket",
      error: "Bucket not found",
      message: "Bucket not found",
    });
    const noKey = await storageFetch(`${prefix}/${bucket}/d/none.txt`);
    assert.equal(noKey.status, 400, prefix);
    assert.deepEqual(await noKey.json(), {
      statusCode: "404",
      code: "NoSuchKey",
      error: "not_found",
      message: "Object not found",
    });
  }
  const head = await storageFetch(`/object/${bucket}/d/none.txt`, { method: "HEAD" });
  assert.equal(head.status, 400);
  assert.equal(await head.text(), "");
});

Deno.test("without a valid JWT only public buckets answer GET /object/{bucket}/*", async () => {
  const privateBucket = await uploaded("dl-private");
  const publicBucket = await uploaded("dl-public", { public: true });
  const raw = (path: string, headers: HeadersInit = {}) =>
    fetch(`${env.apiUrl}/storage/v1${path}`, { headers });
  const attempts: Record<string, string>[] = [
    {},
    { authorization: "Bearer garbage" },
    { apikey: env.anonKey },
  ];
  for (const headers of attempts) {
    const hidden = await raw(`/object/${privateBucket}/d/a.txt`, headers);
    assert.equal(hidden.status, 400);
    assert.equal((await hidden.json()).code, "NoSuchBucket");
    const shown = await raw(`/object/${publicBucket}/d/a.txt`, headers);
    assert.equal(shown.status, 200);
    assert.equal(await shown.text(), BODY);
    const info = await raw(`/object/info/${publicBucket}/d/a.txt`, headers);
    assert.equal((await info.json()).name, "d/a.txt");
  }
  const publicInfo = await raw(`/object/info/public/${publicBucket}/d/a.txt`);
  assert.equal(publicInfo.status, 200);
  assert.deepEqual((await publicInfo.json()).metadata, {});
  const privateInfo = await raw(`/object/info/public/${privateBucket}/d/a.txt`);
  assert.equal((await privateInfo.json()).code, "NoSuchBucket");
});
