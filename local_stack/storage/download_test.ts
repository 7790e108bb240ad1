import assert from "node:assert/strict";
import { assetHeaders, parseRange } from "./download.ts";
import { ERRORS } from "./errors.ts";

Deno.test("parseRange() reads open, closed and suffix ranges clamped to the size", () => {
  assert.equal(parseRange(null, 10), undefined);
  assert.deepEqual(parseRange("bytes=2-5", 10), { start: 2, end: 5 });
  assert.deepEqual(parseRange("bytes=7-", 10), { start: 7, end: 9 });
  assert.deepEqual(parseRange("bytes=-3", 10), { start: 7, end: 9 });
  assert.deepEqual(parseRange("bytes=5-100", 10), { start: 5, end: 9 });
});

Deno.test("parseRange() refuses malformed and unsatisfiable ranges with InvalidRange", () => {
  for (
    const header of ["bytes=5-2", "bytes=10-", "items=1-2", "bytes=-", "bytes=1-2,4-5", "bytes=-0"]
  ) {
    assert.throws(
      () => parseRange(header, 10),
      { code: "InvalidRange", httpStatusCode: 416, userStatusCode: 416 },
      header,
    );
  }
  assert.throws(() => parseRange("bytes=0-", 0), { code: "InvalidRange" }, "an empty object");
});

Deno.test("assetHeaders() writes the renderer's headers, and never undefined values", () => {
  const row = {
    id: "i",
    bucket_id: "b",
    name: "a.html",
    owner: null,
    owner_id: null,
    version: "v",
    metadata: {
      eTag: '"e"',
      size: 3,
      mimetype: "text/html",
      cacheControl: "max-age=undefined",
      lastModified: "2026-01-02T03:04:05.000Z",
      contentLength: 3,
      httpStatusCode: 200,
    },
    user_metadata: {},
    created_at: new Date(),
    updated_at: new Date(),
    last_accessed_at: new Date(),
  };
  const get = (init: HeadersInit, query = "") =>
    assetHeaders(row, new Request(`http://h/x${query}`, { headers: init }));
  const plain = get({});
  assert.equal(plain.get("content-type"), "text/plain");
  assert.equal(plain.get("cache-control"), "no-cache");
  assert.equal(plain.get("x-robots-tag"), "none");
  assert.equal(plain.get("last-modified"), "Fri, 02 Jan 2026 03:04:05 GMT");
  assert.equal(
    get({ "if-none-match": '"old"' }).get("cache-control"),
    "no-cache, stale-while-revalidate=30",
  );
  assert.equal(get({}, "?download").get("content-disposition"), "attachment;");
  assert.equal(
    get({}, "?download=a%20b.txt").get("content-disposition"),
    "attachment; filename=a%20b.txt; filename*=UTF-8''a%20b.txt",
  );
});

Deno.test("StorageError.render() gives Supabase's body; REST answers 400 except for 500s", () => {
  const notFound = ERRORS.noSuchKey("a.txt");
  assert.deepEqual(notFound.render(), {
    statusCode: "404",
    code: "NoSuchKey",
    error: "not_found",
    message: "Object not found",
  });
  assert.equal(notFound.userStatusCode, 400);
  assert.equal(ERRORS.databaseError("x").userStatusCode, 500);
  assert.equal(ERRORS.accessDenied("no").render().error, "Unauthorized");
});
