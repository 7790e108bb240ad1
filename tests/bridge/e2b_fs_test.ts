/**
 * {@linkcode E2bFs} (the E2B implementation of `SandboxFs`) over the real SDK against the envd
 * stand-in, without the stack: listing, stat, ranged reads, streamed writes, rename, remove,
 * mkdir, chmod, hashing in the sandbox, symlink detection and watching.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { E2bFs } from "../../supabase/functions/e2b-bridge/e2b_fs.ts";
import { randomBytes, sha256, withSandbox } from "../e2b_standin/standin_support.ts";

const ROOT = "/home/user/project";

Deno.test("E2bFs lists, stats and reads ranges of files under its root", () =>
  withSandbox(async ({ sandbox, dir }) => {
    const host = join(dir, ROOT);
    await Deno.mkdir(join(host, "sub"), { recursive: true });
    const bytes = randomBytes(200_000, 9);
    await Deno.writeFile(join(host, "sub/data.bin"), bytes);
    await Deno.writeTextFile(join(host, "a.txt"), "aaa");
    await Deno.symlink("a.txt", join(host, "link"));
    const fs = new E2bFs(sandbox, ROOT);
    assert.deepEqual((await fs.list("")).map((e) => [e.path, e.kind]), [
      ["a.txt", "file"],
      ["link", "symlink"],
      ["sub", "dir"],
    ]);
    assert.deepEqual((await fs.listTree("", 5)).map((e) => e.path), [
      "a.txt",
      "link",
      "sub",
      "sub/data.bin",
    ]);
    const stat = await fs.stat("sub/data.bin");
    assert.deepEqual([stat?.kind, stat?.size, stat?.ino], ["file", 200_000, null]);
    assert.equal(await fs.stat("missing"), null);
    const source = await fs.openRead("sub/data.bin");
    assert.deepEqual(await source.read(1000, 10), bytes.subarray(1000, 1010));
    assert.deepEqual(await source.read(1010, 5), bytes.subarray(1010, 1015));
    assert.deepEqual(await source.read(10, 3), bytes.subarray(10, 13));
    assert.equal((await source.read(199_990, 100)).length, 10);
    await source.close?.();
  }));

Deno.test("E2bFs writes through openWrite, renames, chmods, hashes and removes", () =>
  withSandbox(async ({ sandbox, dir }) => {
    const host = join(dir, ROOT);
    const fs = new E2bFs(sandbox, ROOT);
    await fs.mkdir("out/deep");
    const writer = await fs.openWrite("out/.tmp");
    await writer.write(new TextEncoder().encode("discarded"));
    await writer.reset();
    await writer.write(new TextEncoder().encode("hello "));
    await writer.write(new TextEncoder().encode("world"));
    await writer.close();
    await fs.rename("out/.tmp", "out/deep/it's here.txt");
    assert.equal(await Deno.readTextFile(join(host, "out/deep/it's here.txt")), "hello world");
    await fs.chmod("out/deep/it's here.txt", 0o750);
    assert.equal((await Deno.stat(join(host, "out/deep/it's here.txt"))).mode! & 0o777, 0o750);
    const hashes = await fs.hash(["out/deep/it's here.txt", "nope.txt"]);
    assert.deepEqual([...hashes], [[
      "out/deep/it's here.txt",
      sha256(new TextEncoder().encode("hello world")),
    ]]);
    await Deno.symlink("/", join(host, "out/link"));
    assert.deepEqual([...await fs.symlinks(["out", "out/link", "out/deep"])], ["out/link"]);
    await fs.remove("out");
    assert.equal(await fs.stat("out"), null);
  }));

Deno.test("E2bFs.watch() reports changes under the root", () =>
  withSandbox(async ({ sandbox, dir }) => {
    const host = join(dir, ROOT);
    await Deno.mkdir(host, { recursive: true });
    const fs = new E2bFs(sandbox, ROOT);
    const watch = fs.watch();
    const seen: string[] = [];
    const done = (async () => {
      for await (const batch of watch) {
        seen.push(...batch.paths);
        if (seen.includes("new.txt")) break;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await Deno.writeTextFile(join(host, "new.txt"), "x");
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 5000))]);
    watch.close();
    assert.ok(seen.includes("new.txt"), `saw ${JSON.stringify(seen)}`);
  }));
