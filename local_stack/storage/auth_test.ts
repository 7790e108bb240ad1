import assert from "node:assert/strict";
import { authenticate, requestToken, signToken } from "./auth.ts";

const SECRET = "test-secret-with-at-least-32-characters!!";

Deno.test("requestToken() reads Authorization only, with any-case Bearer stripped", () => {
  assert.equal(requestToken(new Headers({ authorization: "Bearer a", apikey: "b" })), "a");
  assert.equal(requestToken(new Headers({ authorization: "bearer a" })), "a");
  assert.equal(requestToken(new Headers({ authorization: "Basic a" })), "Basic a");
  assert.equal(requestToken(new Headers({ apikey: "b" })), "");
  assert.equal(requestToken(new Headers()), "");
});

Deno.test("authenticate() returns role and owner of a valid token", async () => {
  const sub = "0b0e3c9a-1f2d-4e5f-9a6b-7c8d9e0f1a2b";
  const token = await signToken({ role: "authenticated", sub }, SECRET, 60);
  const caller = await authenticate(new Headers({ authorization: `Bearer ${token}` }), SECRET);
  assert.equal(caller.role, "authenticated");
  assert.equal(caller.owner, sub);
});

Deno.test("authenticate() refuses bad, expired, admin-role and non-uuid-subject tokens with AccessDenied", async () => {
  const expired = await signToken({ role: "anon" }, SECRET, -10);
  const admin = await signToken({ role: "postgres" }, SECRET, 60);
  const forged = await signToken({ role: "anon" }, `${SECRET}x`, 60);
  const notUuid = await signToken({ role: "authenticated", sub: "github|1" }, SECRET, 60);
  for (const token of ["", "garbage", expired, admin, forged, notUuid]) {
    await assert.rejects(
      authenticate(new Headers({ authorization: `Bearer ${token}` }), SECRET),
      { code: "AccessDenied", httpStatusCode: 403 },
    );
  }
});
