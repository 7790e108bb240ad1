import assert from "node:assert/strict";
import * as shared from "./mod.ts";

Deno.test("mod.ts exports the public API", () => {
  const expected = [
    "compareVectors",
    "mergeVectors",
    "incrementVector",
    "dominates",
    "isVectorValid",
    "sha256Hex",
    "createSha256",
    "sha256OfStream",
    "isProbablyText",
    "countLines",
    "unifiedDiff",
    "diffStats",
    "threeWayMerge",
    "ConflictResolver",
    "conflictCopyPath",
    "isConflictCopyPath",
    "SyncError",
    "errors",
    "toErrorBody",
    "ERROR_STATUS",
    "isRetryableStatus",
    "fileChangeSchema",
    "negotiateRequestSchema",
    "commitRequestSchema",
    "changesQuerySchema",
    "parseWire",
    "validatePath",
  ];
  for (const name of expected) assert.ok(name in shared, name);
});

Deno.test("shared/ modules use no Deno, Supabase or node: APIs besides node:crypto", async () => {
  const dir = new URL(".", import.meta.url);
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".ts") || entry.name.endsWith("_test.ts")) continue;
    const source = await Deno.readTextFile(new URL(entry.name, dir));
    const code = source.replace(/\/\*[^]*?\*\/|\/\/.*$/gm, "");
    assert.doesNotMatch(code, /\bDeno\./, entry.name);
    assert.doesNotMatch(code, /from\s+"[^"]*supabase/, entry.name);
    for (const [, specifier] of code.matchAll(/from\s+"(node:[^"]+)"/g)) {
      assert.equal(specifier, "node:crypto", `${entry.name} imports ${specifier}`);
    }
  }
});
