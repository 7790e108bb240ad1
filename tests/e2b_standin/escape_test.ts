/**
 * Paths that would leave a sandbox's directory are refused with the SDK's
 * InvalidArgumentError (`..` above `/`, a symlink climbing out), and symlinks with absolute
 * targets stay inside the sandbox (they name sandbox paths, as inside a real sandbox).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FileNotFoundError, InvalidArgumentError } from "e2b";
import { withSandbox } from "./standin_support.ts";

const PROJECT = "/home/user/project";

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("a path climbing above / is refused by /files and by every RPC", () =>
  withSandbox(async ({ sandbox, standin }) => {
    const outside = join(standin.root, "outside.txt");
    await Deno.writeTextFile(outside, "host secret");
    const escape = "/home/user/../../../outside.txt";
    await assert.rejects(sandbox.files.read(escape), InvalidArgumentError);
    await assert.rejects(sandbox.files.write("../../../evil.txt", "x"), InvalidArgumentError);
    await assert.rejects(sandbox.files.list("/.."), InvalidArgumentError);
    await assert.rejects(sandbox.files.getInfo(escape), InvalidArgumentError);
    await assert.rejects(sandbox.files.makeDir("/../made"), InvalidArgumentError);
    await assert.rejects(
      sandbox.files.rename(escape, `${PROJECT}/stolen.txt`),
      InvalidArgumentError,
    );
    await assert.rejects(sandbox.files.remove(escape), InvalidArgumentError);
    await assert.rejects(
      sandbox.commands.run("cat outside.txt", { cwd: "/.." }),
      InvalidArgumentError,
    );
    assert.equal(await Deno.readTextFile(outside), "host secret");
    assert.equal(await exists(join(standin.root, "evil.txt")), false);
    assert.equal(await exists(join(standin.root, "made")), false);
  }));

Deno.test("a symlink whose target climbs out of the sandbox is refused", () =>
  withSandbox(async ({ sandbox, standin, dir }) => {
    await Deno.writeTextFile(join(standin.root, "outside.txt"), "host secret");
    await sandbox.files.makeDir(PROJECT);
    await Deno.symlink("../../../../outside.txt", join(dir, "home/user/project/out"));
    await Deno.symlink("../../../..", join(dir, "home/user/project/updir"));
    await assert.rejects(sandbox.files.read(`${PROJECT}/out`), InvalidArgumentError);
    await assert.rejects(sandbox.files.write(`${PROJECT}/out`, "x"), InvalidArgumentError);
    await assert.rejects(sandbox.files.list(`${PROJECT}/updir`), InvalidArgumentError);
    await assert.rejects(
      sandbox.files.write(`${PROJECT}/updir/new.txt`, "x"),
      InvalidArgumentError,
    );
    assert.equal(await Deno.readTextFile(join(standin.root, "outside.txt")), "host secret");
    assert.equal(await exists(join(standin.root, "new.txt")), false);
    // Like dangling links, they list with no type, which the SDK drops; they can be removed.
    const names = (await sandbox.files.list(PROJECT)).map((entry) => entry.name);
    assert.deepEqual(names, []);
    await sandbox.files.remove(`${PROJECT}/out`);
    assert.equal(await exists(join(dir, "home/user/project/out")), false);
  }));

Deno.test("a symlink to / points at the sandbox's root, never at the host's", () =>
  withSandbox(async ({ sandbox, dir }) => {
    await sandbox.files.write("/etc/hostname", "sandbox-host\n");
    await sandbox.files.makeDir(PROJECT);
    await Deno.symlink("/", join(dir, "home/user/project/root"));
    assert.equal(await sandbox.files.read(`${PROJECT}/root/etc/hostname`), "sandbox-host\n");
    await assert.rejects(sandbox.files.read(`${PROJECT}/root/etc/passwd`), FileNotFoundError);
    const info = await sandbox.files.getInfo(`${PROJECT}/root`);
    assert.deepEqual([info.type, info.symlinkTarget], ["dir", "/"]);
    const listed = await sandbox.files.list(PROJECT, { depth: 5 });
    assert.deepEqual(listed.map((entry) => [entry.path, entry.symlinkTarget]), [
      [`${PROJECT}/root`, "/"],
    ]);
  }));

Deno.test("the sandbox root itself cannot be removed or moved", () =>
  withSandbox(async ({ sandbox, dir }) => {
    await assert.rejects(sandbox.files.remove("/"), InvalidArgumentError);
    await assert.rejects(sandbox.files.rename("/", "/x"), InvalidArgumentError);
    assert.ok((await Deno.stat(join(dir, "home/user"))).isDirectory);
  }));
