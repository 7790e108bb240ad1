import assert from "node:assert/strict";
import { parseRange } from "./download.ts";
import { ERRORS } from "./errors.ts";

Deno.test("parseRange() reads open, closed and suffix ranges clamped to the size", () => {
  assert.equal(parseRange(null, 10), undefined);
  assert.deepEqual(parseRange("bytes=2-5", 10), { start: 2, end: 5 });
  assert.deepEqual(parseRange("bytes=7-", 10), { start: 7, end: 9 });
  assert.deepEqual(parseRange("bytes=-3", 10), { start: 7, end: 9 });
  assert.deepEqual(parseRange("bytes=5-100", 10), { start: 5, end: 9 });
});

Deno.test("parseRange() refuses malformed and unsatisfiable ranges with InvalidRange", () => {
  for (const header of ["bytes=5-2", "bytes=10-", "items=1-2", "bytes=-", "bytes=1-2,4-5"]) {
    assert.throws(() => parseRange(header, 10), { code: "InvalidRange" }, header);
  }
});

Deno.test("StorageError.render() gives Supabase's body; REST answers 400 except for 500s", () => {
  const notFound = ERRORS.noSuchKey("a.txt");
  assert.deepEqual(notFound.render(), {
    statusCode: "404",
    code: "NoSuchKey",
    error: "not_found",
    message: "Object not found",
  });
  assert.equal(notFound.userStatusCode, 400);
  assert.equal(ERRORS.databaseError("x").userStatusCode, 500);
  assert.equal(ERRORS.accessDenied("no").render().error, "Unauthorized");
});
