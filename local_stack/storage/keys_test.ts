import assert from "node:assert/strict";
import {
  isValidBucketName,
  isValidKey,
  mustBeNewBucketName,
  mustBeValidKey,
  parseFileSizeLimit,
} from "./keys.ts";

const BAD_KEYS = [
  "",
  "a/../b",
  "..",
  "../a",
  "a/..",
  "./a",
  "a\0b",
  "a\nb",
  "é.txt",
  "a\\b",
  "a#b",
  "a%b",
  "x".repeat(1025),
];
const GOOD_KEYS = [
  "a.txt",
  "folder/sub/file (1).png",
  "a..b/c",
  "u/ab/0123abcdef",
  ".hidden",
  "a//b",
  "x".repeat(1024),
];

Deno.test("isValidKey() refuses traversal, NUL, control and non-ASCII characters", () => {
  for (const key of BAD_KEYS) assert.equal(isValidKey(key), false, JSON.stringify(key));
  for (const key of GOOD_KEYS) assert.equal(isValidKey(key), true, key);
});

Deno.test("mustBeValidKey() throws InvalidKey with status 400", () => {
  assert.throws(() => mustBeValidKey("a/../b"), { code: "InvalidKey", httpStatusCode: 400 });
});

Deno.test("isValidBucketName() refuses slashes and names of 64 characters", () => {
  assert.equal(isValidBucketName("avatars"), true);
  assert.equal(isValidBucketName("a/b"), false);
  assert.equal(isValidBucketName("x".repeat(64)), false);
});

Deno.test("parseFileSizeLimit() reads numbers and decimal units", () => {
  assert.equal(parseFileSizeLimit(1024), 1024);
  assert.equal(parseFileSizeLimit("20MB"), 20_000_000);
  assert.equal(parseFileSizeLimit(null), null);
  assert.throws(() => parseFileSizeLimit("20 parsecs"), { code: "InvalidRequest" });
});

Deno.test("mustBeNewBucketName() refuses ids that are fixed object route segments", () => {
  for (const id of ["list-v2", "list", "sign", "upload", "public", "authenticated", "info"]) {
    assert.throws(() => mustBeNewBucketName(id), { code: "InvalidBucketName" }, id);
  }
  mustBeNewBucketName("list-v2-photos");
});
