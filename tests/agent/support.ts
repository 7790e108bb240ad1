/**
 * Helpers for agent integration tests: a user with a workspace, temp directories initialised
 * as sandsync roots, the agent library and real `sandsync` processes.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Agent, type AgentConfig } from "../../agent/agent.ts";
import { statePaths } from "../../agent/state_home.ts";
import { newUser } from "../support/api.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A fresh user and the config agents use. */
export async function newAccount(
  label: string,
): Promise<{ config: AgentConfig; workspace: string }> {
  const { client, env } = await newUser(label);
  return {
    config: { url: env.apiUrl, anonKey: env.anonKey, token: client.bearer },
    workspace: `ws-${crypto.randomUUID().slice(0, 8)}`,
  };
}

/** A temp directory initialised for the workspace; removed by the returned `cleanup`. */
export async function newRoot(
  config: AgentConfig,
  workspace: string,
  options: { strategy?: "last_write_wins" | "user_intervention" | "auto_merge" } = {},
): Promise<Agent> {
  const dir = await Deno.makeTempDir({ prefix: "sandsync-agent-" });
  const { agent } = await Agent.init(dir, workspace, config, { ...options, log: () => {} });
  return agent;
}

/** Closes agents and removes their directories and state. */
export async function cleanup(...agents: Agent[]): Promise<void> {
  for (const agent of agents) {
    agent.close();
    await removeRoot(agent.dir);
  }
}

/** Removes a root and its state directory (outside the root). */
export async function removeRoot(dir: string): Promise<void> {
  const state = statePaths(dir).dir;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.remove(state, { recursive: true }).catch(() => {});
}

/** Writes a file (creating parents). */
export async function write(dir: string, path: string, content: string | Uint8Array) {
  const file = join(dir, path);
  await Deno.mkdir(join(file, ".."), { recursive: true });
  if (typeof content === "string") await Deno.writeTextFile(file, content);
  else await Deno.writeFile(file, content);
}

/** Every synced file under `dir` (without `.sandsync/`) with its text. */
export async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for await (const entry of Deno.readDir(join(dir, rel))) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (path === ".sandsync") continue;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) out[path] = await Deno.readTextFile(join(dir, path));
    }
  };
  await walk("");
  return out;
}

/** Environment of a `sandsync` process for `config`. */
export function cliEnv(config: AgentConfig): Record<string, string> {
  return {
    SUPABASE_URL: config.url,
    SUPABASE_ANON_KEY: config.anonKey ?? "",
    SANDSYNC_TOKEN: config.token,
  };
}

/** Runs `deno task sandsync ...` to completion. */
export async function runCli(config: AgentConfig, args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "sandsync", ...args],
    cwd: ROOT,
    env: cliEnv(config),
    stdin: "null",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

/**
 * Starts a long-running sandsync process (`watch`). Spawned as `deno run` of the task's own
 * entry point so that a SIGKILL reaches the agent itself, not a `deno task` wrapper.
 */
export function spawnCli(config: AgentConfig, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "agent/cli.ts"), ...args],
    cwd: ROOT,
    env: cliEnv(config),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the time taken. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  what = "condition",
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
