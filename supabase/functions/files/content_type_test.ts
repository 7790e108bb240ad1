import assert from "node:assert/strict";
import { contentTypeFor } from "./content_type.ts";

Deno.test("contentTypeFor() guesses from the extension, case-insensitively", () => {
  assert.equal(contentTypeFor("src/main.ts"), "text/typescript; charset=utf-8");
  assert.equal(contentTypeFor("docs/README.MD"), "text/markdown; charset=utf-8");
  assert.equal(contentTypeFor("a/logo.PNG"), "image/png");
  assert.equal(contentTypeFor("Dockerfile"), "text/plain; charset=utf-8");
  assert.equal(contentTypeFor("pkg/.gitignore"), "text/plain; charset=utf-8");
});

Deno.test("contentTypeFor() falls back to application/octet-stream", () => {
  for (const path of ["bin/tool", "data.unknownext", ".hidden", "dir.d/file", "archive."]) {
    assert.equal(contentTypeFor(path), "application/octet-stream", path);
  }
});
