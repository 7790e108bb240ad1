/**
 * The local-edit races of issue 12 §4, each window widened with a test-only delay hook
 * (agent/test_hooks.ts) and hit on purpose through real `sandsync` processes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hashPath, workspaceRows } from "./robust_support.ts";
import { cliEnv, newAccount, newRoot, runCli, write } from "./support.ts";
import type { AgentConfig } from "../../agent/agent.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Runs `sandsync <args>` with extra env; calls `onHook` once the test hook announces itself. */
async function runWithHook(
  config: AgentConfig,
  args: string[],
  env: Record<string, string>,
  onHook: (line: string) => Promise<void>,
): Promise<{ code: number; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "agent/cli.ts"), ...args],
    cwd: ROOT,
    env: { ...cliEnv(config), ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  let fired = false;
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    stderr += decoder.decode(chunk, { stream: true });
    const line = stderr.split("\n").find((l) => l.startsWith("test hook "));
    if (line && !fired) {
      fired = true;
      await onHook(line);
    }
  }
  const status = await child.status;
  assert.ok(fired, `the test hook never ran: ${stderr}`);
  return { code: status.code, stderr };
}

Deno.test("an edit while a touched file is hashed is not recorded as unchanged", async () => {
  const { config, workspace } = await newAccount("race-hash");
  const a = await newRoot(config, workspace);
  const workspaceId = a.workspaceId;
  a.close();
  try {
    await write(a.dir, "notes.txt", "first\n");
    assert.equal((await runCli(config, ["sync", a.dir, "--quiet"])).code, 0);
    // Touched: same bytes, a new mtime, so the next scan hashes it.
    const later = new Date(Date.now() + 5_000);
    await Deno.utime(join(a.dir, "notes.txt"), later, later);
    const run = await runWithHook(
      config,
      ["sync", a.dir, "--quiet"],
      { SANDSYNC_TEST_DELAY_AFTER_HASH_MS: "1500" },
      async () => {
        // The bytes were read already; the edit lands before the stat after hashing.
        await write(a.dir, "notes.txt", "second, edited while hashed\n");
      },
    );
    assert.equal(run.code, 0, run.stderr);
    // An ordinary run afterwards must find the edit and commit it.
    assert.equal((await runCli(config, ["sync", a.dir, "--quiet"])).code, 0);
    const rows = await workspaceRows(workspaceId);
    assert.equal(rows.live["notes.txt"], await hashPath(join(a.dir, "notes.txt")));
  } finally {
    await Deno.remove(a.dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("a local edit right before a remote change's rename is not overwritten", async () => {
  const { config, workspace } = await newAccount("race-rename");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  const workspaceId = a.workspaceId;
  a.close();
  b.close();
  try {
    await write(a.dir, "app.ts", "v1\n");
    assert.equal((await runCli(config, ["sync", a.dir, "--quiet"])).code, 0);
    assert.equal((await runCli(config, ["sync", b.dir, "--quiet"])).code, 0);
    await write(a.dir, "app.ts", "v2 from A\n");
    assert.equal((await runCli(config, ["sync", a.dir, "--quiet"])).code, 0);
    const local = "local edit in B, made while A's v2 was being put in place\n";
    const run = await runWithHook(
      config,
      ["sync", b.dir, "--quiet"],
      { SANDSYNC_TEST_DELAY_BEFORE_RENAME_MS: "1500" },
      async (line) => {
        assert.match(line, /app\.ts/);
        await write(b.dir, "app.ts", local);
      },
    );
    assert.ok(run.code === 0 || run.code === 3, run.stderr);
    // The edit is still there, and the next run commits it against A's change.
    assert.equal(await Deno.readTextFile(join(b.dir, "app.ts")), local);
    const next = await runCli(config, ["sync", b.dir, "--quiet"]);
    assert.ok(next.code === 0 || next.code === 3, next.stderr);
    const rows = await workspaceRows(workspaceId);
    const shas = new Set(rows.versions.map((v) => v.sha256));
    assert.ok(shas.has(await sha(local)), "B's edit is in the workspace's history");
    assert.ok(shas.has(await sha("v2 from A\n")), "A's change is in the workspace's history");
  } finally {
    await Deno.remove(a.dir, { recursive: true }).catch(() => {});
    await Deno.remove(b.dir, { recursive: true }).catch(() => {});
  }
});

async function sha(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

Deno.test("an agent killed after a commit was answered does not commit those bytes again over a later delete", async () => {
  const { config, workspace } = await newAccount("race-restart");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  const workspaceId = a.workspaceId;
  a.close();
  b.close();
  try {
    await write(a.dir, "plan.md", "v1\n");
    await write(a.dir, "keep.txt", "an emptied root would be restored, not deleted\n");
    assert.equal((await runCli(config, ["sync", a.dir, "--quiet"])).code, 0);
    assert.equal((await runCli(config, ["sync", b.dir, "--quiet"])).code, 0);
    await write(a.dir, "plan.md", "v2 from A\n");
    // Killed right after the server acknowledged v2, before A recorded it.
    const killed = await runWithHook(
      config,
      ["sync", a.dir, "--quiet"],
      { SANDSYNC_TEST_KILL_AFTER_COMMIT: "1" },
      async () => {},
    );
    assert.notEqual(killed.code, 0);
    // B sees v2, then deletes the file: the newest state of the workspace.
    assert.equal((await runCli(config, ["sync", b.dir, "--quiet"])).code, 0);
    assert.equal(await Deno.readTextFile(join(b.dir, "plan.md")), "v2 from A\n");
    await Deno.remove(join(b.dir, "plan.md"));
    assert.equal((await runCli(config, ["sync", b.dir, "--quiet"])).code, 0);
    assert.deepEqual(Object.keys((await workspaceRows(workspaceId)).live), ["keep.txt"]);
    // A restarts on its stale state: v2 is not committed again over the delete.
    const restarted = await runCli(config, ["sync", a.dir, "--quiet"]);
    assert.equal(restarted.code, 0, restarted.stderr);
    const rows = await workspaceRows(workspaceId);
    assert.deepEqual(Object.keys(rows.live), ["keep.txt"], "the delete stays the newest state");
    assert.equal(
      rows.versions.filter((v) => v.path === "plan.md" && v.sha256 !== null).length,
      2,
      "v1 and v2, each committed once",
    );
    await assert.rejects(Deno.stat(join(a.dir, "plan.md")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(a.dir, { recursive: true }).catch(() => {});
    await Deno.remove(b.dir, { recursive: true }).catch(() => {});
  }
});
