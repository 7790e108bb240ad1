import assert from "node:assert/strict";
import {
  cacheControlFromSeconds,
  isValidContentType,
  servedContentType,
  storedCacheControl,
  storedContentType,
} from "./object_headers.ts";

Deno.test("isValidContentType() accepts type/subtype with parameters and refuses the rest", () => {
  for (
    const value of [
      "text/plain",
      "text/plain;charset=UTF-8",
      "multipart/form-data; boundary=----x1",
      "application/offset+octet-stream",
    ]
  ) {
    assert.equal(isValidContentType(value), true, value);
  }
  for (const value of ["undefined", "", "thisisnotarealmimetype", "image/\tpng", "/png", "a b/c"]) {
    assert.equal(isValidContentType(value), false, JSON.stringify(value));
  }
});

Deno.test("storedCacheControl() never keeps a max-age that is not a number", () => {
  assert.equal(storedCacheControl(null), "no-cache");
  assert.equal(storedCacheControl("max-age=undefined"), "no-cache");
  assert.equal(storedCacheControl("public, max-age=abc"), "no-cache");
  assert.equal(storedCacheControl("max-age=3600"), "max-age=3600");
  assert.equal(storedCacheControl("no-store"), "no-store");
});

Deno.test("cacheControlFromSeconds() takes digits only", () => {
  assert.equal(cacheControlFromSeconds("3600"), "max-age=3600");
  assert.equal(cacheControlFromSeconds("undefined"), "no-cache");
  assert.equal(cacheControlFromSeconds(undefined), "no-cache");
});

Deno.test("stored and served Content-Type never say undefined; HTML is served as text", () => {
  assert.equal(storedContentType("undefined"), "application/octet-stream");
  assert.equal(storedContentType(null), "application/octet-stream");
  assert.equal(servedContentType("text/html; charset=utf-8"), "text/plain");
  assert.equal(servedContentType("image/png"), "image/png");
});
