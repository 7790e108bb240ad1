import assert from "node:assert/strict";
import { fromDatabaseError } from "./database_errors.ts";
import { ERRORS } from "./errors.ts";

const pg = (code: string, message: string) => Object.assign(new Error(message), { code });

Deno.test("fromDatabaseError() turns SQLSTATE 42501 into 403 AccessDenied with the message", () => {
  const error = fromDatabaseError(pg("42501", "quota exceeded"));
  assert.equal(error.code, "AccessDenied");
  assert.equal(error.render().statusCode, "403");
  assert.equal(error.message, "quota exceeded");
  assert.equal(error.userStatusCode, 400);
});

Deno.test("fromDatabaseError() names duplicates by resource kind", () => {
  assert.equal(fromDatabaseError(pg("23505", "dup")).code, "KeyAlreadyExists");
  assert.equal(
    fromDatabaseError(pg("23505", "dup"), { kind: "bucket", name: "b" }).code,
    "BucketAlreadyExists",
  );
});

Deno.test("fromDatabaseError() answers unknown SQLSTATEs with a 500 DatabaseError", () => {
  const error = fromDatabaseError(pg("P0001", "boom"));
  assert.equal(error.code, "DatabaseError");
  assert.equal(error.userStatusCode, 500);
});

Deno.test("fromDatabaseError() keeps Storage errors and hides other errors", () => {
  const original = ERRORS.noSuchKey("a");
  assert.equal(fromDatabaseError(original), original);
  assert.equal(fromDatabaseError(new TypeError("x")).code, "InternalError");
});
