import assert from "node:assert/strict";
import { signJwt } from "../../local_stack/jwt.ts";
import { createStorageApi } from "../../local_stack/storage/mod.ts";
import {
  client,
  env,
  filesUnder,
  makeBucket,
  newFiles,
  objectRows,
  service,
  storageFetch,
  uniqueBucket,
} from "./support.ts";

interface ErrorBody {
  statusCode: string;
  code: string;
  error: string;
  message: string;
}

/** Runs `attempt` and asserts it left no row in `bucket` and no file in the data dir. */
async function changesNothing(bucket: string, attempt: () => Promise<void>) {
  const rowsBefore = await objectRows(bucket);
  const before = await filesUnder();
  await attempt();
  assert.deepEqual(await objectRows(bucket), rowsBefore, "rows changed");
  assert.deepEqual(await newFiles(before), [], "files were left behind");
}

async function errorOf(response: Response): Promise<ErrorBody> {
  assert.equal(response.status, 400);
  return await response.json();
}

Deno.test("keys with .. segments are refused with 400 InvalidKey", async () => {
  const bucket = await makeBucket("dotdot");
  await service.storage.from(bucket).upload("ok.txt", new Blob(["ok"]));
  await changesNothing(bucket, async () => {
    for (const path of ["a%2F..%2Fb.txt", "..%2Fescape.txt", "%2E%2E%2Fx"]) {
      const body = await errorOf(
        await storageFetch(`/object/${bucket}/${path}`, { method: "POST", body: "x" }),
      );
      assert.equal(body.statusCode, "400");
      assert.equal(body.code, "InvalidKey");
    }
    const copy = await service.storage.from(bucket).copy("ok.txt", "../../etc/passwd");
    assert.equal((copy.error as { code?: string }).code, "InvalidKey");
    const move = await service.storage.from(bucket).move("ok.txt", "a/../../b");
    assert.equal((move.error as { code?: string }).code, "InvalidKey");
  });
});

Deno.test("keys with a NUL byte or characters outside the allowed set are 400 InvalidKey", async () => {
  const bucket = await makeBucket("nul");
  await changesNothing(bucket, async () => {
    for (const path of ["a\0b.txt", "brace{}.txt", "ümlaut.txt", 'quote".txt']) {
      const { error } = await service.storage.from(bucket).upload(path, new Blob(["x"]));
      assert.equal(error?.statusCode, "400", JSON.stringify(path));
      assert.equal((error as { code?: string }).code, "InvalidKey");
    }
  });
});

Deno.test("uploads to an unknown bucket are 404 NoSuchBucket and write nothing", async () => {
  const before = await filesUnder();
  const missing = uniqueBucket("nowhere");
  const { error } = await service.storage.from(missing).upload("a.txt", new Blob(["x"]));
  assert.equal(error?.statusCode, "404");
  assert.equal((error as { code?: string }).code, "NoSuchBucket");
  assert.equal(error?.message, "Bucket not found");
  assert.deepEqual(await objectRows(missing), []);
  assert.deepEqual(await newFiles(before), []);
});

Deno.test("bodies over the bucket's file_size_limit are 413 EntityTooLarge, however they arrive", async () => {
  const bucket = await makeBucket("limit", { fileSizeLimit: 1000 });
  const big = new Uint8Array(1001);
  await changesNothing(bucket, async () => {
    const form = await service.storage.from(bucket).upload("form.bin", new Blob([big]));
    assert.equal(form.error?.statusCode, "413");
    assert.equal((form.error as { code?: string }).code, "EntityTooLarge");

    const raw = await service.storage.from(bucket).upload("raw.bin", big, {
      contentType: "application/octet-stream",
    });
    assert.equal(raw.error?.statusCode, "413");

    // No Content-Length: the limit is enforced while streaming.
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(400));
        controller.close();
      },
    });
    const body = await errorOf(
      await storageFetch(`/object/${bucket}/chunked.bin`, { method: "POST", body: chunked }),
    );
    assert.deepEqual(body, {
      statusCode: "413",
      code: "EntityTooLarge",
      error: "Payload too large",
      message: "The object exceeded the maximum allowed size",
    });
  });
  const fits = await service.storage.from(bucket).upload(
    "fits.bin",
    new Blob([new Uint8Array(1000)]),
  );
  assert.equal(fits.error, null);
});

Deno.test("mime types outside allowed_mime_types are 415 InvalidMimeType", async () => {
  const bucket = await makeBucket("mime", { allowedMimeTypes: ["image/*"] });
  await changesNothing(bucket, async () => {
    const { error } = await service.storage.from(bucket).upload(
      "a.txt",
      new Blob(["x"], { type: "text/plain" }),
    );
    assert.equal(error?.statusCode, "415");
    assert.equal((error as { code?: string }).code, "InvalidMimeType");
  });
  const png = new Blob([new Uint8Array(8)], { type: "image/png" });
  assert.equal((await service.storage.from(bucket).upload("a.png", png)).error, null);
});

Deno.test("bad, forged and expired JWTs are refused with 403 AccessDenied and change nothing", async () => {
  const bucket = await makeBucket("jwt");
  const forged = await signJwt({ role: "service_role" }, `${env.jwtSecret}-not`);
  const expired = await signJwt(
    { role: "service_role", exp: Math.floor(Date.now() / 1000) - 60 },
    env.jwtSecret,
  );
  await changesNothing(bucket, async () => {
    for (const token of ["not-a-jwt", forged, expired]) {
      const { error } = await client(token).storage.from(bucket).upload("a.txt", new Blob(["x"]));
      assert.equal(error?.statusCode, "403");
      assert.equal((error as { status?: number }).status, 400);
      assert.equal((error as { code?: string }).code, "AccessDenied");
    }
    const body = await errorOf(
      await storageFetch(`/object/${bucket}/a.txt`, { method: "POST", body: "x", token: expired }),
    );
    assert.equal(body.error, "Unauthorized");
    assert.match(body.message, /exp/);
  });
});

Deno.test("a correctly signed service-role token without exp is refused (gateway and Storage)", async () => {
  const bucket = await makeBucket("noexp");
  const forever = await signJwt({ role: "service_role" }, env.jwtSecret);
  await changesNothing(bucket, async () => {
    const { error } = await client(forever).storage.from(bucket).upload("a.txt", new Blob(["x"]));
    assert.equal(error?.statusCode, "403");
    assert.equal((error as { code?: string }).code, "AccessDenied");
  });
  const fn = await fetch(`${env.apiUrl}/functions/v1/quota/check`, {
    headers: { authorization: `Bearer ${forever}` },
  });
  assert.equal(fn.status, 401);
  assert.equal((await fn.json()).code, "UNAUTHORIZED_INVALID_JWT");
});

Deno.test("the global upload limit refuses larger bodies (REST 413 in the body, TUS HTTP 413)", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "storage-limit-" });
  const api = await createStorageApi({
    dbUrl: env.dbUrl,
    jwtSecret: env.jwtSecret,
    dataDir,
    fileSizeLimit: 100,
    publicUrl: "http://storage.test",
  });
  try {
    const bucket = await makeBucket("global");
    const auth = { authorization: `Bearer ${env.serviceRoleKey}` };
    const rest = await api.fetch(
      new Request(`http://storage.test/storage/v1/object/${bucket}/a.bin`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/octet-stream" },
        body: new Uint8Array(101),
      }),
    );
    assert.equal(rest.status, 400);
    assert.equal((await rest.json()).statusCode, "413");
    const tus = await api.fetch(
      new Request("http://storage.test/storage/v1/upload/resumable", {
        method: "POST",
        headers: {
          ...auth,
          "tus-resumable": "1.0.0",
          "upload-length": "101",
          "upload-metadata": `bucketName ${btoa(bucket)},objectName ${btoa("a.bin")}`,
        },
      }),
    );
    assert.equal(tus.status, 413);
    await tus.body?.cancel();
    assert.deepEqual(await objectRows(bucket), []);
    const left = [];
    for await (const entry of Deno.readDir(`${dataDir}/objects`)) left.push(entry.name);
    assert.deepEqual(left, []);
  } finally {
    await api.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
