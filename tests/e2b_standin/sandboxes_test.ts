/**
 * One stand-in, several sandboxes (routed on `E2b-Sandbox-Id`), the env-var way into debug
 * mode, and what the SDK reports for a sandbox that is gone or a stand-in that stopped.
 */
import assert from "node:assert/strict";
import { Sandbox, SandboxNotFoundError, TimeoutError } from "e2b";
import { startEnvdStandin } from "./standin.ts";
import { connect, withSandbox } from "./standin_support.ts";

Deno.test("two sandboxes on one stand-in keep separate files", () =>
  withSandbox(async ({ standin, sandbox }) => {
    await standin.createSandbox("other");
    const other = await connect(standin, "other");
    await sandbox.files.write("/home/user/same.txt", "first");
    await other.files.write("/home/user/same.txt", "second");
    assert.equal(await sandbox.files.read("/home/user/same.txt"), "first");
    assert.equal(await other.files.read("/home/user/same.txt"), "second");
    assert.equal(
      await Deno.readTextFile(`${standin.sandboxDir("other")}/home/user/same.txt`),
      "second",
    );
  }));

Deno.test("E2B_DEBUG and E2B_SANDBOX_URL alone point Sandbox.connect() at the stand-in", () =>
  withSandbox(async ({ standin, id }) => {
    const saved = { debug: Deno.env.get("E2B_DEBUG"), url: Deno.env.get("E2B_SANDBOX_URL") };
    Deno.env.set("E2B_DEBUG", "true");
    Deno.env.set("E2B_SANDBOX_URL", standin.url);
    try {
      const sandbox = await Sandbox.connect(id);
      await sandbox.files.write("/home/user/env.txt", "via env");
      assert.equal(
        await Deno.readTextFile(`${standin.sandboxDir(id)}/home/user/env.txt`),
        "via env",
      );
    } finally {
      for (const [name, value] of [["E2B_DEBUG", saved.debug], ["E2B_SANDBOX_URL", saved.url]]) {
        if (value === undefined) Deno.env.delete(name!);
        else Deno.env.set(name!, value);
      }
    }
  }));

Deno.test("a sandbox whose directory is gone answers like a dead E2B sandbox", () =>
  withSandbox(async ({ standin }) => {
    const ghost = await connect(standin, "ghost");
    await assert.rejects(ghost.files.read("/home/user/a.txt"), TimeoutError);
    await assert.rejects(ghost.files.list("/home/user"), TimeoutError);
    await assert.rejects(ghost.commands.run("true"), SandboxNotFoundError);
  }));

Deno.test("closing the stand-in ends a running command's stream with an error", async () => {
  const root = await Deno.makeTempDir({ prefix: "envd-standin-" });
  const standin = await startEnvdStandin({ root });
  try {
    await standin.createSandbox("s1");
    const sandbox = await connect(standin, "s1");
    const handle = await sandbox.commands.run("sleep 30", { background: true });
    const waited = handle.wait().then(() => "finished", (error: Error) => error);
    await standin.close();
    const outcome = await waited;
    assert.ok(outcome instanceof Error, `expected an error, got ${outcome}`);
    await assert.rejects(sandbox.files.read("/home/user/x"));
  } finally {
    await standin.close();
    await Deno.remove(root, { recursive: true });
  }
});
