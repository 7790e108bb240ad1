import assert from "node:assert/strict";
import { anon, env, makeBucket, newUser, objectRows, service, withSql } from "./support.ts";

Deno.test("createSignedUrl() gives a URL anyone can download until it expires", async () => {
  const bucket = await makeBucket("signed");
  const files = service.storage.from(bucket);
  await files.upload("dir/file name.txt", new Blob(["signed bytes"], { type: "text/plain" }));
  const { data, error } = await files.createSignedUrl("dir/file name.txt", 60);
  assert.equal(error, null);
  assert.ok(data?.signedUrl.startsWith(`${env.apiUrl}/storage/v1/object/sign/${bucket}/dir/`));
  const response = await fetch(data.signedUrl);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "signed bytes");

  const tampered = data.signedUrl.replace("file%20name", "other");
  const refused = await fetch(tampered);
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).code, "InvalidSignature");

  const badToken = await fetch(data.signedUrl.replace(/token=[^&]+/, "token=abc"));
  assert.equal(badToken.status, 400);
  assert.deepEqual(await badToken.json(), {
    statusCode: "400",
    code: "InvalidJWT",
    error: "InvalidJWT",
    message: "Invalid Compact JWS",
  });

  const missing = await files.createSignedUrl("dir/none.txt", 60);
  assert.equal(missing.error?.statusCode, "404");

  const asDownload = await files.createSignedUrl("dir/file name.txt", 60, { download: "x.txt" });
  const attachment = await fetch(asDownload.data?.signedUrl ?? "");
  assert.match(attachment.headers.get("content-disposition") ?? "", /attachment; filename=x\.txt/);
  await attachment.body?.cancel();

  const shortLived = await files.createSignedUrl("dir/file name.txt", 1);
  await new Promise((resolve) => setTimeout(resolve, 2100));
  const expired = await fetch(shortLived.data?.signedUrl ?? "");
  assert.equal(expired.status, 400);
  const body = await expired.json();
  assert.equal(body.statusCode, "400");
  assert.equal(body.code, "InvalidJWT");
  assert.match(body.message, /exp/);
});

Deno.test("createSignedUrls() signs many paths and reports the missing ones", async () => {
  const bucket = await makeBucket("signed-many");
  const files = service.storage.from(bucket);
  await files.upload("a.txt", new Blob(["a"]));
  await files.upload("b.txt", new Blob(["b"]));
  const { data, error } = await files.createSignedUrls(["a.txt", "b.txt", "c.txt"], 60);
  assert.equal(error, null);
  assert.equal(data?.length, 3);
  assert.equal(data?.[2]?.error !== null, true);
  assert.equal(data?.[2]?.signedUrl, null);
  for (const entry of data?.slice(0, 2) ?? []) {
    const response = await fetch(entry.signedUrl ?? "");
    assert.equal(await response.text(), entry.path?.slice(0, 1));
  }
});

Deno.test("createSignedUploadUrl() + uploadToSignedUrl() upload as the signer, without a JWT", async () => {
  const bucket = await makeBucket("signed-upload");
  const { data, error } = await service.storage.from(bucket).createSignedUploadUrl("up/x.bin");
  assert.equal(error, null);
  assert.ok(data?.token);
  const uploaded = await anon.storage.from(bucket).uploadToSignedUrl(
    "up/x.bin",
    data.token,
    new Blob(["via signed url"], { type: "application/octet-stream" }),
  );
  assert.equal(uploaded.error, null);
  assert.equal(uploaded.data?.fullPath, `${bucket}/up/x.bin`);
  const [row] = await objectRows(bucket);
  assert.equal(row?.name, "up/x.bin");
  assert.equal(row?.metadata.size, 14);

  const again = await anon.storage.from(bucket).uploadToSignedUrl(
    "up/x.bin",
    data.token,
    new Blob(["twice"]),
  );
  assert.equal(again.error?.statusCode, "409", "without upsert the token cannot overwrite");

  const wrongPath = await anon.storage.from(bucket).uploadToSignedUrl(
    "up/y.bin",
    data.token,
    new Blob(["elsewhere"]),
  );
  assert.equal(wrongPath.error?.statusCode, "400");
  assert.equal((await objectRows(bucket)).length, 1);
});

Deno.test("a signed upload URL signed for a user records that user as owner", async () => {
  const bucket = await makeBucket("signed-owner");
  const user = await newUser("signer");
  // The user may insert into this bucket (policy scoped to the test bucket).
  const policy = `signed owner ${bucket}`;
  await withSql((sql) =>
    sql.unsafe(
      `create policy "${policy}" on storage.objects for insert to authenticated
       with check (bucket_id = '${bucket}')`,
    )
  );
  try {
    // An upsert would also need select and update policies, as on hosted Supabase.
    const upsert = await user.client.storage.from(bucket).createSignedUploadUrl("mine.txt", {
      upsert: true,
    });
    assert.equal(upsert.error?.statusCode, "403");
    const { data, error } = await user.client.storage.from(bucket).createSignedUploadUrl(
      "mine.txt",
    );
    assert.equal(error, null);
    const uploaded = await anon.storage.from(bucket).uploadToSignedUrl(
      "mine.txt",
      data?.token ?? "",
      new Blob(["owned"]),
    );
    assert.equal(uploaded.error, null);
    const [row] = await objectRows(bucket);
    assert.equal(row?.owner_id, user.id);
    assert.equal(row?.owner, user.id);
  } finally {
    await withSql((sql) => sql.unsafe(`drop policy "${policy}" on storage.objects`));
  }
});
