import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as tus from "tus-js-client";
import {
  env,
  filesUnder,
  makeBucket,
  newFiles,
  newUser,
  objectRows,
  randomBytes,
  service,
  sha256,
  storageFetch,
  withSql,
} from "./support.ts";

const ENDPOINT = `${env.apiUrl}/storage/v1/upload/resumable`;
const CHUNK = 6 * 1024 * 1024;

interface TusOptions {
  token?: string;
  upsert?: boolean;
  uploadUrl?: string;
  onChunkComplete?: (upload: tus.Upload) => void;
}

/** Starts a tus-js-client upload as Supabase documents it; resolves with the upload's URL. */
function tusUpload(bucket: string, name: string, bytes: Uint8Array, options: TusOptions = {}) {
  let upload: tus.Upload;
  let resolveStopped: (url: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => resolveStopped = resolve);
  const done = new Promise<string>((resolve, reject) => {
    upload = new tus.Upload(Buffer.from(bytes), {
      endpoint: ENDPOINT,
      uploadUrl: options.uploadUrl,
      retryDelays: [],
      chunkSize: CHUNK,
      uploadDataDuringCreation: false,
      removeFingerprintOnSuccess: true,
      headers: {
        authorization: `Bearer ${options.token ?? env.serviceRoleKey}`,
        "x-upsert": options.upsert ? "true" : "false",
      },
      metadata: {
        bucketName: bucket,
        objectName: name,
        contentType: "application/octet-stream",
        cacheControl: "3600",
      },
      onChunkComplete: () => {
        options.onChunkComplete?.(upload);
        if (options.onChunkComplete) resolveStopped(upload.url ?? "");
      },
      onError: reject,
      onSuccess: () => resolve(upload.url ?? ""),
    });
    upload.start();
  });
  return { done, stopped };
}

function tusStatus(error: unknown): number | undefined {
  return (error as tus.DetailedError).originalResponse?.getStatus();
}

Deno.test("TUS: a 12 MB upload interrupted mid-chunk resumes from the server's offset", async () => {
  const bucket = await makeBucket("tus");
  const bytes = randomBytes(12 * 1024 * 1024);
  const auth = { authorization: `Bearer ${env.serviceRoleKey}`, "tus-resumable": "1.0.0" };

  // 1. tus-js-client sends the first 6 MiB chunk, then the client goes away.
  const first = tusUpload(bucket, "big/file.bin", bytes, {
    onChunkComplete: (upload) => upload.abort(),
  });
  const url = await Promise.race([first.done, first.stopped]);
  assert.ok(url?.startsWith(ENDPOINT), url);
  const offsetOf = async () => {
    const head = await fetch(url, { method: "HEAD", headers: auth });
    assert.equal(head.status, 200);
    return Number(head.headers.get("upload-offset"));
  };
  assert.equal(await offsetOf(), CHUNK);

  // 2. The next chunk's connection breaks after 1 MiB has gone out.
  const broken = new ReadableStream<Uint8Array>({
    async pull(controller) {
      controller.enqueue(bytes.slice(CHUNK, CHUNK + 1024 * 1024));
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.error(new Error("connection lost"));
    },
  });
  await assert.rejects(
    fetch(url, {
      method: "PATCH",
      headers: {
        ...auth,
        "upload-offset": String(CHUNK),
        "content-type": "application/offset+octet-stream",
      },
      body: broken,
    }).then((response) => response.body?.cancel()),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const offset = await offsetOf();
  assert.ok(offset >= CHUNK && offset <= CHUNK + 1024 * 1024, `offset ${offset}`);
  assert.deepEqual(await objectRows(bucket), [], "no row before the upload completes");

  // 3. A new client resumes from the offset the server reports.
  const resumed = tusUpload(bucket, "big/file.bin", bytes, { uploadUrl: url });
  assert.equal(await resumed.done, url);

  const [row] = await objectRows(bucket);
  assert.equal(row?.name, "big/file.bin");
  assert.equal(row?.metadata.size, bytes.length);
  assert.equal(row?.metadata.cacheControl, "max-age=3600");
  const { data } = await service.storage.from(bucket).download("big/file.bin");
  assert.ok(data);
  assert.equal(await sha256(await data.arrayBuffer()), await sha256(bytes));
});

Deno.test("TUS: x-upsert overwrites the same row; without it an existing key is 409", async () => {
  const bucket = await makeBucket("tus-upsert");
  await tusUpload(bucket, "a.bin", new Uint8Array([1, 2, 3])).done;
  const [before] = await objectRows(bucket);
  await assert.rejects(tusUpload(bucket, "a.bin", new Uint8Array([4])).done, (error) => {
    assert.equal(tusStatus(error), 409);
    return true;
  });
  await tusUpload(bucket, "a.bin", new Uint8Array([5, 6]), { upsert: true }).done;
  const [after] = await objectRows(bucket);
  assert.equal(after?.id, before?.id);
  assert.equal(after?.metadata.size, 2);
});

Deno.test("TUS: RLS, bucket limits, unknown buckets and bad JWTs are refused with real statuses", async () => {
  const bucket = await makeBucket("tus-refuse", { fileSizeLimit: 1000 });
  const user = await newUser("tus-user");
  const policy = `${bucket}: users insert in their own folder`;
  await withSql((sql) =>
    sql.unsafe(`create policy "${policy}" on storage.objects for insert to authenticated
      with check (bucket_id = '${bucket}'
        and (storage.foldername(name))[1] = (select auth.uid()::text))`)
  );
  try {
    const before = await filesUnder();
    const create = (token: string, name: string, length: number, target = bucket) =>
      storageFetch("/upload/resumable", {
        method: "POST",
        token,
        headers: {
          "tus-resumable": "1.0.0",
          "upload-length": String(length),
          "upload-metadata": `bucketName ${btoa(target)},objectName ${btoa(name)}`,
        },
      });
    const outside = await create(user.accessToken, "someone-else/x.bin", 10);
    assert.equal(outside.status, 403);
    const body = await outside.json();
    assert.equal(body.code, "AccessDenied");
    assert.match(body.message, /row-level security/);

    const tooBig = await create(user.accessToken, `${user.id}/big.bin`, 1001);
    assert.equal(tooBig.status, 413);
    assert.equal((await tooBig.json()).code, "EntityTooLarge");

    const noBucket = await create(env.serviceRoleKey, "x.bin", 10, `${bucket}-missing`);
    assert.equal(noBucket.status, 404);
    assert.equal((await noBucket.json()).code, "NoSuchBucket");

    const badKey = await create(env.serviceRoleKey, "a/../b.bin", 10);
    assert.equal(badKey.status, 400);
    assert.equal((await badKey.json()).code, "InvalidKey");

    const badJwt = await create("not-a-jwt", `${user.id}/x.bin`, 10);
    assert.equal(badJwt.status, 403);
    await badJwt.body?.cancel();

    await assert.rejects(
      tusUpload(bucket, "elsewhere/x.bin", new Uint8Array(10), { token: user.accessToken }).done,
      (error) => tusStatus(error) === 403,
    );
    assert.deepEqual(await objectRows(bucket), []);
    assert.deepEqual(await newFiles(before), []);

    // Another user may not inspect or continue someone's upload.
    const started = await create(user.accessToken, `${user.id}/ok.bin`, 10);
    assert.equal(started.status, 201);
    const location = started.headers.get("location") ?? "";
    assert.ok(location.startsWith(ENDPOINT));
    const other = await newUser("tus-other");
    const peek = await fetch(location, {
      method: "HEAD",
      headers: { authorization: `Bearer ${other.accessToken}`, "tus-resumable": "1.0.0" },
    });
    assert.equal(peek.status, 403);
    await tusUpload(bucket, `${user.id}/ok.bin`, new Uint8Array(10), {
      token: user.accessToken,
      uploadUrl: location,
    }).done;
    const [row] = await objectRows(bucket);
    assert.equal(row?.owner_id, user.id);
  } finally {
    await withSql((sql) => sql.unsafe(`drop policy "${policy}" on storage.objects`));
  }
});

Deno.test("TUS signed: x-signature uploads exactly the signed object, attributed to its signer", async () => {
  const bucket = await makeBucket("tus-signed");
  const user = await newUser("tus-signer");
  const name = `${user.id}/signed.bin`;
  // The service role signs for the user's object, as Sandsync's negotiate does.
  const { data: ticket, error } = await service.storage.from(bucket).createSignedUploadUrl(name);
  assert.equal(error, null);
  const bytes = randomBytes(7 * 1024 * 1024);
  const signedEndpoint = `${ENDPOINT}/sign`;
  const upload = (objectName: string, signature?: string) =>
    new Promise<string>((resolve, reject) => {
      const task: tus.Upload = new tus.Upload(Buffer.from(bytes), {
        endpoint: signedEndpoint,
        retryDelays: [],
        chunkSize: CHUNK,
        headers: signature ? { "x-signature": signature } : {},
        metadata: { bucketName: bucket, objectName, contentType: "application/octet-stream" },
        onError: reject,
        onSuccess: () => resolve(task.url ?? ""),
      });
      task.start();
    });

  // Missing signature, or a signature for another object: refused, nothing stored.
  await assert.rejects(upload(name), (e) => tusStatus(e) === 400);
  await assert.rejects(upload(`${user.id}/other.bin`, ticket!.token), (e) => tusStatus(e) === 400);
  await assert.rejects(upload(name, "not-a-token"), (e) => tusStatus(e) === 400);
  assert.deepEqual(await objectRows(bucket), []);

  const url = await upload(name, ticket!.token);
  assert.ok(url.startsWith(`${signedEndpoint}/`), url);
  const [row] = await objectRows(bucket);
  assert.equal(row?.name, name);
  // The token's owner is the signer's: here the service role, so no owner (as hosted).
  assert.equal(row?.owner_id, null);
  const { data: blob } = await service.storage.from(bucket).download(name);
  assert.equal(await sha256(await blob!.arrayBuffer()), await sha256(bytes));
});
