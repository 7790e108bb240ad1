// The routes' answers that need no database, with a service whose database refuses every use.
import assert from "node:assert/strict";
import type postgres from "postgres";
import { createAuthRoutes } from "./routes.ts";
import { AuthService } from "./service.ts";
import { DEFAULT_AUTH_SETTINGS } from "./settings.ts";
import { createTokenSigner } from "./signing.ts";

async function routes(settings = DEFAULT_AUTH_SETTINGS) {
  const noDatabase = new Proxy(() => {}, {
    get: () => {
      throw new Error("the database was used");
    },
    apply: () => {
      throw new Error("the database was used");
    },
  }) as unknown as postgres.Sql;
  const signer = await createTokenSigner({ jwtSecret: "s".repeat(40) });
  const service = new AuthService({
    sql: noDatabase,
    signer,
    settings,
    issuer: "http://x/auth/v1",
  });
  const handler = createAuthRoutes(service, signer);
  return (path: string, init: RequestInit = {}) =>
    handler(new Request(`http://x/auth/v1${path}`, init));
}

Deno.test("auth routes refuse bad input before touching the database", async () => {
  const fetchAuth = await routes();
  const post = (path: string, body: string) => fetchAuth(path, { method: "POST", body });
  const cases: [Promise<Response>, number, string][] = [
    [post("/signup", "{"), 400, "bad_json"],
    [post("/signup", "[1]"), 400, "bad_json"],
    [post("/signup", "{}"), 400, "validation_failed"],
    [post("/signup", '{"email":"a@b.test","password":"1"}'), 422, "weak_password"],
    [post("/token?grant_type=password", '{"password":"secret1"}'), 400, "validation_failed"],
    [post("/token?grant_type=refresh_token", '{"refresh_token":"x"}'), 400, "validation_failed"],
    [post("/token?grant_type=refresh_token", "null"), 400, "validation_failed"],
    [post("/token?grant_type=implicit", "{}"), 400, "invalid_credentials"],
    [fetchAuth("/user"), 401, "no_authorization"],
    [
      fetchAuth("/logout", { method: "POST", headers: { authorization: "Bearer x.y.z" } }),
      403,
      "bad_jwt",
    ],
  ];
  for (const [answer, status, code] of cases) {
    const response = await answer;
    const body = await response.json();
    assert.equal(response.status, status, JSON.stringify(body));
    assert.equal(body.error_code, code);
  }
});

Deno.test("auth routes refuse sign-up when it is disabled", async () => {
  const fetchAuth = await routes({ ...DEFAULT_AUTH_SETTINGS, enableSignup: false });
  const response = await fetchAuth("/signup", {
    method: "POST",
    body: '{"email":"a@b.test","password":"secret1"}',
  });
  assert.equal(response.status, 422);
  assert.equal((await response.json()).error_code, "signup_disabled");
});

Deno.test("auth routes answer unknown paths and methods as GoTrue's router does", async () => {
  const fetchAuth = await routes();
  const missing = await fetchAuth("/magic");
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), "404 page not found\n");
  const wrong = await fetchAuth("/token");
  assert.equal(wrong.status, 405);
  await wrong.body?.cancel();
  const jwks = await fetchAuth("/.well-known/jwks.json");
  assert.equal(jwks.headers.get("cache-control"), "public, max-age=600");
  assert.deepEqual(await jwks.json(), { keys: [] });
});
