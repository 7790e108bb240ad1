// `deno task start` as a user runs it: a second stack on free ports beside the test stack,
// checked over HTTP, then stopped with SIGTERM and checked for leftovers.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnvFile } from "../support/stack_env.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

async function waitForFile(file: string, child: Deno.ChildProcess, timeoutMs: number) {
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error("deno task start exited before it was ready");
    try {
      return await Deno.readTextFile(file);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`no env file after ${timeoutMs} ms`);
}

/** Every live descendant of `root`, read from /proc. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry.name), ppid);
    } catch { /* exited meanwhile */ }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

Deno.test("deno task start serves functions behind one URL and stops cleanly on SIGTERM", async () => {
  const temp = await Deno.makeTempDir({ prefix: "sandsync-start-" });
  await Deno.chmod(temp, 0o755);
  const stateDir = join(temp, "state");
  const envFile = join(temp, "stack.env");
  const env = {
    SANDSYNC_API_PORT: "0",
    SANDSYNC_DB_PORT: "0",
    SANDSYNC_STATE_DIR: stateDir,
    SANDSYNC_ENV_FILE: envFile,
  };
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "start"],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const stdout = new Response(child.stdout).text();
  const stackProcesses: number[] = [];
  try {
    const values = parseEnvFile(await waitForFile(envFile, child, 60_000));
    const api = values.SUPABASE_URL;
    assert.match(api ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);

    const withKey = await fetch(`${api}/functions/v1/health`, {
      headers: { authorization: `Bearer ${values.SUPABASE_ANON_KEY}` },
    });
    assert.equal(withKey.status, 200);
    assert.equal((await withKey.json()).supabaseUrl, api);

    const withoutKey = await fetch(`${api}/functions/v1/health`);
    assert.equal(withoutKey.status, 401);
    assert.equal(typeof (await withoutKey.json()).code, "string");

    const user = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "user", "start-test@example.com", "--ttl", "10m"],
      cwd: ROOT,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(user.success, new TextDecoder().decode(user.stderr));
    const token = new TextDecoder().decode(user.stdout).trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, "stdout holds only the token");
    const asUser = await fetch(`${api}/functions/v1/health`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(asUser.status, 200);
    await asUser.body?.cancel();
    stackProcesses.push(...descendants(child.pid));
    assert.ok(stackProcesses.length >= 2, "postgres and the health worker run as children");
  } finally {
    child.kill("SIGTERM");
  }
  const status = await child.status;
  const output = await stdout;
  assert.equal(status.code, 0, output);
  assert.match(output, /anon key: ey/);
  assert.match(output, /service_role key: ey/);
  await assert.rejects(Deno.stat(stateDir), "state dir removed");
  await assert.rejects(Deno.stat(envFile), "env file removed");
  assert.deepEqual(stackProcesses.filter(alive), [], "no process of the stack is left");
  await Deno.remove(temp, { recursive: true });
});
