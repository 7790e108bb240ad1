import assert from "node:assert/strict";
import {
  anon,
  env,
  filesUnder,
  makeBucket,
  newFiles,
  objectRows,
  service,
  sha256,
  storageFetch,
} from "./support.ts";

const text = (value: string) => new Blob([value], { type: "text/plain" });

Deno.test("upload() writes a row as Supabase does: metadata, version, no owner for the service role", async () => {
  const bucket = await makeBucket("rows");
  const { data, error } = await service.storage.from(bucket).upload(
    "docs/readme.md",
    text("# hello"),
    { cacheControl: "120" },
  );
  assert.equal(error, null);
  assert.equal(data?.fullPath, `${bucket}/docs/readme.md`);
  assert.match(data?.id ?? "", /^[0-9a-f-]{36}$/);

  const [row] = await objectRows(bucket);
  assert.ok(row);
  assert.equal(row.id, data?.id);
  assert.equal(row.owner_id, null, "the service role's key has no sub");
  assert.match(row.version, /^[0-9a-f-]{36}$/);
  const meta = row.metadata;
  assert.equal(meta.size, 7);
  assert.equal(meta.contentLength, 7);
  assert.equal(meta.mimetype, "text/plain");
  assert.equal(meta.cacheControl, "max-age=120");
  assert.equal(meta.httpStatusCode, 200);
  assert.match(String(meta.eTag), /^"[0-9a-f]{32}"$/);
  assert.ok(!Number.isNaN(Date.parse(String(meta.lastModified))));
});

Deno.test("upload() refuses an existing key with 409 KeyAlreadyExists unless upsert is set", async () => {
  const bucket = await makeBucket("upsert");
  const files = service.storage.from(bucket);
  assert.equal((await files.upload("a.txt", text("one"))).error, null);
  const [before] = await objectRows(bucket);

  const duplicate = await files.upload("a.txt", text("two"));
  assert.equal(duplicate.error?.statusCode, "409");
  assert.equal((duplicate.error as { status?: number }).status, 400);
  assert.equal((duplicate.error as { code?: string }).code, "KeyAlreadyExists");

  const upserted = await files.upload("a.txt", text("three!"), { upsert: true });
  assert.equal(upserted.error, null);
  const [after] = await objectRows(bucket);
  assert.equal(after?.id, before?.id, "an overwrite updates the same row");
  assert.notEqual(after?.version, before?.version, "new bytes get a new version");
  assert.equal(after?.metadata.size, 6);
  const downloaded = await files.download("a.txt");
  assert.equal(await downloaded.data?.text(), "three!");

  const updated = await files.update("a.txt", text("four"));
  assert.equal(updated.error, null);
  assert.equal(await (await files.download("a.txt")).data?.text(), "four");
});

Deno.test("raw bodies upload with their content type and stream back byte for byte", async () => {
  const bucket = await makeBucket("raw");
  const bytes = crypto.getRandomValues(new Uint8Array(50_000));
  const { error } = await service.storage.from(bucket).upload("bin/data.bin", bytes, {
    contentType: "application/octet-stream",
  });
  assert.equal(error, null);
  const { data } = await service.storage.from(bucket).download("bin/data.bin");
  assert.ok(data);
  assert.equal(await sha256(await data.arrayBuffer()), await sha256(bytes));
  assert.equal(data.type, "application/octet-stream");

  const ranged = await storageFetch(`/object/${bucket}/bin/data.bin`, {
    headers: { range: "bytes=10-19" },
  });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.headers.get("content-range"), "bytes 10-19/50000");
  assert.deepEqual(new Uint8Array(await ranged.arrayBuffer()), bytes.subarray(10, 20));

  const authenticated = await storageFetch(`/object/authenticated/${bucket}/bin/data.bin`);
  assert.equal(authenticated.status, 200);
  assert.equal((await authenticated.arrayBuffer()).byteLength, 50_000);

  // A matching ETag answers 304. The apikey header alone is no token (the real server reads
  // Authorization only): this private bucket is then "not found".
  const etag = authenticated.headers.get("etag") ?? "";
  const cached = await storageFetch(`/object/${bucket}/bin/data.bin`, {
    headers: { "if-none-match": etag },
  });
  assert.equal(cached.status, 304);
  await cached.body?.cancel();
  const keyOnly = await fetch(`${env.apiUrl}/storage/v1/object/${bucket}/bin/data.bin`, {
    headers: { apikey: env.serviceRoleKey },
  });
  assert.equal(keyOnly.status, 400);
  assert.equal((await keyOnly.json()).code, "NoSuchBucket");
});

Deno.test("info() and exists() describe an object; a missing one is 404 NoSuchKey", async () => {
  const bucket = await makeBucket("info");
  const files = service.storage.from(bucket);
  await files.upload("x/info.txt", text("12345"), { metadata: { purpose: "test" } });
  const info = await files.info("x/info.txt");
  assert.equal(info.error, null);
  assert.equal(info.data?.name, "x/info.txt");
  assert.equal(info.data?.size, 5);
  assert.equal(info.data?.contentType, "text/plain");
  assert.deepEqual(info.data?.metadata, { purpose: "test" });
  assert.equal((await files.exists("x/info.txt")).data, true);
  assert.equal((await files.exists("x/missing.txt")).data, false);

  const missing = await files.download("x/missing.txt");
  assert.equal(missing.error?.statusCode, "404");
  const body = await (await storageFetch(`/object/info/${bucket}/x/missing.txt`)).json();
  assert.deepEqual(body, {
    statusCode: "404",
    code: "NoSuchKey",
    error: "not_found",
    message: "Object not found",
  });
});

Deno.test("list() interleaves folders and files in name order, with prefix, limit, offset and search", async () => {
  const bucket = await makeBucket("list");
  const files = service.storage.from(bucket);
  for (const name of ["top.txt", "dir/a.txt", "dir/b.txt", "dir/sub/c.txt", "other/d.txt"]) {
    assert.equal((await files.upload(name, text(name))).error, null);
  }
  const root = await files.list();
  assert.deepEqual(root.data?.map((e) => [e.name, e.id === null]), [
    ["dir", true],
    ["other", true],
    ["top.txt", false],
  ]);
  const dir = await files.list("dir", { sortBy: { column: "name", order: "desc" } });
  assert.deepEqual(dir.data?.map((e) => e.name), ["sub", "b.txt", "a.txt"]);
  const file = dir.data?.find((e) => e.name === "a.txt");
  assert.equal(file?.metadata?.size, 9);
  // As the real storage.search: one name order for folders and files (a.txt, b.txt, sub).
  assert.deepEqual((await files.list("dir", { limit: 1, offset: 1 })).data?.map((e) => e.name), [
    "b.txt",
  ]);
  assert.deepEqual((await files.list("dir", { search: "b" })).data?.map((e) => e.name), [
    "b.txt",
  ]);
});

Deno.test("remove() deletes many objects and their bytes; deleting one missing key is NoSuchKey", async () => {
  const bucket = await makeBucket("remove");
  const files = service.storage.from(bucket);
  for (const name of ["a.txt", "b.txt", "c.txt"]) await files.upload(name, text(name));
  const removed = await files.remove(["a.txt", "b.txt", "nope.txt"]);
  assert.equal(removed.error, null);
  assert.deepEqual(removed.data?.map((o) => o.name).sort(), ["a.txt", "b.txt"]);
  assert.deepEqual((await objectRows(bucket)).map((r) => r.name), ["c.txt"]);

  const one = await storageFetch(`/object/${bucket}/c.txt`, { method: "DELETE" });
  assert.deepEqual(await one.json(), { message: "Successfully deleted" });
  const again = await storageFetch(`/object/${bucket}/c.txt`, { method: "DELETE" });
  assert.equal(again.status, 400);
  assert.equal((await again.json()).code, "NoSuchKey");
});

Deno.test("copy() inserts a new row with its own bytes; move() renames the same row", async () => {
  const bucket = await makeBucket("copy");
  const other = await makeBucket("copy-dest");
  const files = service.storage.from(bucket);
  await files.upload("src.txt", text("payload"));
  const copied = await files.copy("src.txt", "copies/dst.txt");
  assert.equal(copied.error, null);
  assert.equal(copied.data?.path, `${bucket}/copies/dst.txt`);
  const rows = await objectRows(bucket);
  assert.equal(rows.length, 2);
  assert.notEqual(rows[0]?.id, rows[1]?.id);
  assert.notEqual(rows[0]?.version, rows[1]?.version);

  const [source] = rows.filter((r) => r.name === "src.txt");
  const moved = await files.move("src.txt", "moved/src.txt");
  assert.equal(moved.error, null);
  const [renamed] = (await objectRows(bucket)).filter((r) => r.name === "moved/src.txt");
  assert.equal(renamed?.id, source?.id, "a move updates the row");
  assert.equal(await (await files.download("moved/src.txt")).data?.text(), "payload");

  const across = await files.move("moved/src.txt", "x.txt", { destinationBucket: other });
  assert.equal(across.error, null);
  assert.equal(await (await service.storage.from(other).download("x.txt")).data?.text(), "payload");

  const taken = await files.copy("copies/dst.txt", "copies/dst.txt");
  assert.equal(taken.error?.statusCode, "409");
  const missing = await files.copy("nothing.txt", "y.txt");
  assert.equal(missing.error?.statusCode, "404");
});

Deno.test("public buckets serve objects without a JWT; private ones do not", async () => {
  const open = await makeBucket("public", { public: true });
  const closed = await makeBucket("private");
  await service.storage.from(open).upload("p.txt", text("public"));
  await service.storage.from(closed).upload("p.txt", text("private"));
  const url = anon.storage.from(open).getPublicUrl("p.txt").data.publicUrl;
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "public");
  const refused = await fetch(`${env.apiUrl}/storage/v1/object/public/${closed}/p.txt`);
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).statusCode, "404");
  const anonRead = await anon.storage.from(closed).download("p.txt");
  assert.equal(anonRead.error?.statusCode, "404", "RLS hides the row from anon");
});

Deno.test("concurrent upserts of one key leave one row and only the winning bytes", async () => {
  const bucket = await makeBucket("race");
  const files = service.storage.from(bucket);
  const before = await filesUnder();
  const results = await Promise.all(
    Array.from(
      { length: 6 },
      (_, i) => files.upload("same.txt", text(`writer ${i}`), { upsert: true }),
    ),
  );
  for (const result of results) assert.equal(result.error, null);
  const rows = await objectRows(bucket);
  assert.equal(rows.length, 1);
  const added = await newFiles(before);
  assert.equal(added.length, 1, "superseded bytes are deleted");
  assert.ok(added[0]?.endsWith(rows[0]?.version ?? "?"));
  assert.match(await (await files.download("same.txt")).data?.text() ?? "", /^writer \d$/);
});

Deno.test("REST routes answer CORS preflights and carry CORS headers", async () => {
  const preflight = await fetch(`${env.apiUrl}/storage/v1/object/any/a.txt`, {
    method: "OPTIONS",
    headers: { origin: "http://app.test", "access-control-request-method": "POST" },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  await preflight.body?.cancel();
  const listed = await storageFetch("/bucket");
  assert.equal(listed.headers.get("access-control-allow-origin"), "*");
  await listed.body?.cancel();
});
