/**
 * `deno task demo`, the README's run command: starts the local stack, signs in a demo user,
 * creates a workspace, and runs two `sandsync watch` agents on `.local/demo/sandbox` (the AI
 * agent's side) and `.local/demo/phone` (the person's side). It then proves a two-way sync on
 * this machine (a file written on one side appears on the other, and back), prints how long each
 * took, and keeps running so you can edit either directory yourself. Ctrl-C stops everything.
 *
 * `--once` exits after the demonstration (status 0 when both directions synced), for scripts.
 * `SANDSYNC_DEMO_DIR` moves the two directories.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadStackConfig } from "../local_stack/config.ts";
import { type Stack, startStack } from "../local_stack/stack.ts";
import { createUser } from "../local_stack/users.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const { values } = parseArgs({ args: Deno.args, options: { once: { type: "boolean" } } });
const demoDir = Deno.env.get("SANDSYNC_DEMO_DIR") ?? join(ROOT, ".local", "demo");
const sides = { sandbox: join(demoDir, "sandbox"), phone: join(demoDir, "phone") };

const agents: Deno.ChildProcess[] = [];
let stack: Stack | undefined;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const agent of agents) {
      try {
        agent.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    await Promise.all(agents.map((agent) => agent.status.catch(() => {})));
    await stack?.stop();
  }
  Deno.exit(code);
}
Deno.addSignalListener("SIGINT", () => stop(0));
Deno.addSignalListener("SIGTERM", () => stop(0));

/** Runs `sandsync <args>` to completion; throws with its output when it fails. */
async function sandsync(env: Record<string, string>, args: string[]): Promise<void> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "agent", "cli.ts"), ...args, "--quiet"],
    env,
    stdin: "null",
  }).output();
  if (!output.success) {
    throw new Error(
      `sandsync ${args.join(" ")} failed:\n${new TextDecoder().decode(output.stderr)}`,
    );
  }
}

/** Waits until `path` holds `content`; returns the milliseconds it took. */
async function arrival(path: string, content: string, since: number, timeoutMs = 15_000) {
  while (performance.now() - since < timeoutMs) {
    try {
      if (await Deno.readTextFile(path) === content) return performance.now() - since;
    } catch { /* not there yet */ }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${path} did not receive the change within ${timeoutMs / 1000} s`);
}

try {
  const started = performance.now();
  stack = await startStack(loadStackConfig());
  console.log(
    `Local stack up at ${stack.apiUrl} in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s (env file: ${stack.envFile}).`,
  );
  const user = await createUser(stack.dbUrl, "demo@sandsync.local", {
    jwtSecret: stack.jwtSecret,
    ttlSeconds: 7 * 24 * 3600,
  });
  const env = {
    ...Deno.env.toObject(),
    SUPABASE_URL: stack.apiUrl,
    SUPABASE_ANON_KEY: stack.anonKey,
    SANDSYNC_TOKEN: user.accessToken,
  };
  // A fresh demo each run: the workspace is new, so are the directories.
  await Deno.remove(demoDir, { recursive: true }).catch(() => {});
  const workspace = `demo-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "")}`;
  console.log(`Creating workspace "${workspace}" and two agents: sandbox and phone...`);
  for (const dir of Object.values(sides)) {
    await Deno.mkdir(dir, { recursive: true });
    await sandsync(env, ["init", dir, "--workspace", workspace, "--strategy", "auto_merge"]);
  }
  for (const [name, dir] of Object.entries(sides)) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "agent", "cli.ts"), "watch", dir, "--quiet"],
      env,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    agents.push(child);
    child.status.then((status) => {
      if (!stopping) console.error(`The ${name} agent stopped (exit ${status.code}).`);
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 1000)); // both watchers are up

  const there = "export const greeting = 'written in the sandbox';\n";
  let t = performance.now();
  await Deno.mkdir(join(sides.sandbox, "src"), { recursive: true });
  await Deno.writeTextFile(join(sides.sandbox, "src", "hello.ts"), there);
  const forward = await arrival(join(sides.phone, "src", "hello.ts"), there, t);
  const back = "# Notes\n\nEdited on the phone.\n";
  t = performance.now();
  await Deno.writeTextFile(join(sides.phone, "NOTES.md"), back);
  const backward = await arrival(join(sides.sandbox, "NOTES.md"), back, t);

  console.log(`
Two-way sync works, through Supabase (workspace "${workspace}", user demo@sandsync.local):
  sandbox -> phone: src/hello.ts arrived in ${forward.toFixed(0)} ms
  phone -> sandbox: NOTES.md arrived in ${backward.toFixed(0)} ms

Edit files in either directory and watch them appear in the other:
  ${sides.sandbox}
  ${sides.phone}
Status of one side: deno task sandsync status ${sides.phone}
SANDSYNC_TOKEN for the CLI (valid 7 days): ${user.accessToken}
Press Ctrl-C to stop.`);
  if (values.once) await stop(0);
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : error}`);
  await stop(1);
}
