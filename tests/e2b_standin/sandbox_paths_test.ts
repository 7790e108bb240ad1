/** Sandbox path normalization and symlink resolution, on a real temp directory. */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  normalizeSandboxPath,
  PathEscapeError,
  resolveSandboxPath,
  SymlinkLoopError,
} from "./sandbox_paths.ts";

Deno.test("normalizeSandboxPath() expands ~ and relative paths, drops . and empty segments", () => {
  const home = "/home/user";
  assert.equal(normalizeSandboxPath("~", home), "/home/user");
  assert.equal(normalizeSandboxPath("~/a//b/./c", home), "/home/user/a/b/c");
  assert.equal(normalizeSandboxPath("x.txt", home), "/home/user/x.txt");
  assert.equal(normalizeSandboxPath("", home), "/home/user");
  assert.equal(normalizeSandboxPath("/a/b/../c/", home), "/a/c");
  assert.equal(normalizeSandboxPath("/", home), "/");
});

Deno.test("normalizeSandboxPath() refuses .. above /", () => {
  for (const path of ["/..", "/a/../..", "../../../etc", "~/../../../x"]) {
    assert.throws(() => normalizeSandboxPath(path, "/home/user"), PathEscapeError, path);
  }
});

Deno.test("resolveSandboxPath() follows links as sandbox paths and refuses climbing out", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "home/user/p"), { recursive: true });
    await Deno.symlink("/home/user", join(root, "home/user/p/abs"));
    await Deno.symlink("../..", join(root, "home/user/p/rel"));
    await Deno.symlink("../../../../..", join(root, "home/user/p/out"));
    await Deno.symlink("loop2", join(root, "home/user/p/loop1"));
    await Deno.symlink("loop1", join(root, "home/user/p/loop2"));
    const follow = { followLast: true };
    assert.deepEqual(await resolveSandboxPath(root, "/home/user/p/abs/x", follow), {
      sandboxPath: "/home/user/x",
      hostPath: join(root, "home/user/x"),
    });
    assert.equal((await resolveSandboxPath(root, "/home/user/p/rel", follow)).sandboxPath, "/home");
    const link = await resolveSandboxPath(root, "/home/user/p/abs", { followLast: false });
    assert.equal(link.sandboxPath, "/home/user/p/abs");
    await assert.rejects(resolveSandboxPath(root, "/home/user/p/out", follow), PathEscapeError);
    await assert.rejects(resolveSandboxPath(root, "/home/user/p/out/x", follow), PathEscapeError);
    await assert.rejects(resolveSandboxPath(root, "/home/user/p/loop1", follow), SymlinkLoopError);
    assert.equal(
      (await resolveSandboxPath(root, "/home/user/p/new/deeper", follow)).hostPath,
      join(root, "home/user/p/new/deeper"),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
