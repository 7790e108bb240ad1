import assert from "node:assert/strict";
import cases from "../testdata/paths.json" with { type: "json" };
import {
  ancestorDirs,
  linkedAncestor,
  permissionBits,
  protectedPathProblem,
} from "./protected_paths.ts";

Deno.test("protectedPathProblem() answers every shared protected case", () => {
  for (const { path, code, syncGit } of cases.protected) {
    assert.equal(protectedPathProblem(path, { syncGit: syncGit ?? false }), code, path);
  }
});

Deno.test("ancestorDirs() lists the directories on the way, shallowest first", () => {
  assert.deepEqual(ancestorDirs("a/b/c.txt"), ["a", "a/b"]);
  assert.deepEqual(ancestorDirs("top.txt"), []);
});

Deno.test("linkedAncestor() names the first directory on the way that is not a real one", async () => {
  const kinds: Record<string, "dir" | "symlink" | "missing" | "other"> = {
    a: "dir",
    "a/link": "symlink",
    b: "other",
    c: "missing",
  };
  const kindOf = (dir: string) => kinds[dir] ?? "dir";
  assert.equal(await linkedAncestor("a/link/x.sh", kindOf), "a/link");
  assert.equal(await linkedAncestor("a/link/deep/x.sh", kindOf), "a/link");
  assert.equal(await linkedAncestor("b/x", kindOf), "b");
  assert.equal(await linkedAncestor("c/d/x", kindOf), null);
  assert.equal(await linkedAncestor("a/real/x", kindOf), null);
});

Deno.test("permissionBits() drops setuid, setgid and sticky bits", () => {
  assert.equal(permissionBits(0o4755), 0o755);
  assert.equal(permissionBits(0o2750), 0o750);
  assert.equal(permissionBits(0o1777), 0o777);
  assert.equal(permissionBits(0o644), 0o644);
});
