/**
 * Processes for benchmarks: a command run to completion and timed, with its peak resident
 * memory (`VmHWM` of `/proc/<pid>/status`, sampled while it runs: the high-water mark only
 * grows, so the last sample before exit is the peak), and the machine's load average.
 *
 * @module
 */

const live = new Set<Deno.ChildProcess>();

/** SIGTERMs every {@linkcode runTimed} process still running (a benchmark interrupted). */
export function stopRunning(): void {
  for (const child of live) {
    try {
      child.kill("SIGTERM");
    } catch { /* exited already */ }
  }
}

/** What a timed run gives back. */
export interface TimedRun {
  readonly code: number;
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set size in bytes (0 when `/proc` could not be read). */
  readonly peakRss: number;
}

/** `VmHWM` of a running process, in bytes (0 when it cannot be read). */
export async function peakRssOf(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    return kib * 1024;
  } catch {
    return 0; // exited between two samples
  }
}

/** Runs `command` to completion, timed, sampling its peak RSS every `sampleMs`. */
export async function runTimed(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; sampleMs?: number } = {},
): Promise<TimedRun> {
  const started = performance.now();
  const child = new Deno.Command(command, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  live.add(child);
  let peakRss = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peakRss = Math.max(peakRss, await peakRssOf(child.pid));
      await new Promise((resolve) => setTimeout(resolve, options.sampleMs ?? 50));
    }
  })();
  const output = await child.output().finally(() => live.delete(child));
  const ms = performance.now() - started;
  running = false;
  await sampler;
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: output.code,
    ms,
    stdout: text(output.stdout),
    stderr: text(output.stderr),
    peakRss,
  };
}

/** Throws with the process's stderr unless it exited 0. */
export function ensureOk(run: TimedRun, what: string): TimedRun {
  if (run.code !== 0) throw new Error(`${what}: exit ${run.code}: ${run.stderr.slice(-2000)}`);
  return run;
}

/** The 1/5/15-minute load averages (`/proc/loadavg`), as `uptime` prints them. */
export function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(", ");
  } catch {
    return "unknown";
  }
}
