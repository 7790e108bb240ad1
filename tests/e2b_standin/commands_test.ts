/**
 * The real `e2b` SDK's `sandbox.commands` against the envd stand-in: commands run as real
 * subprocesses with their cwd inside the sandbox directory, so the bridge can hash files
 * where they live.
 */
import assert from "node:assert/strict";
import { CommandExitError } from "e2b";
import { randomBytes, sha256, withSandbox } from "./standin_support.ts";

const PROJECT = "/home/user/project";

Deno.test("commands.run('sha256sum ...') in the project dir hashes what files.write() wrote", () =>
  withSandbox(async ({ sandbox }) => {
    const big = randomBytes(1024 * 1024, 11);
    await sandbox.files.write(`${PROJECT}/big.bin`, big.buffer as ArrayBuffer);
    await sandbox.files.write(`${PROJECT}/dir with space/ü.txt`, "unicode\n");
    const result = await sandbox.commands.run("sha256sum -- big.bin 'dir with space/ü.txt'", {
      cwd: PROJECT,
    });
    assert.equal(result.exitCode, 0);
    const lines = result.stdout.trim().split("\n");
    assert.deepEqual(lines, [
      `${sha256(big)}  big.bin`,
      `${sha256(new TextEncoder().encode("unicode\n"))}  dir with space/ü.txt`,
    ]);
  }));

Deno.test("commands.run() defaults cwd to the user's home and sees the sandbox env", () =>
  withSandbox(async ({ sandbox, id, dir }) => {
    await sandbox.files.write("/home/user/marker.txt", "here");
    const result = await sandbox.commands.run(
      'cat marker.txt; echo; echo "$E2B_SANDBOX $E2B_SANDBOX_ID $FOO"; stat -c %s marker.txt',
      { envs: { FOO: "bar" } },
    );
    assert.deepEqual(result.stdout.split("\n").slice(0, 3), ["here", `true ${id} bar`, "4"]);
    const pwd = await sandbox.commands.run("pwd -P");
    assert.equal(pwd.stdout.trim(), await Deno.realPath(`${dir}/home/user`));
  }));

Deno.test("commands.run() reports stderr and a non-zero exit as CommandExitError", () =>
  withSandbox(async ({ sandbox }) => {
    const error = await sandbox.commands.run("echo out; echo oops >&2; exit 3").then(
      () => assert.fail("expected CommandExitError"),
      (error: unknown) => error,
    );
    assert.ok(error instanceof CommandExitError);
    assert.equal(error.exitCode, 3);
    assert.equal(error.stdout, "out\n");
    assert.equal(error.stderr, "oops\n");
    assert.equal(error.error, "exit status 3");
  }));

Deno.test("commands.run() streams output through onStdout as it comes", () =>
  withSandbox(async ({ sandbox }) => {
    const chunks: string[] = [];
    const result = await sandbox.commands.run("for i in 1 2 3; do echo line$i; sleep 0.05; done", {
      onStdout: (data) => void chunks.push(data),
    });
    assert.equal(result.stdout, "line1\nline2\nline3\n");
    assert.equal(chunks.join(""), result.stdout);
    assert.ok(chunks.length >= 2, `expected several chunks, got ${chunks.length}`);
  }));

Deno.test("a background command can be listed, fed stdin and killed", () =>
  withSandbox(async ({ sandbox }) => {
    const handle = await sandbox.commands.run("cat", { background: true, stdin: true });
    const listed = await sandbox.commands.list();
    assert.ok(listed.some((process) => process.pid === handle.pid));
    await sandbox.commands.sendStdin(handle.pid, "echoed\n");
    await sandbox.commands.closeStdin(handle.pid);
    const result = await handle.wait();
    assert.equal(result.stdout, "echoed\n");
    const sleeper = await sandbox.commands.run("sleep 30", { background: true });
    assert.equal(await sandbox.commands.kill(sleeper.pid), true);
    const killed = await sleeper.wait().catch((error: unknown) => error);
    assert.ok(killed instanceof CommandExitError);
    assert.equal(killed.error, "signal: killed");
    assert.equal(await sandbox.commands.kill(sleeper.pid), false);
  }));

Deno.test("commands.run() with a missing cwd is refused", () =>
  withSandbox(async ({ sandbox }) => {
    await assert.rejects(
      sandbox.commands.run("true", { cwd: "/home/user/does-not-exist" }),
      (error: Error) => error.name === "InvalidArgumentError",
    );
  }));
