import assert from "node:assert/strict";
import { AuthError } from "./errors.ts";
import { accessTokenClaims, assertRefreshTokenFormat, newRefreshToken } from "./tokens.ts";

Deno.test("newRefreshToken() makes 12 lower-case base32 characters, different each time", () => {
  const tokens = new Set(Array.from({ length: 200 }, newRefreshToken));
  assert.equal(tokens.size, 200);
  for (const token of tokens) assert.match(token, /^[a-z2-7]{12}$/);
});

Deno.test("assertRefreshTokenFormat() refuses what cannot be a refresh token", () => {
  assertRefreshTokenFormat("abcdefgh2345");
  assertRefreshTokenFormat("abcdefgh0189");
  for (
    const bad of [undefined, null, 5, "", "short", "ABCDEFGHIJKL", "abcdefghijk-", "a".repeat(13)]
  ) {
    assert.throws(
      () => assertRefreshTokenFormat(bad),
      (error) => error instanceof AuthError && error.code === "validation_failed",
      String(bad),
    );
  }
});

Deno.test("accessTokenClaims() shapes GoTrue's claims, most recent AMR first", () => {
  const claims = accessTokenClaims({
    id: "u",
    aud: "authenticated",
    role: "authenticated",
    email: "a@b.test",
    phone: "",
    appMetadata: { provider: "email" },
    userMetadata: {},
    isAnonymous: false,
  }, {
    id: "s",
    amr: [{ method: "password", timestamp: 1 }, { method: "otp", timestamp: 2 }],
    issuer: "http://127.0.0.1:54321/auth/v1",
    issuedAt: 100,
    expiresAt: 3700,
  });
  assert.deepEqual(claims, {
    iss: "http://127.0.0.1:54321/auth/v1",
    sub: "u",
    aud: "authenticated",
    exp: 3700,
    iat: 100,
    email: "a@b.test",
    phone: "",
    app_metadata: { provider: "email" },
    user_metadata: {},
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "otp", timestamp: 2 }, { method: "password", timestamp: 1 }],
    session_id: "s",
    is_anonymous: false,
  });
});
