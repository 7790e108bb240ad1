/**
 * The real `e2b` SDK's `sandbox.files` against the envd stand-in: write, read (text, bytes,
 * stream, a 5 MB file byte-identical), list with depth, exists, getInfo, makeDir, rename,
 * remove, and what lands in the sandbox directory on disk.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FileNotFoundError, FileType } from "e2b";
import { randomBytes, sha256, withSandbox } from "./standin_support.ts";

const PROJECT = "/home/user/project";

Deno.test("files.write() then read() round-trips text and lands under the sandbox dir", () =>
  withSandbox(async ({ sandbox, dir }) => {
    const info = await sandbox.files.write(`${PROJECT}/notes/hello.txt`, "héllo wörld\n");
    assert.deepEqual(
      { path: info.path, name: info.name, type: info.type },
      { path: `${PROJECT}/notes/hello.txt`, name: "hello.txt", type: "file" },
    );
    assert.equal(await sandbox.files.read(`${PROJECT}/notes/hello.txt`), "héllo wörld\n");
    const onDisk = await Deno.readTextFile(join(dir, "home/user/project/notes/hello.txt"));
    assert.equal(onDisk, "héllo wörld\n");
  }));

Deno.test("files.write() truncates in place and relative paths resolve against /home/user", () =>
  withSandbox(async ({ sandbox, dir }) => {
    await sandbox.files.write("rel/a.txt", "a much longer first version");
    await sandbox.files.write("/home/user/rel/a.txt", "short");
    assert.equal(await sandbox.files.read("/home/user/rel/a.txt"), "short");
    assert.equal(await Deno.readTextFile(join(dir, "home/user/rel/a.txt")), "short");
  }));

Deno.test("files.read() returns a 5 MB binary file byte-identical as bytes and as a stream", () =>
  withSandbox(async ({ sandbox }) => {
    const bytes = randomBytes(5 * 1024 * 1024, 7);
    await sandbox.files.write(`${PROJECT}/big.bin`, bytes.buffer as ArrayBuffer);
    const back = await sandbox.files.read(`${PROJECT}/big.bin`, { format: "bytes" });
    assert.equal(back.length, bytes.length);
    assert.equal(sha256(back), sha256(bytes));
    const stream = await sandbox.files.read(`${PROJECT}/big.bin`, { format: "stream" });
    const streamed = new Uint8Array(await new Response(stream).arrayBuffer());
    assert.equal(sha256(streamed), sha256(bytes));
  }));

Deno.test("files.write() streams a ReadableStream body (octet-stream upload)", () =>
  withSandbox(async ({ sandbox, dir }) => {
    const bytes = randomBytes(300_000, 3);
    await sandbox.files.write(`${PROJECT}/streamed.bin`, new Blob([bytes]).stream());
    const onDisk = await Deno.readFile(join(dir, "home/user/project/streamed.bin"));
    assert.equal(sha256(onDisk), sha256(bytes));
  }));

Deno.test("files.read() of an empty file and of a missing file", () =>
  withSandbox(async ({ sandbox }) => {
    await sandbox.files.write(`${PROJECT}/empty`, "");
    assert.equal(await sandbox.files.read(`${PROJECT}/empty`), "");
    assert.equal((await sandbox.files.read(`${PROJECT}/empty`, { format: "bytes" })).length, 0);
    await assert.rejects(sandbox.files.read(`${PROJECT}/missing.txt`), FileNotFoundError);
  }));

Deno.test("files.writeFiles() uploads several files in one multipart request", () =>
  withSandbox(async ({ sandbox }) => {
    const infos = await sandbox.files.writeFiles([
      { path: `${PROJECT}/m/one.txt`, data: "1" },
      { path: `${PROJECT}/m/deep/two.txt`, data: "22" },
    ]);
    assert.deepEqual(infos.map((info) => info.path), [
      `${PROJECT}/m/one.txt`,
      `${PROJECT}/m/deep/two.txt`,
    ]);
    assert.equal(await sandbox.files.read(`${PROJECT}/m/deep/two.txt`), "22");
  }));

Deno.test("files.list() honours depth and reports sizes, types and modification times", () =>
  withSandbox(async ({ sandbox }) => {
    await sandbox.files.write(`${PROJECT}/a.txt`, "aaa");
    await sandbox.files.write(`${PROJECT}/src/b.ts`, "bb");
    await sandbox.files.write(`${PROJECT}/src/lib/c with space.ts`, "c");
    const shallow = await sandbox.files.list(PROJECT);
    assert.deepEqual(shallow.map((entry) => [entry.name, entry.type]), [
      ["a.txt", FileType.FILE],
      ["src", FileType.DIR],
    ]);
    const deep = await sandbox.files.list(PROJECT, { depth: 3 });
    assert.deepEqual(deep.map((entry) => entry.path), [
      `${PROJECT}/a.txt`,
      `${PROJECT}/src`,
      `${PROJECT}/src/b.ts`,
      `${PROJECT}/src/lib`,
      `${PROJECT}/src/lib/c with space.ts`,
    ]);
    const a = deep[0]!;
    assert.equal(a.size, 3);
    assert.equal(a.permissions.length, 10);
    assert.ok(
      a.modifiedTime instanceof Date && Math.abs(a.modifiedTime.getTime() - Date.now()) < 60_000,
    );
    assert.equal((await sandbox.files.list(PROJECT, { depth: 2 })).length, 4);
    await assert.rejects(sandbox.files.list(`${PROJECT}/nope`), FileNotFoundError);
  }));

Deno.test("files.exists() and getInfo() for files, directories and missing paths", () =>
  withSandbox(async ({ sandbox }) => {
    await sandbox.files.write(`${PROJECT}/x.txt`, "12345");
    assert.equal(await sandbox.files.exists(`${PROJECT}/x.txt`), true);
    assert.equal(await sandbox.files.exists(PROJECT), true);
    assert.equal(await sandbox.files.exists(`${PROJECT}/y.txt`), false);
    const info = await sandbox.files.getInfo(`${PROJECT}/x.txt`);
    assert.deepEqual([info.name, info.type, info.size, info.path], [
      "x.txt",
      FileType.FILE,
      5,
      `${PROJECT}/x.txt`,
    ]);
    assert.equal((await sandbox.files.getInfo(PROJECT)).type, FileType.DIR);
    await assert.rejects(sandbox.files.getInfo(`${PROJECT}/y.txt`), FileNotFoundError);
  }));

Deno.test("files.makeDir() creates parents and says false for an existing directory", () =>
  withSandbox(async ({ sandbox, dir }) => {
    assert.equal(await sandbox.files.makeDir(`${PROJECT}/d1/d2/d3`), true);
    assert.ok((await Deno.stat(join(dir, "home/user/project/d1/d2/d3"))).isDirectory);
    assert.equal(await sandbox.files.makeDir(`${PROJECT}/d1/d2`), false);
  }));

Deno.test("files.rename() moves into new directories and replaces an existing file", () =>
  withSandbox(async ({ sandbox }) => {
    await sandbox.files.write(`${PROJECT}/.a.tmp`, "new");
    await sandbox.files.write(`${PROJECT}/deep/a.txt`, "old");
    const moved = await sandbox.files.rename(`${PROJECT}/.a.tmp`, `${PROJECT}/deep/a.txt`);
    assert.deepEqual([moved.path, moved.type, moved.size], [`${PROJECT}/deep/a.txt`, "file", 3]);
    assert.equal(await sandbox.files.read(`${PROJECT}/deep/a.txt`), "new");
    assert.equal(await sandbox.files.exists(`${PROJECT}/.a.tmp`), false);
    await sandbox.files.rename(`${PROJECT}/deep`, `${PROJECT}/x/y/deeper`);
    assert.equal(await sandbox.files.read(`${PROJECT}/x/y/deeper/a.txt`), "new");
    await assert.rejects(
      sandbox.files.rename(`${PROJECT}/gone`, `${PROJECT}/other`),
      FileNotFoundError,
    );
  }));

Deno.test("files.remove() deletes files and whole trees; a missing path is not an error", () =>
  withSandbox(async ({ sandbox, dir }) => {
    await sandbox.files.write(`${PROJECT}/t/1.txt`, "1");
    await sandbox.files.write(`${PROJECT}/t/sub/2.txt`, "2");
    await sandbox.files.remove(`${PROJECT}/t/1.txt`);
    assert.equal(await sandbox.files.exists(`${PROJECT}/t/1.txt`), false);
    await sandbox.files.remove(`${PROJECT}/t`);
    await assert.rejects(Deno.stat(join(dir, "home/user/project/t")), Deno.errors.NotFound);
    await sandbox.files.remove(`${PROJECT}/t`);
  }));

Deno.test("files.write() with gzip sends a compressed octet-stream body that lands decompressed", () =>
  withSandbox(async ({ sandbox, dir }) => {
    const text = "compress me ".repeat(1000);
    await sandbox.files.write(`${PROJECT}/z.txt`, text, { gzip: true });
    assert.equal(await Deno.readTextFile(join(dir, "home/user/project/z.txt")), text);
    assert.equal(await sandbox.files.read(`${PROJECT}/z.txt`, { gzip: true }), text);
  }));
