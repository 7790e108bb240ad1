import assert from "node:assert/strict";
import { AuthError } from "./errors.ts";
import { hashPassword, passwordWeakness, verifyPassword } from "./passwords.ts";

Deno.test("hashPassword() writes Go's $2a$ bcrypt at cost 10, and verifyPassword() checks it", async () => {
  const hash = await hashPassword("correct horse");
  assert.match(hash, /^\$2a\$10\$[./A-Za-z0-9]{53}$/);
  assert.equal(await verifyPassword("correct horse", hash), true);
  assert.equal(await verifyPassword("correct hors", hash), false);
  assert.equal(await verifyPassword("correct horse", hash.replace("$2a$", "$2y$")), true);
});

Deno.test("verifyPassword() refuses a user without a password or with another hash scheme", async () => {
  assert.equal(await verifyPassword("x", null), false);
  assert.equal(await verifyPassword("x", ""), false);
  assert.equal(await verifyPassword("x", "$argon2id$v=19$m=65536,t=3,p=4$abc$def"), false);
});

Deno.test("passwordWeakness() reports short passwords and refuses over 72 bytes", () => {
  assert.deepEqual(passwordWeakness("12345", 6), {
    message: "Password should be at least 6 characters.",
    reasons: ["length"],
  });
  assert.equal(passwordWeakness("123456", 6), undefined);
  assert.equal(passwordWeakness("a".repeat(72), 6), undefined);
  for (const long of ["a".repeat(73), "é".repeat(37)]) {
    assert.throws(
      () => passwordWeakness(long, 6),
      (error) => error instanceof AuthError && error.code === "validation_failed",
    );
  }
});
