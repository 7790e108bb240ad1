// The sync bucket's edges, as an attacker holding a user JWT reaches them through Storage's HTTP
// API: blob keys only, quota and size limits at TUS creation, typed signed URL tokens, and user
// tokens whose subject is not a uuid. Each refusal is a 4xx and leaves no row behind.
import assert from "node:assert/strict";
import { signJwt } from "../../local_stack/jwt.ts";
import { env, newUser, service, sha256, storageFetch, withSql } from "./support.ts";

const BUCKET = "sandsync";

function tusCreate(token: string, name: string, length: number) {
  return storageFetch("/upload/resumable", {
    method: "POST",
    token,
    headers: {
      "tus-resumable": "1.0.0",
      "upload-length": String(length),
      "upload-metadata": `bucketName ${btoa(BUCKET)},objectName ${btoa(name)}`,
    },
  });
}

function syncObjects(ownerId: string): Promise<number> {
  return withSql(async (sql) => {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from storage.objects
      where bucket_id = 'sandsync' and name like ${ownerId + "/%"}`;
    return row?.n ?? -1;
  });
}

Deno.test("sync bucket: a user may write blob keys under its prefix, nothing else", async () => {
  const user = await newUser("blobkeys");
  const bytes = new TextEncoder().encode("blob bytes\n");
  const sha = await sha256(bytes);
  const files = user.client.storage.from(BUCKET);
  for (const name of [`${user.id}/notes.txt`, `${user.id}/ab/${sha}`, `${user.id}/${sha}`]) {
    const { error } = await files.upload(name, new Blob([bytes]));
    assert.equal((error as { statusCode?: string } | null)?.statusCode, "403", name);
  }
  assert.equal(await syncObjects(user.id), 0);
  const { error } = await files.upload(`${user.id}/${sha.slice(0, 2)}/${sha}`, new Blob([bytes]));
  assert.equal(error, null);
  assert.equal(await syncObjects(user.id), 1);
});

Deno.test("sync bucket: TUS creation over the owner's quota or the bucket limit is refused", async () => {
  const user = await newUser("tusquota");
  await withSql((sql) => sql`select public.service_set_quota_limit(${user.id}, 1000)`);
  const sha = "a".repeat(64);
  const overQuota = await tusCreate(user.accessToken, `${user.id}/aa/${sha}`, 1_000_000);
  assert.equal(overQuota.status, 403, await overQuota.clone().text());
  assert.equal((await overQuota.json()).code, "AccessDenied");
  const fits = await tusCreate(user.accessToken, `${user.id}/aa/${sha}`, 500);
  assert.equal(fits.status, 201, await fits.text());

  const [bucket] = await withSql((sql) =>
    sql<{ limit: string }[]>`select file_size_limit::text as limit from storage.buckets
      where id = 'sandsync'`
  );
  assert.equal(bucket?.limit, String(10 * 1024 ** 3));
  const overLimit = await tusCreate(
    env.serviceRoleKey,
    `${user.id}/bb/${"b".repeat(64)}`,
    10 * 1024 ** 3 + 1,
  );
  assert.equal(overLimit.status, 413);
  assert.equal(await syncObjects(user.id), 0);
});

Deno.test("signed URLs: a download token never uploads, an upload token never downloads", async () => {
  const user = await newUser("typed");
  const bytes = new TextEncoder().encode("typed token\n");
  const sha = await sha256(bytes);
  const name = `${user.id}/${sha.slice(0, 2)}/${sha}`;
  const files = service.storage.from(BUCKET);

  // An upload token, once its object landed, replayed on the download route of that object.
  const upload = await files.createSignedUploadUrl(name);
  const uploadToken = upload.data!.token;
  assert.equal((await files.uploadToSignedUrl(name, uploadToken, new Blob([bytes]))).error, null);
  const get = await storageFetch(`/object/sign/${BUCKET}/${name}?token=${uploadToken}`);
  assert.equal(get.status, 400);
  assert.equal((await get.json()).message, "Token is not scoped for download");

  // A download token, replayed on the upload route of its object once that object is gone.
  const download = await files.createSignedUrl(name, 60);
  const downloadToken = new URL(download.data!.signedUrl).searchParams.get("token")!;
  assert.equal((await files.remove([name])).error, null);
  const put = await storageFetch(`/object/upload/sign/${BUCKET}/${name}?token=${downloadToken}`, {
    method: "PUT",
    body: new Uint8Array([1, 2, 3]),
  });
  assert.equal(put.status, 400);
  // The real server's answer (storage/object.ts verifyObjectSignature).
  assert.deepEqual(await put.json(), {
    statusCode: "400",
    code: "InvalidSignature",
    error: "InvalidSignature",
    message: "Token is not scoped for upload",
  });
  assert.equal(await syncObjects(user.id), 0);
});

Deno.test("Storage: a user JWT whose sub is not a uuid is 403, not 500", async () => {
  const token = await signJwt({
    sub: "github|12345",
    role: "authenticated",
    exp: Math.floor(Date.now() / 1000) + 600,
  }, env.jwtSecret);
  const list = await storageFetch(`/object/list/${BUCKET}`, {
    method: "POST",
    token,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ prefix: "" }),
  });
  assert.equal(list.status, 400, "Storage answers its 4xx statuses as 400 with statusCode inside");
  assert.equal((await list.json()).statusCode, "403");
  const put = await storageFetch(`/object/${BUCKET}/x/aa/${"a".repeat(64)}`, {
    method: "POST",
    token,
    body: new Uint8Array([1]),
  });
  assert.equal((await put.json()).statusCode, "403");
});
