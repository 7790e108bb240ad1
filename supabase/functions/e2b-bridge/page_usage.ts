/**
 * What one request costs the function, against a hosted function's limits (2 s of CPU per
 * request, 256 MB of memory, 150 s of wall clock): CPU time (user + system, of the whole
 * process, so concurrent requests count too: an upper bound), wall time and peak memory (the
 * V8 heap plus external buffers, and the process's resident set), sampled every few
 * milliseconds while the work runs and once more at its end. Paged operations log one line per
 * page (`logPage`), so long runs show whether a page size still fits.
 *
 * @module
 */
import process from "node:process";

/** The cost of one piece of work. */
export interface Usage {
  /** CPU time in ms; `null` where the runtime does not report it. */
  readonly cpuMs: number | null;
  readonly wallMs: number;
  /** Peak of V8 heap used plus external memory, MB; `null` where not reported. */
  readonly heapMb: number | null;
  /** Peak resident set size, MB; `null` where not reported. */
  readonly rssMb: number | null;
}

const SAMPLE_MS = 5;
const MB = 1024 * 1024;

function cpuNow(): number | null {
  try {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  } catch {
    return null;
  }
}

function memoryNow(): { heap: number; rss: number } | null {
  try {
    const usage = Deno.memoryUsage();
    return { heap: usage.heapUsed + usage.external, rss: usage.rss };
  } catch {
    return null;
  }
}

/** A running measurement: `stop()` ends it and answers the figures. */
export interface Meter {
  stop(): Usage;
}

/** Starts measuring now (sampling memory until `stop`). */
export function startMeter(): Meter {
  const cpu = cpuNow();
  const started = performance.now();
  let heap = 0;
  let rss = 0;
  let sampled = false;
  const sample = () => {
    const memory = memoryNow();
    if (!memory) return;
    sampled = true;
    heap = Math.max(heap, memory.heap);
    rss = Math.max(rss, memory.rss);
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const cpuEnd = cpuNow();
      const round = (value: number) => Math.round(value * 10) / 10;
      return {
        cpuMs: cpu === null || cpuEnd === null ? null : round(cpuEnd - cpu),
        wallMs: round(performance.now() - started),
        heapMb: sampled ? round(heap / MB) : null,
        rssMb: sampled ? round(rss / MB) : null,
      };
    },
  };
}

/**
 * Runs one page of a paged operation and logs a line of JSON (`event: "page"`) with `fields`,
 * the page's own `summary` of its result (or `failed` and the error's code) and its
 * {@linkcode Usage}.
 */
export async function logPage<T>(
  fields: Readonly<Record<string, unknown>>,
  work: () => Promise<T>,
  summary: (result: T) => Readonly<Record<string, unknown>> = () => ({}),
): Promise<T> {
  const meter = startMeter();
  try {
    const result = await work();
    console.log(JSON.stringify({ event: "page", ...fields, ...summary(result), ...meter.stop() }));
    return result;
  } catch (error) {
    const failed = (error as { code?: unknown })?.code ?? (error as Error)?.name ?? "error";
    console.log(JSON.stringify({ event: "page", ...fields, failed, ...meter.stop() }));
    throw error;
  }
}
