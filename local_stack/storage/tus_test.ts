import assert from "node:assert/strict";
import { parseUploadMetadata } from "./tus.ts";

Deno.test("parseUploadMetadata() decodes base64 values and keeps keys without one", () => {
  const header = `bucketName ${btoa("sandsync")},objectName ${btoa("a/b c.bin")}, flag`;
  assert.deepEqual(parseUploadMetadata(header), {
    bucketName: "sandsync",
    objectName: "a/b c.bin",
    flag: "",
  });
  assert.deepEqual(parseUploadMetadata(""), {});
  assert.deepEqual(parseUploadMetadata("bad %%%"), { bad: "" });
});
