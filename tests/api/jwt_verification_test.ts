// Functions verify bearer tokens themselves: a gateway started from a copy of config.toml with
// `verify_jwt = false` on every function (what Supabase advises for the new signing keys) must
// still refuse forged, unsigned, expired, exp-less and wrong-key tokens with a JSON 401, and let
// nobody act as the service role without a correctly signed token or the secret key itself.
// The test serves the JWKS of its own ES256 key pair (functions read `SANDSYNC_JWKS_URL`).
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createGateway } from "../../local_stack/gateway.ts";
import { FunctionWorkers } from "../../local_stack/function_workers.ts";
import { functionExists, parseFunctionSettings } from "../../local_stack/functions_config.ts";
import { signJwt } from "../../local_stack/jwt.ts";
import { ApiClient, newUser } from "../support/api.ts";
import { loadStackEnv } from "../support/stack_env.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FUNCTIONS_DIR = join(ROOT, "supabase", "functions");
const env = loadStackEnv();
const now = () => Math.floor(Date.now() / 1000);

function base64Url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** A token with `alg: none` and no signature. */
function unsigned(claims: Record<string, unknown>): string {
  return `${base64Url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${
    base64Url(JSON.stringify(claims))
  }.`;
}

async function withOpenGateway(
  run: (client: (bearer: string) => ApiClient) => Promise<void>,
): Promise<void> {
  // A copy of the project's config with JWT checks off at the gateway for every function.
  const temp = await Deno.makeTempDir({ prefix: "sandsync-jwt-" });
  const configCopy = join(temp, "config.toml");
  const original = await Deno.readTextFile(join(ROOT, "supabase", "config.toml"));
  await Deno.writeTextFile(
    configCopy,
    original.replaceAll("verify_jwt = true", "verify_jwt = false"),
  );
  const settings = parseFunctionSettings(await Deno.readTextFile(configCopy));
  assert.equal(settings.get("quota")?.verifyJwt, false);

  const { publicKey } = await keys;
  const jwk = { ...await exportJWK(publicKey), kid: "test-key", alg: "ES256", use: "sig" };
  const jwksServer = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => Response.json({ keys: [jwk] }),
  );
  const workers = new FunctionWorkers({
    functionsDir: FUNCTIONS_DIR,
    cwd: ROOT,
    env: () => ({
      SUPABASE_URL: env.apiUrl,
      SUPABASE_ANON_KEY: env.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: env.serviceRoleKey,
      SUPABASE_DB_URL: env.dbUrl,
      SANDSYNC_JWT_SECRET: env.jwtSecret,
      SANDSYNC_JWKS_URL: `http://127.0.0.1:${jwksServer.addr.port}/jwks.json`,
    }),
  });
  const gateway = createGateway({
    jwtSecret: env.jwtSecret,
    storage: (request) => {
      const url = new URL(request.url);
      return fetch(`${env.apiUrl}${url.pathname}${url.search}`, request);
    },
    invokeFunction: (name, request, path) => workers.fetch(name, request, path),
    functionSettings: (name) =>
      functionExists(FUNCTIONS_DIR, name) ? settings.get(name) ?? { verifyJwt: true } : undefined,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, gateway);
  const gatewayEnv = { ...env, apiUrl: `http://127.0.0.1:${server.addr.port}` };
  try {
    await run((bearer) => new ApiClient(gatewayEnv, bearer));
  } finally {
    await workers.close();
    await server.shutdown();
    await jwksServer.shutdown();
    await Deno.remove(temp, { recursive: true });
  }
}

const keys = generateKeyPair("ES256", { extractable: true });
const otherKeys = generateKeyPair("ES256", { extractable: true });

function es256(claims: Record<string, unknown>, key: CryptoKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "test-key", typ: "JWT" })
    .sign(key);
}

Deno.test("functions with verify_jwt = false refuse forged, unsigned, expired, exp-less and wrong-key tokens", async () => {
  const victim = await newUser("jwt-victim");
  const before = await victim.client.call<{ limitBytes: number }>("GET", "quota");
  assert.equal(before.status, 200);
  const service = { role: "service_role", exp: now() + 600 };
  const user = {
    sub: victim.id,
    role: "authenticated",
    aud: "authenticated",
    exp: now() + 600,
  };
  const refused: [string, string][] = [
    ["forged HS256 service role", await signJwt(service, `${env.jwtSecret}-not-the-secret`)],
    ["unsigned service role", unsigned(service)],
    ["unsigned user", unsigned(user)],
    ["expired service role", await signJwt({ ...service, exp: now() - 60 }, env.jwtSecret)],
    ["service role without exp", await signJwt({ role: "service_role" }, env.jwtSecret)],
    ["user without exp", await signJwt({ ...user, exp: undefined }, env.jwtSecret)],
    ["wrong-key ES256 service role", await es256(service, (await otherKeys).privateKey)],
    ["wrong-key ES256 user", await es256(user, (await otherKeys).privateKey)],
    [
      "user token for another audience",
      await signJwt({ ...user, aud: "elsewhere" }, env.jwtSecret),
    ],
    ["an admin role", await signJwt({ role: "supabase_admin", exp: now() + 600 }, env.jwtSecret)],
    ["not a JWT", "sb_secret_guessed"],
  ];
  await withOpenGateway(async (client) => {
    for (const [label, token] of refused) {
      const change = await client(token).call("PUT", `quota/${victim.id}`, { limitBytes: 1 });
      assert.equal(change.status, 401, `${label}: ${JSON.stringify(change.body)}`);
      assert.equal((change.body as { code: string }).code, "unauthorized", label);
      const check = await client(token).call("GET", "quota/check");
      assert.equal(check.status, 401, `${label}: ${JSON.stringify(check.body)}`);
      const own = await client(token).call("GET", "quota");
      assert.equal(own.status, 401, `${label}: ${JSON.stringify(own.body)}`);
    }
    // Correctly signed tokens still work: HS256 (legacy secret) and ES256 from the JWKS.
    const legacy = await client(victim.client.bearer).call<{ ownerId: string }>("GET", "quota");
    assert.equal(legacy.status, 200, JSON.stringify(legacy.body));
    assert.equal(legacy.body.ownerId, victim.id);
    const signed = await es256(user, (await keys).privateKey);
    const viaJwks = await client(signed).call<{ ownerId: string }>("GET", "quota");
    assert.equal(viaJwks.status, 200, JSON.stringify(viaJwks.body));
    assert.equal(viaJwks.body.ownerId, victim.id);
    const serviceCheck = await client(env.serviceRoleKey).call(
      "GET",
      `quota/check?ownerId=${victim.id}`,
    );
    assert.equal(serviceCheck.status, 200, JSON.stringify(serviceCheck.body));
  });
  const after = await victim.client.call<{ limitBytes: number }>("GET", "quota");
  assert.equal(after.body.limitBytes, before.body.limitBytes);
});
