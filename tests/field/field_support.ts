/**
 * Helpers of the process-level ("field") suite: the agent is only ever run as a user or a
 * supervisor runs it, as separate `sandsync` processes (init, watch, flush, status, ...),
 * started and killed with signals. The test process holds no handle on an agent's state and
 * no agent object: what it checks comes from the CLI's answers, the files on disk, and the
 * server's rows (the oracle).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentConfig } from "../../agent/agent.ts";
import { newUser } from "../support/api.ts";
import { cliEnv } from "../agent/support.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "agent/cli.ts");

// Every process of this suite keeps agent state under one temp state home (inherited by the
// children), so nothing lands in the user's ~/.local/state and cleanup is one removal.
const STATE_HOME = Deno.makeTempDirSync({ prefix: "sandsync-field-state-" });
Deno.env.set("SANDSYNC_STATE_HOME", STATE_HOME);

/** A fresh user, its config, and a workspace name. */
export async function account(label: string) {
  const { client, env } = await newUser(label);
  const config: AgentConfig = { url: env.apiUrl, anonKey: env.anonKey, token: client.bearer };
  return { config, client, workspace: `ws-${crypto.randomUUID().slice(0, 8)}` };
}

/** The answer of one finished `sandsync` process. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `sandsync <args>` (as `deno run agent/cli.ts`) to completion. */
export async function cli(config: AgentConfig, args: string[]): Promise<CliResult> {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", CLI, ...args],
    cwd: ROOT,
    env: cliEnv(config),
    stdin: "null",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: output.code,
    stdout: text(output.stdout),
    stderr: text(output.stderr),
    ms: Math.round(performance.now() - started),
  };
}

/** `sandsync status --json` parsed, with its exit code. */
export async function status(config: AgentConfig, dir: string) {
  const result = await cli(config, ["status", dir, "--json"]);
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(result.stdout);
  } catch { /* failed: see stderr */ }
  return { ...result, body };
}

/** A temp directory initialised by `sandsync init`; returns its path and workspace id. */
export async function initRoot(
  config: AgentConfig,
  workspace: string,
  fill?: (dir: string) => Promise<void>,
  extra: string[] = [],
): Promise<{ dir: string; workspaceId: string }> {
  const dir = await Deno.makeTempDir({ prefix: "sandsync-field-" });
  if (fill) await fill(dir);
  const result = await cli(config, ["init", dir, "--workspace", workspace, "--json", ...extra]);
  if (result.code !== 0) throw new Error(`init failed: ${result.stderr}`);
  return { dir, workspaceId: JSON.parse(result.stdout).workspaceId };
}

/** A long-running `sandsync` process (a daemon) whose output is collected as it comes. */
export class Proc {
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  readonly #drained: Promise<void>;

  constructor(config: AgentConfig, args: string[]) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", CLI, ...args],
      cwd: ROOT,
      env: cliEnv(config),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const drain = async (stream: ReadableStream<Uint8Array>, into: "stdout" | "stderr") => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) this[into] += decoder.decode(chunk, { stream: true });
    };
    this.#drained = Promise.all([
      drain(this.child.stdout, "stdout"),
      drain(this.child.stderr, "stderr"),
    ]).then(() => {});
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Sends `signal` (no wait). */
  signal(signal: Deno.Signal): void {
    try {
      this.child.kill(signal);
    } catch { /* exited */ }
  }

  /** Waits for the exit; returns its code. */
  async exit(): Promise<number> {
    const { code } = await this.child.status;
    await this.#drained;
    return code;
  }

  /**
   * Sends `signal` and waits for the exit: its code and how long it took. A process still up
   * after 10 s is killed (SIGKILL) so that a test fails instead of hanging.
   */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<{ code: number; ms: number }> {
    const started = performance.now();
    this.signal(signal);
    const timer = setTimeout(() => this.signal("SIGKILL"), 10_000);
    try {
      const code = await this.exit();
      return { code, ms: Math.round(performance.now() - started) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Starts `sandsync watch dir` and waits until `status` beside it reports it watching. */
export async function startDaemon(config: AgentConfig, dir: string): Promise<Proc> {
  const daemon = new Proc(config, ["watch", dir]);
  let last = "";
  try {
    await eventually(
      async () => {
        const answer = await status(config, dir);
        last = `status exit ${answer.code}: ${answer.stdout.slice(0, 600)} ${
          answer.stderr.slice(-300)
        }`;
        // (Its first run done: idle. A daemon that reports no phase counts as up once watching.)
        const phase = (answer.body.daemon as { phase?: string } | undefined)?.phase;
        return answer.body.watching === true && (phase === undefined || phase === "idle");
      },
      30_000,
      `the daemon of "${dir}" to answer`,
    );
  } catch (error) {
    await daemon.stop("SIGKILL");
    throw new Error(`${error}; last ${last}; daemon stderr: ${daemon.stderr.slice(-1500)}`);
  }
  return daemon;
}

/** Polls `check` until it holds or `timeoutMs` passes. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  what = "condition",
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Removes test roots (their state lives under the suite's state home, removed at exit). */
export async function removeDirs(...dirs: string[]): Promise<void> {
  for (const dir of dirs) await Deno.remove(dir, { recursive: true }).catch(() => {});
}

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(STATE_HOME, { recursive: true });
  } catch { /* gone */ }
});
