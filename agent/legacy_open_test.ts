import assert from "node:assert/strict";
import { join } from "node:path";
import { flockHolder, holdLock, type LockHolder } from "../tests/support/lock_holder.ts";
import { StateDb } from "./state_db.ts";

const STATE_HOME = new URL("./state_home.ts", import.meta.url).href;
const CLI = new URL("./cli.ts", import.meta.url).pathname;

/** Runs `code` (with `statePaths` and `migrateLegacyState` in scope) in its own process. */
async function evalWith(env: Record<string, string>, code: string): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { migrateLegacyState, statePaths } from ${JSON.stringify(STATE_HOME)}; ${code}`,
    ],
    env,
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout).trim();
}

// A `sandsync status` started while a daemon moves an older agent's state out of the root must
// not wait for the lock the daemon then keeps for its whole life (it waited 30 s, then failed).
// Every actor is its own process, as on a user's machine; the test holds no lock or database.
Deno.test("status beside a lock holder that migrated the legacy state answers at once", async () => {
  const home = await Deno.makeTempDir();
  const root = await Deno.makeTempDir();
  const env = { SANDSYNC_STATE_HOME: home };
  let holder: LockHolder | undefined;
  try {
    await Deno.mkdir(join(root, ".sandsync"));
    const workspaceId = crypto.randomUUID();
    const legacy = new StateDb(join(root, ".sandsync/state.db"));
    legacy.setMeta("workspace_id", workspaceId);
    legacy.setMeta("replica_id", crypto.randomUUID());
    legacy.setMeta("api_url", "http://127.0.0.1:9");
    legacy.close();
    const paths = JSON.parse(
      await evalWith(env, `console.log(JSON.stringify(statePaths(${JSON.stringify(root)})))`),
    ) as { dir: string; lock: string };
    await Deno.mkdir(paths.dir, { recursive: true });
    // The daemon: another process holding the directory lock, and keeping it.
    holder = await holdLock(flockHolder(paths.lock));
    const started = Date.now();
    const status = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "status", root, "--json"],
      env: { ...env, SUPABASE_URL: "http://127.0.0.1:9", SANDSYNC_TOKEN: "unused" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    // Meanwhile the holder's side moves the state out (the daemon does, then keeps the lock).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(
      await evalWith(
        env,
        `console.log(migrateLegacyState(${JSON.stringify(root)},
        statePaths(${JSON.stringify(root)})))`,
      ),
      "true",
    );
    const answer = await status;
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds < 10, `status took ${seconds} s: it waited for the holder's lock`);
    // It read the migrated state (the server is unreachable here: only the local part counts).
    assert.equal(answer.code, 0, new TextDecoder().decode(answer.stderr));
    const body = JSON.parse(new TextDecoder().decode(answer.stdout));
    assert.equal(body.workspaceId, workspaceId);
    assert.equal(body.stateDir, paths.dir);
  } finally {
    await holder?.stop();
    await Deno.remove(home, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});
