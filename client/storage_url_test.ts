import assert from "node:assert/strict";
import { rebaseStorageUrl, storageBase } from "./storage_url.ts";

Deno.test("rebaseStorageUrl() moves a signed URL onto the configured project URL", () => {
  assert.equal(
    rebaseStorageUrl(
      "http://10.0.0.5:54321/storage/v1/object/sign/sync/k?token=a.b.c",
      "http://127.0.0.1:9000/",
    ),
    "http://127.0.0.1:9000/storage/v1/object/sign/sync/k?token=a.b.c",
  );
  assert.equal(
    rebaseStorageUrl(
      "http://10.0.0.5:54321/storage/v1/upload/resumable/sign/4f0c",
      "https://tunnel.example/project",
    ),
    "https://tunnel.example/project/storage/v1/upload/resumable/sign/4f0c",
  );
});

Deno.test("rebaseStorageUrl() leaves other and unparsable URLs alone", () => {
  assert.equal(
    rebaseStorageUrl("https://cdn.example/blob?x=1", "http://a"),
    "https://cdn.example/blob?x=1",
  );
  assert.equal(rebaseStorageUrl("not a url", "http://a"), "not a url");
});

Deno.test("storageBase() is the part before /storage/v1/", () => {
  assert.equal(storageBase("http://h:1/p/storage/v1/upload/resumable/sign"), "http://h:1/p");
  assert.equal(storageBase("http://h:1/other"), undefined);
});
