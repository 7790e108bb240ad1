import assert from "node:assert/strict";
import { authErrors, renderAuthError, wantsVersion2024 } from "./errors.ts";

Deno.test("renderAuthError() answers in GoTrue's initial shape without a version header", async () => {
  const response = renderAuthError(authErrors.invalidCredentials(), null);
  assert.equal(response.status, 400);
  assert.equal(response.headers.get("x-sb-error-code"), "invalid_credentials");
  assert.equal(response.headers.get("x-supabase-api-version"), null);
  assert.deepEqual(await response.json(), {
    code: 400,
    error_code: "invalid_credentials",
    msg: "Invalid login credentials",
  });
});

Deno.test("renderAuthError() answers { code, message } and echoes the 2024-01-01 version", async () => {
  const response = renderAuthError(authErrors.refreshTokenAlreadyUsed(), "2025-06-30");
  assert.equal(response.status, 400);
  assert.equal(response.headers.get("x-supabase-api-version"), "2024-01-01");
  assert.deepEqual(await response.json(), {
    code: "refresh_token_already_used",
    message: "Invalid Refresh Token: Already Used",
  });
});

Deno.test("renderAuthError() carries weak_password reasons in both shapes", async () => {
  const weak = authErrors.weakPassword("Password should be at least 6 characters.", ["length"]);
  const initial = await renderAuthError(weak, null).json();
  assert.deepEqual(initial.weak_password, { reasons: ["length"] });
  assert.equal(initial.code, 422);
  const current = renderAuthError(weak, "2024-01-01");
  assert.equal((await current.json()).code, "weak_password");
  assert.equal(current.headers.get("x-sb-error-code"), null);
});

Deno.test("renderAuthError() hides an unknown error behind a 500 unexpected_failure", async () => {
  const original = console.error;
  console.error = () => {};
  try {
    const response = renderAuthError(new Error("database exploded"), "2024-01-01");
    assert.equal(response.status, 500);
    const body = await response.json();
    assert.equal(body.code, "unexpected_failure");
    assert.doesNotMatch(body.message, /exploded/);
  } finally {
    console.error = original;
  }
});

Deno.test("wantsVersion2024() reads dates on or after 2024-01-01 only", () => {
  for (
    const [header, expected] of [
      [null, false],
      ["", false],
      ["2023-12-31", false],
      ["2024-01-01", true],
      ["2030-02-03", true],
      ["yesterday", false],
    ] as const
  ) {
    assert.equal(wantsVersion2024(header), expected, String(header));
  }
});
