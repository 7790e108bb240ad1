/**
 * The `sandsync` agent as benchmarks run it: real processes (`deno run -A agent/cli.ts`, the
 * task's own entry point, so the pid sampled for memory is the agent's), one-shot runs timed
 * with their `--json` outcome, and watch daemons stopped with SIGTERM.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentConfig } from "../../agent/agent.ts";
import type { RequestCounts } from "./counting_proxy.ts";
import { ensureOk, peakRssOf, runTimed } from "./procs.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
/** `BENCH_AGENT_CLI`: another checkout's `agent/cli.ts`, to time an older agent against this one. */
const CLI = Deno.env.get("BENCH_AGENT_CLI") ?? join(ROOT, "agent", "cli.ts");

/** The `--json` outcome of a run (the fields benchmarks read). */
export interface RunOutcome {
  readonly uploaded: number;
  readonly downloaded: number;
  readonly deleted: number;
  readonly skipped: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly hashed: number;
}

/** One timed `sandsync sync --json` run. */
export interface AgentRun {
  /** Wall time of the process (start-up included), ms. */
  readonly ms: number;
  readonly peakRss: number;
  readonly outcome: RunOutcome;
  /** Its HTTP requests per endpoint, when it ran through a counting proxy (counting_proxy.ts). */
  readonly requests?: RequestCounts;
}

function env(config: AgentConfig): Record<string, string> {
  return {
    SUPABASE_URL: config.url,
    SUPABASE_ANON_KEY: config.anonKey ?? "",
    SANDSYNC_TOKEN: config.token,
  };
}

/** Runs `sandsync sync <dir> --json` to completion. */
export async function syncOnce(config: AgentConfig, dir: string): Promise<AgentRun> {
  const run = ensureOk(
    await runTimed(Deno.execPath(), ["run", "-A", CLI, "sync", dir, "--json", "--quiet"], {
      env: env(config),
      cwd: ROOT,
    }),
    `sandsync sync ${dir}`,
  );
  const outcome = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as RunOutcome;
  return { ms: run.ms, peakRss: run.peakRss, outcome };
}

/** A running `sandsync watch` daemon. */
export interface WatchDaemon {
  readonly pid: number;
  /** The last lines it wrote to stderr (for error reports). */
  tail(): string;
  /** Its peak RSS so far, bytes. */
  peakRss(): Promise<number>;
  /** SIGTERM, then waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts `sandsync watch <dir>` (its `--json` outcomes are drained, not kept). */
export function startWatch(config: AgentConfig, dir: string): WatchDaemon {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "watch", dir],
    env: env(config),
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let tail = "";
  const drained = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      tail = (tail + chunk).slice(-4000);
    }
  })().catch(() => {});
  let stopped: Promise<void> | undefined;
  return {
    pid: child.pid,
    tail: () => tail,
    peakRss: () => peakRssOf(child.pid),
    stop: () =>
      stopped ??= (async () => {
        try {
          child.kill("SIGTERM");
        } catch { /* exited already */ }
        await child.status;
        await drained;
      })(),
  };
}
