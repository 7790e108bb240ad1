import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGateway } from "./gateway.ts";
import { FunctionWorkers } from "./function_workers.ts";
import { functionExists } from "./functions_config.ts";
import { apiKeys, signJwt } from "./jwt.ts";
import { DEFAULT_JWT_SECRET } from "./config.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FUNCTIONS_DIR = join(ROOT, "supabase", "functions");

async function withGateway(
  run: (fetchPath: (path: string, init?: RequestInit) => Promise<Response>) => Promise<void>,
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
