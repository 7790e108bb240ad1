/**
 * How supabase/storage v1.70 answers requests by their token, route by route: the
 * `authorization` header schema (`http/schemas/auth.ts`, `routes-helper.ts`) is checked before
 * the JWT (`http/plugins/jwt.ts`, jose's messages); `GET /object/{bucket}/*` takes an invalid
 * JWT as anonymous (`allowInvalidJwt`); `POST /bucket/{id}/empty` is service role only
 * (`enforceJwtRole`); `GET /status` needs nothing (`app.ts`).
 */
import assert from "node:assert/strict";
import { signJwt } from "../../local_stack/jwt.ts";
import { env, makeBucket, newUser, service } from "./support.ts";

function raw(path: string, init: RequestInit = {}) {
  return fetch(`${env.apiUrl}/storage/v1${path}`, init);
}

const MISSING = {
  statusCode: "400",
  code: "InvalidRequest",
  error: "Error",
  message: "headers must have required property 'authorization'",
};

const denied = (message: string) => ({
  statusCode: "403",
  code: "AccessDenied",
  error: "Unauthorized",
  message,
});

function unsigned(claims: Record<string, unknown>): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

Deno.test("routes with the authorization header schema: 400 without it, 403 inside for a bad JWT", async () => {
  const later = Math.floor(Date.now() / 1000) + 600;
  const expired = await signJwt(
    { role: "anon", exp: Math.floor(Date.now() / 1000) - 10 },
    env.jwtSecret,
  );
  const forged = await signJwt({ role: "service_role", exp: later }, `${env.jwtSecret}-forged`);
  const cases: [HeadersInit, unknown][] = [
    [{}, MISSING],
    [{ apikey: env.serviceRoleKey }, MISSING],
    [{ authorization: `Basic ${btoa("a:b")}` }, denied("Invalid Compact JWS")],
    [{ authorization: "Bearer garbage" }, denied("Invalid Compact JWS")],
    [{ authorization: `Bearer ${expired}` }, denied('"exp" claim timestamp check failed')],
    [{ authorization: `Bearer ${forged}` }, denied("signature verification failed")],
    [
      { authorization: `Bearer ${unsigned({ role: "service_role", exp: later })}` },
      denied('"alg" (Algorithm) Header Parameter value not allowed'),
    ],
  ];
  for (const path of ["/bucket", `/object/authenticated/sync/x.txt`]) {
    for (const [headers, body] of cases) {
      const response = await raw(path, { headers });
      assert.equal(response.status, 400, `${path} ${JSON.stringify(headers)}`);
      assert.deepEqual(await response.json(), body, `${path} ${JSON.stringify(headers)}`);
    }
  }
  const lowercase = await raw("/bucket", {
    headers: { authorization: `bearer ${env.serviceRoleKey}` },
  });
  assert.equal(lowercase.status, 200, "the Bearer prefix is matched in any case");
  await lowercase.body?.cancel();
});

Deno.test("a token for a role the API does not serve is refused with 403 inside, never a 500", async () => {
  const later = Math.floor(Date.now() / 1000) + 600;
  for (const role of ["postgres", "hacker", "supabase_storage_admin"]) {
    const token = await signJwt({ role, exp: later }, env.jwtSecret);
    const response = await raw("/bucket", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 400, role);
    assert.equal((await response.json()).statusCode, "403", role);
  }
});

Deno.test("POST /bucket/{id}/empty: service role only, HTTP 403 Invalid role for others", async () => {
  const bucket = await makeBucket("empty-role");
  await service.storage.from(bucket).upload("a.txt", new Blob(["a"]));
  const user = await newUser("empty-role");
  for (const token of [user.accessToken, env.anonKey]) {
    const response = await raw(`/bucket/${bucket}/empty`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 403);
    assert.deepEqual(await response.json(), denied("Access denied: Invalid role"));
  }
  const noHeader = await raw(`/bucket/${bucket}/empty`, { method: "POST" });
  assert.deepEqual(await noHeader.json(), MISSING);
  const { data, error } = await service.storage.emptyBucket(bucket);
  assert.equal(error, null);
  assert.deepEqual(data, {
    message: "Empty bucket has been queued. Completion may take up to an hour.",
  });
  assert.deepEqual((await service.storage.from(bucket).list()).data, []);
});

Deno.test("GET /status answers 200 with an empty body and no token; unknown routes a REST 404", async () => {
  const status = await raw("/status");
  assert.equal(status.status, 200);
  assert.equal(await status.text(), "");
  const unknown = await raw("/object?x=1", { headers: { authorization: `Bearer ${env.anonKey}` } });
  assert.equal(unknown.status, 404);
  assert.deepEqual(await unknown.json(), {
    statusCode: "404",
    code: "InvalidRequest",
    error: "Not Found",
    message: "Route GET:/object?x=1 not found",
  });
});

Deno.test("a body whose Content-Type is not type/subtype is 415 inside, before any auth", async () => {
  for (const contentType of ["undefined", "thisisnotarealmimetype", ""]) {
    const response = await raw("/bucket", {
      method: "POST",
      headers: { "content-type": contentType },
      body: "{}",
    });
    assert.equal(response.status, 400, JSON.stringify(contentType));
    assert.deepEqual(await response.json(), {
      statusCode: "415",
      code: "InvalidMimeType",
      error: "invalid_mime_type",
      message: "Invalid Content-Type header",
    });
  }
});
