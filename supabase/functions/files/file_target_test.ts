import assert from "node:assert/strict";
import { isSyncError } from "../../../shared/protocol/errors.ts";
import { fileUrlPath, parseFileTarget } from "./file_target.ts";

const WS = "6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b";

Deno.test("parseFileTarget() decodes each segment below the function prefix", () => {
  for (const prefix of ["/functions/v1/files", "/files"]) {
    assert.deepEqual(parseFileTarget(`${prefix}/${WS}/src/a%20b/%C3%A9t%C3%A9.ts`), {
      workspaceId: WS,
      path: "src/a b/été.ts",
    });
  }
  assert.equal(parseFileTarget(`/files/${WS}/a%2Fb%3Fc%23d`).path, "a/b?c#d");
  assert.equal(parseFileTarget(`/files/${WS.toUpperCase()}/x`).workspaceId, WS);
});

Deno.test("parseFileTarget() round-trips fileUrlPath() for awkward names", () => {
  for (const path of ["a/b c/d.txt", "100%/ü/#hash?q", "dir/.hidden", "x/y/z/..."]) {
    assert.equal(parseFileTarget(`/files/${fileUrlPath(WS, path)}`).path, path);
  }
});

Deno.test("parseFileTarget() refuses bad paths with invalid_path and the rule", () => {
  const cases: [string, string][] = [
    ["a%2F..%2Fb", "path_dot_segment"],
    ["a/%2E/b", "path_dot_segment"],
    ["a//b", "path_empty_segment"],
    ["a/b/", "path_empty_segment"],
    ["a%00b", "path_control_char"],
    ["%2Fetc%2Fpasswd", "path_absolute"],
    ["C%3A%5Cx", "path_backslash"],
    ["", "path_empty"],
    ["e%CC%81", "path_not_nfc"],
  ];
  for (const [raw, problem] of cases) {
    assert.throws(
      () => parseFileTarget(`/files/${WS}/${raw}`),
      (error) => isSyncError(error, "invalid_path") && error.details?.problem === problem,
      raw,
    );
  }
  assert.throws(() => parseFileTarget(`/files/${WS}`), (e) => isSyncError(e, "invalid_path"));
  assert.throws(
    () => parseFileTarget(`/files/${WS}/a%00b`),
    (e) => isSyncError(e) && e.message === 'Invalid path "a\\u0000b": control character',
  );
});

Deno.test("parseFileTarget() refuses a non-uuid workspace and broken encoding", () => {
  assert.throws(
    () => parseFileTarget("/files/nope/a.txt"),
    (e) => isSyncError(e, "validation_failed"),
  );
  assert.throws(() => parseFileTarget(`/files/${WS}/a%zz`), (e) => isSyncError(e, "bad_request"));
});
