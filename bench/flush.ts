/**
 * Benchmark of `sandsync flush` beside a running `sandsync watch` daemon (real processes, the
 * local stack): N times, a file is written in the watched directory and `sandsync flush --json`
 * runs as its own process until the daemon has committed it. Reported per call: the request to
 * the daemon as flush measures it (`ms` of its `--json` answer: control socket, the daemon's
 * run, its commit) and the whole process's wall time. The baseline, run side by side in the same
 * loop: `sandsync status --json` on the same directory (the same process start-up and control
 * socket, no commit), so the ratio shows what the flush itself costs above starting the CLI.
 *
 * Run through `deno task bench flush`; `BENCH_FLUSH_CALLS` sets N (default 100).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Agent } from "../agent/agent.ts";
import { newAccount } from "../tests/agent/support.ts";
import { startWatch, type WatchDaemon } from "./lib/agent_cli.ts";
import { ensureOk, loadAverage, runTimed, stopRunning } from "./lib/procs.ts";
import { percentile } from "./lib/stats.ts";

const CALLS = Number(Deno.env.get("BENCH_FLUSH_CALLS") ?? 100);
const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const CLI = join(ROOT, "agent", "cli.ts");
const log = (message: string) => console.error(`bench flush: ${message} (load ${loadAverage()})`);

const temp = await Deno.makeTempDir({ prefix: "sandsync-bench-flush-" });
let daemon: WatchDaemon | undefined;
const cleanup = async () => {
  stopRunning();
  await daemon?.stop();
  await Deno.remove(temp, { recursive: true }).catch(() => {});
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => void cleanup().then(() => Deno.exit(130)));
}

try {
  const { config, workspace } = await newAccount("bench-flush");
  const dir = join(temp, "dir");
  await Deno.mkdir(dir);
  (await Agent.init(dir, workspace, config, { log: () => {} })).agent.close();
  daemon = startWatch(config, dir);
  const env = {
    SUPABASE_URL: config.url,
    SUPABASE_ANON_KEY: config.anonKey ?? "",
    SANDSYNC_TOKEN: config.token,
  };
  const cli = (command: string) =>
    runTimed(Deno.execPath(), ["run", "-A", CLI, command, dir, "--json", "--quiet"], {
      env,
      cwd: ROOT,
    });
  // Wait until the daemon answers (its first run done), untimed.
  for (let i = 0;; i++) {
    const ready = await cli("status");
    const seen = ready.code === 0
      ? JSON.parse(ready.stdout.trim().split("\n").at(-1)!) as {
        daemon: unknown;
        lastSuccessAt: string | null;
      }
      : undefined;
    if (seen?.daemon && seen.lastSuccessAt) break;
    if (i > 100) throw new Error(`the daemon did not come up: ${daemon.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  log(`${CALLS} flushes and as many status calls`);
  const load = loadAverage();
  const flushRequest: number[] = [];
  const flushProcess: number[] = [];
  const statusProcess: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    await Deno.writeTextFile(join(dir, `f-${i % 10}.txt`), `call ${i} ${crypto.randomUUID()}\n`);
    const flushed = ensureOk(await cli("flush"), "sandsync flush");
    const answer = JSON.parse(flushed.stdout.trim().split("\n").at(-1)!) as { ms?: number };
    if (typeof answer.ms !== "number") {
      throw new Error(`flush ran without the daemon: ${flushed.stdout}`);
    }
    flushRequest.push(answer.ms);
    flushProcess.push(flushed.ms);
    statusProcess.push(ensureOk(await cli("status"), "sandsync status").ms);
  }
  const row = (what: string, samples: number[]) =>
    `| ${what} | ${[50, 90, 99].map((p) => percentile(samples, p).toFixed(0)).join(" | ")} | ${
      Math.max(...samples).toFixed(0)
    } |`;
  const ratio = percentile(flushProcess, 50) / percentile(statusProcess, 50);
  console.log(
    [
      `${CALLS} calls, each after a one-line edit; load before: ${load}, after: ${loadAverage()}`,
      "",
      "| ms | p50 | p90 | p99 | max |",
      "| --- | ---: | ---: | ---: | ---: |",
      row("flush: request to the daemon until its commit (flush's own `ms`)", flushRequest),
      row("flush: whole process (`deno run` start-up included)", flushProcess),
      row("baseline: `status` whole process (same start-up, no commit)", statusProcess),
      "",
      `flush process / status process (p50): ${ratio.toFixed(2)}`,
    ].join("\n"),
  );
} finally {
  await cleanup();
}
