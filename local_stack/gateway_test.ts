import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createGateway, type GatewayOptions } from "./gateway.ts";
import { FunctionWorkers } from "./function_workers.ts";
import { functionExists } from "./functions_config.ts";
import { apiKeys, signJwt } from "./jwt.ts";
import { DEFAULT_JWT_SECRET } from "./config.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FUNCTIONS_DIR = join(ROOT, "supabase", "functions");

async function withGateway(
  run: (fetchPath: (path: string, init?: RequestInit) => Promise<Response>) => Promise<void>,
  extra: Pick<GatewayOptions, "auth" | "authKeys"> = {},
) {
  const workers = new FunctionWorkers({
    functionsDir: FUNCTIONS_DIR,
    cwd: ROOT,
    env: () => ({ SUPABASE_URL: "http://127.0.0.1:1", SUPABASE_SERVICE_ROLE_KEY: "k" }),
  });
  const gateway = createGateway({
    jwtSecret: DEFAULT_JWT_SECRET,
    storage: (request) =>
      Promise.resolve(Response.json({ storage: new URL(request.url).pathname })),
    invokeFunction: (name, request, path) => workers.fetch(name, request, path),
    functionSettings: (name) =>
      functionExists(FUNCTIONS_DIR, name) ? { verifyJwt: name !== "open" } : undefined,
    ...extra,
  });
  try {
    await run((path, init) => gateway(new Request(`http://127.0.0.1:54321${path}`, init)));
  } finally {
    await workers.close();
  }
}

Deno.test("gateway routes /storage/v1 to Storage with the full path", async () => {
  await withGateway(async (fetchPath) => {
    const response = await fetchPath("/storage/v1/bucket");
    assert.deepEqual(await response.json(), { storage: "/storage/v1/bucket" });
  });
});

Deno.test("gateway refuses a function call without a JWT with a JSON 401", async () => {
  await withGateway(async (fetchPath) => {
    const response = await fetchPath("/functions/v1/health");
    assert.equal(response.status, 401);
    const body = await response.json();
    assert.equal(body.code, "UNAUTHORIZED_NO_AUTH_HEADER");
    assert.equal(typeof body.message, "string");
  });
});

Deno.test("gateway refuses a forged and an expired JWT", async () => {
  await withGateway(async (fetchPath) => {
    const forged = await signJwt({ role: "anon" }, "another-secret-another-secret-another-secret");
    const expired = await signJwt(
      { role: "anon", exp: Math.floor(Date.now() / 1000) - 5 },
      DEFAULT_JWT_SECRET,
    );
    for (
      const [token, code] of [[forged, "UNAUTHORIZED_INVALID_JWT"], [
        expired,
        "UNAUTHORIZED_EXPIRED_JWT",
      ]]
    ) {
      const response = await fetchPath("/functions/v1/health", {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).code, code);
    }
  });
});

Deno.test("gateway runs a function with the anon key and hands it its environment", async () => {
  await withGateway(async (fetchPath) => {
    const { anonKey } = await apiKeys(DEFAULT_JWT_SECRET);
    const response = await fetchPath("/functions/v1/health/deep/path?x=1", {
      headers: { authorization: `Bearer ${anonKey}` },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    const body = await response.json();
    assert.equal(body.path, "/health/deep/path");
    assert.equal(body.supabaseUrl, "http://127.0.0.1:1");
    assert.equal(body.hasServiceRoleKey, true);
  });
});

Deno.test("gateway answers CORS preflight without a JWT", async () => {
  await withGateway(async (fetchPath) => {
    const response = await fetchPath("/functions/v1/health", {
      method: "OPTIONS",
      headers: { "access-control-request-method": "POST", origin: "http://app.test" },
    });
    assert.equal(response.status, 204);
    assert.match(response.headers.get("access-control-allow-headers") ?? "", /authorization/);
    await response.body?.cancel();
  });
});

Deno.test("gateway answers an unknown function and the shared folder with 404", async () => {
  await withGateway(async (fetchPath) => {
    for (const name of ["nope", "_shared", "..%2Fetc"]) {
      const response = await fetchPath(`/functions/v1/${name}`);
      assert.equal(response.status, 404, name);
      assert.equal((await response.json()).code, "NOT_FOUND");
    }
  });
});

Deno.test("gateway routes /auth/v1 to the Auth API with CORS, and answers its preflight", async () => {
  const auth = (request: Request) =>
    Promise.resolve(Response.json({ auth: new URL(request.url).pathname }));
  await withGateway(async (fetchPath) => {
    const response = await fetchPath("/auth/v1/token?grant_type=password", { method: "POST" });
    assert.deepEqual(await response.json(), { auth: "/auth/v1/token" });
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    assert.match(response.headers.get("access-control-expose-headers") ?? "", /x-sb-error-code/);
    const preflight = await fetchPath("/auth/v1/token", {
      method: "OPTIONS",
      headers: { "access-control-request-method": "POST", origin: "http://app.test" },
    });
    assert.equal(preflight.status, 204);
    assert.match(
      preflight.headers.get("access-control-allow-headers") ?? "",
      /x-supabase-api-version/,
    );
    await preflight.body?.cancel();
  }, { auth });
  await withGateway(async (fetchPath) => {
    const response = await fetchPath("/auth/v1/user");
    assert.equal(response.status, 404, "no Auth API, no route");
    await response.body?.cancel();
  });
});

Deno.test("gateway accepts tokens signed with the Auth API's asymmetric keys where verify_jwt is on", async () => {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...await exportJWK(publicKey), kid: "auth-key", alg: "ES256" };
  const sign = (kid: string) =>
    new SignJWT({ role: "anon", exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" }).sign(privateKey);
  await withGateway(async (fetchPath) => {
    const known = await fetchPath("/functions/v1/health", {
      headers: { authorization: `Bearer ${await sign("auth-key")}` },
    });
    assert.equal(known.status, 200);
    await known.body?.cancel();
    const unknown = await fetchPath("/functions/v1/health", {
      headers: { authorization: `Bearer ${await sign("other-key")}` },
    });
    assert.equal(unknown.status, 401);
    assert.equal((await unknown.json()).code, "UNAUTHORIZED_INVALID_JWT");
  }, { authKeys: () => [jwk] });
});
