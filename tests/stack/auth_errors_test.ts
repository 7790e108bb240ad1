// The Auth API's answers to bad input over raw HTTP, where supabase-js would hide them: GoTrue's
// status, error code and both body shapes (initial and 2024-01-01), never a 5xx; CORS preflight,
// the JWKS, unknown paths and methods.
import assert from "node:assert/strict";
import { signJwt } from "../../local_stack/jwt.ts";
import { authPost, newEmail } from "../support/auth.ts";
import { loadStackEnv } from "../support/stack_env.ts";

const env = loadStackEnv();
const V2024 = { "x-supabase-api-version": "2024-01-01" };
const now = () => Math.floor(Date.now() / 1000);

Deno.test("bad sign-up, sign-in and refresh requests get GoTrue's 4xx codes", async () => {
  const taken = newEmail("taken");
  assert.equal(
    (await authPost(env.apiUrl, "/signup", { email: taken, password: "secret1" })).status,
    200,
  );
  const cases: [string, string, unknown, number, string][] = [
    ["/signup", "no password", { email: newEmail("x") }, 400, "validation_failed"],
    [
      "/signup",
      "short password",
      { email: newEmail("x"), password: "12345" },
      422,
      "weak_password",
    ],
    [
      "/signup",
      "73-byte password",
      { email: newEmail("x"), password: "a".repeat(73) },
      400,
      "validation_failed",
    ],
    [
      "/signup",
      "email and phone",
      { email: newEmail("x"), phone: "+15555550100", password: "secret1" },
      400,
      "validation_failed",
    ],
    [
      "/signup",
      "phone",
      { phone: "+15555550100", password: "secret1" },
      400,
      "phone_provider_disabled",
    ],
    ["/signup", "no address", { password: "secret1" }, 400, "validation_failed"],
    [
      "/signup",
      "not an address",
      { email: "nobody", password: "secret1" },
      400,
      "validation_failed",
    ],
    [
      "/signup",
      "too long an address",
      { email: `${"a".repeat(250)}@b.test`, password: "secret1" },
      400,
      "validation_failed",
    ],
    ["/signup", "taken address", { email: taken, password: "secret1" }, 422, "user_already_exists"],
    ["/signup", "not JSON", "{", 400, "bad_json"],
    ["/signup", "a number for the email", { email: 5, password: "secret1" }, 400, "bad_json"],
    [
      "/signup",
      "data not an object",
      { email: newEmail("x"), password: "secret1", data: [1] },
      400,
      "bad_json",
    ],
    [
      "/token?grant_type=password",
      "wrong password",
      { email: taken, password: "wrong1" },
      400,
      "invalid_credentials",
    ],
    [
      "/token?grant_type=password",
      "unknown user",
      { email: newEmail("x"), password: "secret1" },
      400,
      "invalid_credentials",
    ],
    ["/token?grant_type=password", "no address", { password: "secret1" }, 400, "validation_failed"],
    [
      "/token?grant_type=password",
      "phone",
      { phone: "+15555550100", password: "secret1" },
      422,
      "phone_provider_disabled",
    ],
    ["/token?grant_type=password", "empty body", "", 400, "bad_json"],
    [
      "/token?grant_type=refresh_token",
      "unknown token",
      { refresh_token: "abcdefghijkl" },
      400,
      "refresh_token_not_found",
    ],
    [
      "/token?grant_type=refresh_token",
      "malformed token",
      { refresh_token: "short" },
      400,
      "validation_failed",
    ],
    ["/token?grant_type=refresh_token", "no token", {}, 400, "validation_failed"],
    ["/token?grant_type=magic", "unknown grant", {}, 400, "invalid_credentials"],
    ["/token", "no grant", {}, 400, "invalid_credentials"],
  ];
  for (const [path, label, body, status, code] of cases) {
    const initial = await authPost(env.apiUrl, path, body);
    assert.equal(initial.status, status, `${label}: ${JSON.stringify(initial.body)}`);
    assert.deepEqual(Object.keys(initial.body).slice(0, 3), ["code", "error_code", "msg"], label);
    assert.equal(initial.body.code, status, label);
    assert.equal(initial.body.error_code, code, label);
    assert.equal(initial.headers.get("x-sb-error-code"), code, label);
    const current = await authPost(env.apiUrl, path, body, V2024);
    assert.equal(current.status, status, label);
    assert.equal(current.body.code, code, label);
    assert.equal(typeof current.body.message, "string", label);
    assert.equal(current.headers.get("x-supabase-api-version"), "2024-01-01", label);
  }
  const weak = await authPost(
    env.apiUrl,
    "/signup",
    { email: newEmail("x"), password: "1" },
    V2024,
  );
  assert.deepEqual(weak.body.weak_password, { reasons: ["length"] });
});

Deno.test("a body over 1 MiB is refused with 413, not read", async () => {
  const answer = await authPost(env.apiUrl, "/signup", {
    email: newEmail("big"),
    password: "x".repeat(1 << 20),
  });
  assert.equal(answer.status, 413);
  assert.equal(answer.body.error_code, "request_entity_too_large");
});

Deno.test("GET /user and POST /logout refuse missing and bad tokens as GoTrue does", async () => {
  const ghost = await signJwt(
    { sub: crypto.randomUUID(), role: "authenticated", aud: "authenticated", exp: now() + 60 },
    env.jwtSecret,
  );
  const cases: [string, string | undefined, number, string][] = [
    ["no header", undefined, 401, "no_authorization"],
    ["not a JWT", "Bearer abc", 403, "bad_jwt"],
    [
      "wrong secret",
      `Bearer ${await signJwt({ sub: crypto.randomUUID(), exp: now() + 60 }, `${env.jwtSecret}x`)}`,
      403,
      "bad_jwt",
    ],
    [
      "expired",
      `Bearer ${await signJwt({ sub: crypto.randomUUID(), exp: now() - 60 }, env.jwtSecret)}`,
      403,
      "bad_jwt",
    ],
    ["the anon key (no sub)", `Bearer ${env.anonKey}`, 403, "bad_jwt"],
    [
      "a sub that is no UUID",
      `Bearer ${await signJwt({ sub: "me", exp: now() + 60 }, env.jwtSecret)}`,
      400,
      "bad_jwt",
    ],
    ["a user that does not exist", `Bearer ${ghost}`, 403, "user_not_found"],
  ];
  for (const [label, authorization, status, code] of cases) {
    for (const [method, path] of [["GET", "/user"], ["POST", "/logout"]]) {
      const response = await fetch(`${env.apiUrl}/auth/v1${path}`, {
        method,
        headers: authorization ? { authorization } : {},
      });
      const body = await response.json();
      assert.equal(response.status, status, `${method} ${path}, ${label}: ${JSON.stringify(body)}`);
      assert.equal(body.error_code, code, `${method} ${path}, ${label}`);
    }
  }
  const session = await authPost(env.apiUrl, "/signup", {
    email: newEmail("scope"),
    password: "secret1",
  });
  const logout = await fetch(`${env.apiUrl}/auth/v1/logout?scope=everyone`, {
    method: "POST",
    headers: { authorization: `Bearer ${session.body.access_token}` },
  });
  assert.equal(logout.status, 400);
  assert.equal((await logout.json()).error_code, "validation_failed");
});

Deno.test("CORS preflight, JWKS, unknown paths and methods under /auth/v1", async () => {
  const preflight = await fetch(`${env.apiUrl}/auth/v1/token?grant_type=password`, {
    method: "OPTIONS",
    headers: {
      origin: "http://localhost:3000",
      "access-control-request-method": "POST",
      "access-control-request-headers":
        "authorization, apikey, content-type, x-client-info, x-supabase-api-version",
    },
  });
  await preflight.body?.cancel();
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
  assert.match(
    preflight.headers.get("access-control-allow-headers") ?? "",
    /x-supabase-api-version/,
  );
  const answer = await authPost(env.apiUrl, "/token?grant_type=password", {}, {
    origin: "http://localhost:3000",
  });
  assert.equal(answer.headers.get("access-control-allow-origin"), "*");

  const jwks = await fetch(`${env.apiUrl}/auth/v1/.well-known/jwks.json`);
  assert.equal(jwks.status, 200);
  assert.deepEqual(await jwks.json(), { keys: [] }, "the HS256 secret is never published");
  const missing = await fetch(`${env.apiUrl}/auth/v1/nowhere`);
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
  const method = await fetch(`${env.apiUrl}/auth/v1/signup`, { method: "GET" });
  assert.equal(method.status, 405);
  await method.body?.cancel();
});
