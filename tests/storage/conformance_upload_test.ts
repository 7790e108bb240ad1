/**
 * Uploads as supabase/storage v1.70 answers them: Content-Type checked before anything
 * (Fastify 5's media-type rule, rendered by `http/error-handler.ts`), signed upload tokens
 * verified as `verifyObjectSignature` does (`storage/object.ts`), the signed upload answer
 * `{ Key }` (`routes/object/uploadSignedObject.ts`), key rules (`storage/limits.ts`,
 * `backend/secure-path.ts`) and TUS metadata (`routes/tus/lifecycle.ts`).
 */
import assert from "node:assert/strict";
import {
  env,
  filesUnder,
  makeBucket,
  newFiles,
  objectRows,
  service,
  storageFetch,
} from "./support.ts";

async function signedUpload(bucket: string, name: string) {
  const { data, error } = await service.storage.from(bucket).createSignedUploadUrl(name);
  assert.equal(error, null);
  return { url: data!.signedUrl, token: data!.token };
}

Deno.test("a signed upload with content-type undefined is 415 inside and stores nothing", async () => {
  const bucket = await makeBucket("ct-undefined");
  const { url } = await signedUpload(bucket, "a.bin");
  const before = await filesUnder();
  const response = await fetch(url, {
    method: "PUT",
    headers: { "content-type": "undefined", "cache-control": "max-age=undefined" },
    body: new Uint8Array([1, 2, 3]),
  });
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    statusCode: "415",
    code: "InvalidMimeType",
    error: "invalid_mime_type",
    message: "Invalid Content-Type header",
  });
  assert.deepEqual(await objectRows(bucket), []);
  assert.deepEqual(await newFiles(before), []);
});

Deno.test("a signed upload answers { Key } and never stores max-age=undefined", async () => {
  const bucket = await makeBucket("cc-undefined");
  const { url, token } = await signedUpload(bucket, "d/a.bin");
  const response = await fetch(url, {
    method: "PUT",
    headers: { "content-type": "application/octet-stream", "cache-control": "max-age=undefined" },
    body: new Uint8Array([1, 2, 3]),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { Key: `${bucket}/d/a.bin` });
  const [row] = await objectRows(bucket);
  assert.equal(row?.metadata.cacheControl, "no-cache");
  assert.equal(row?.metadata.mimetype, "application/octet-stream");
  const download = await storageFetch(`/object/authenticated/${bucket}/d/a.bin`);
  assert.equal(download.headers.get("cache-control"), "no-cache");
  await download.body?.cancel();

  // supabase-js's own call: the path back, from the answer's Key.
  const again = await signedUpload(bucket, "d/b.bin");
  const sent = await service.storage.from(bucket).uploadToSignedUrl(
    "d/b.bin",
    again.token,
    new Blob(["b"]),
  );
  assert.equal(sent.error, null);
  assert.equal(sent.data?.fullPath, `${bucket}/d/b.bin`);

  // A token whose signature was tampered with: 400 InvalidJWT, as on the real server.
  const tampered = token.slice(0, -2) + (token.endsWith("AA") ? "BB" : "AA");
  const refused = await storageFetch(`/object/upload/sign/${bucket}/d/a.bin?token=${tampered}`, {
    method: "PUT",
    headers: { "content-type": "text/plain" },
    body: "x",
  });
  assert.equal(refused.status, 400);
  assert.deepEqual(await refused.json(), {
    statusCode: "400",
    code: "InvalidJWT",
    error: "InvalidJWT",
    message: "signature verification failed",
  });
  const missing = await fetch(`${env.apiUrl}/storage/v1/object/upload/sign/${bucket}/d/a.bin`, {
    method: "PUT",
    body: "x",
  });
  assert.equal((await missing.json()).message, "querystring must have required property 'token'");
});

Deno.test("keys: 1,024 bytes are kept, 1,025 and dot segments are 400 InvalidKey, never 500", async () => {
  const bucket = await makeBucket("keylen");
  const longest = `${"k".repeat(300)}/${"x".repeat(1024 - 301)}`;
  assert.equal(longest.length, 1024);
  const ok = await service.storage.from(bucket).upload(longest, new Blob(["1"]));
  assert.equal(ok.error, null);
  const back = await service.storage.from(bucket).download(longest);
  assert.equal(await back.data?.text(), "1");
  const empties = await storageFetch(`/object/${bucket}/a//b.txt`, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: "e",
  });
  assert.equal(empties.status, 200, "empty segments are kept, as on the real server");
  assert.deepEqual(await empties.json(), {
    Id: (await objectRows(bucket)).find((row) => row.name === "a//b.txt")?.id,
    Key: `${bucket}/a//b.txt`,
  });

  for (const key of [`${longest}y`, "a/./b", "a/../b", "../x"]) {
    // Slashes and dots encoded, so no URL parser resolves the dot segments on the way.
    const encoded = encodeURIComponent(key).replace(/\./g, "%2E");
    const response = await storageFetch(`/object/${bucket}/${encoded}`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    assert.equal(response.status, 400, key.slice(0, 20));
    const body = await response.json();
    assert.equal(typeof body.statusCode, "string");
    assert.equal(body.statusCode, "400");
    assert.equal(body.code, "InvalidKey");
  }
});

Deno.test("TUS: info after a resumable upload; a duplicate with x-upsert: true succeeds", async () => {
  const bucket = await makeBucket("tus-info");
  const endpoint = `${env.apiUrl}/storage/v1/upload/resumable`;
  const metadata = (fields: Record<string, string>) =>
    Object.entries(fields).map(([key, value]) => `${key} ${btoa(value)}`).join(",");
  const send = async (bytes: Uint8Array, upsert: boolean) => {
    const created = await fetch(endpoint, {
      method: "POST",
      headers: {
        authorization: `Bearer ${env.serviceRoleKey}`,
        "tus-resumable": "1.0.0",
        "upload-length": String(bytes.byteLength),
        "x-upsert": String(upsert),
        "upload-metadata": metadata({
          bucketName: bucket,
          objectName: "t/a.txt",
          contentType: "text/plain",
          cacheControl: "3600",
          metadata: JSON.stringify({ source: "tus" }),
        }),
      },
    });
    await created.body?.cancel();
    if (created.status !== 201) return created.status;
    const patched = await fetch(created.headers.get("location")!, {
      method: "PATCH",
      headers: {
        authorization: `Bearer ${env.serviceRoleKey}`,
        "tus-resumable": "1.0.0",
        "upload-offset": "0",
        "content-type": "application/offset+octet-stream",
      },
      body: bytes as Uint8Array<ArrayBuffer>,
    });
    await patched.body?.cancel();
    return patched.status;
  };
  assert.equal(await send(new TextEncoder().encode("first"), false), 204);
  const info = await storageFetch(`/object/info/${bucket}/t/a.txt`);
  assert.equal(info.status, 200);
  assert.equal(info.headers.get("cache-control"), "max-age=3600");
  assert.match(info.headers.get("etag") ?? "", /^"[0-9a-f]{32}"$/);
  assert.ok(info.headers.get("last-modified"));
  const body = await info.json();
  assert.equal(body.content_type, "text/plain");
  assert.equal(body.size, 5);
  assert.deepEqual(body.metadata, { source: "tus" });

  assert.equal(await send(new TextEncoder().encode("duplicate"), false), 409);
  assert.equal(await send(new TextEncoder().encode("second!"), true), 204);
  const after = await service.storage.from(bucket).download("t/a.txt");
  assert.equal(await after.data?.text(), "second!");
  assert.equal((await objectRows(bucket)).length, 1);
});
