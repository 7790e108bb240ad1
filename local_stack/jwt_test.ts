import assert from "node:assert/strict";
import { apiKeys, bearerToken, signJwt, verifyJwt } from "./jwt.ts";
import { DEFAULT_JWT_SECRET } from "./config.ts";

Deno.test("apiKeys() reproduces the Supabase CLI's well-known local keys", async () => {
  const keys = await apiKeys(DEFAULT_JWT_SECRET);
  assert.equal(
    keys.anonKey,
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0",
  );
  assert.equal(
    keys.serviceRoleKey,
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU",
  );
});

Deno.test("verifyJwt() refuses a token signed with another secret", async () => {
  const token = await signJwt({ role: "authenticated", sub: "u" }, "x".repeat(40));
  const result = await verifyJwt(token, DEFAULT_JWT_SECRET);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.reason, "invalid");
});

Deno.test("verifyJwt() refuses an expired token", async () => {
  const exp = Math.floor(Date.now() / 1000) - 10;
  const token = await signJwt({ role: "authenticated", exp }, DEFAULT_JWT_SECRET);
  const result = await verifyJwt(token, DEFAULT_JWT_SECRET);
  assert.equal(!result.ok && result.reason, "expired");
});

Deno.test("verifyJwt() refuses a token without exp", async () => {
  const token = await signJwt({ role: "service_role" }, DEFAULT_JWT_SECRET);
  const result = await verifyJwt(token, DEFAULT_JWT_SECRET);
  assert.equal(!result.ok && result.reason, "invalid");
});

Deno.test("verifyJwt() returns the claims of a good token", async () => {
  const exp = Math.floor(Date.now() / 1000) + 60;
  const token = await signJwt({ role: "authenticated", sub: "abc", exp }, DEFAULT_JWT_SECRET);
  const result = await verifyJwt(token, DEFAULT_JWT_SECRET);
  assert.ok(result.ok);
  assert.equal(result.claims.sub, "abc");
});

Deno.test("bearerToken() reads only well-formed bearer headers", () => {
  assert.equal(bearerToken("Bearer abc.def"), "abc.def");
  assert.equal(bearerToken("bearer abc"), "abc");
  assert.equal(bearerToken("Basic abc"), undefined);
  assert.equal(bearerToken(null), undefined);
});
