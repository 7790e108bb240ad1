import assert from "node:assert/strict";
import cases from "../testdata/paths.json" with { type: "json" };
import { normalizePath, validatePath, windowsNameProblem } from "./path_rules.ts";

Deno.test("validatePath() accepts every valid shared case unchanged", () => {
  for (const path of cases.valid) {
    assert.deepEqual(validatePath(path), { ok: true, path }, JSON.stringify(path));
  }
});

Deno.test("validatePath() rejects every invalid shared case with its code", () => {
  for (const { path, code } of cases.invalid) {
    const result = validatePath(path);
    assert.equal(result.ok, false, JSON.stringify(path));
    if (!result.ok) assert.equal(result.code, code, JSON.stringify(path));
  }
});

Deno.test("validatePath() quotes the path in its message", () => {
  const result = validatePath("../x");
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.message, 'Invalid path "../x": dot segment');
});

Deno.test("normalizePath() composes to NFC and tidies slashes and dot segments", () => {
  assert.equal(normalizePath("cafe\u0301.txt"), "caf\u00e9.txt");
  assert.equal(normalizePath("./a//b/./c/"), "a/b/c");
  assert.equal(normalizePath("/abs//x"), "/abs/x");
  assert.equal(normalizePath("a/../b"), "a/../b");
});

Deno.test("normalizePath() output of a tidy path passes validatePath()", () => {
  for (const path of cases.valid) assert.equal(normalizePath(path), path);
});

Deno.test("windowsNameProblem() names what a Windows replica cannot hold", () => {
  for (const path of ["CON", "src/con.txt", "aux", "NUL.tar.gz", "COM1", "lpt9.log", "a./b"]) {
    assert.notEqual(windowsNameProblem(path), null, path);
  }
  for (const path of ["trailing ", "dir /x", "a:b", "what?.md", 'q"uote']) {
    assert.notEqual(windowsNameProblem(path), null, path);
  }
  for (const path of ["console.log", "src/main.ts", ".env", "com10", "a..b/c"]) {
    assert.equal(windowsNameProblem(path), null, path);
  }
});
