/**
 * Propagation latency between two synced directories: the time from the start of a write in
 * directory A to the moment the file in directory B holds exactly the bytes written (checked
 * on every inotify event under B, and every 10 ms in case an event is missed).
 *
 * @module
 */
import { join } from "node:path";

/** Options of {@linkcode measurePropagation}. */
export interface PropagationOptions {
  /** How many edits are timed (after one untimed creation of each file). */
  readonly edits: number;
  /** Files the edits rotate over (created under `lat/`). */
  readonly files?: number;
  /** Quiet time after each edit arrived, before the next one, ms. */
  readonly pauseMs?: number;
  /** Give up on one edit after this long, ms. */
  readonly timeoutMs?: number;
  readonly onProgress?: (done: number) => void;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Watches `dir` and lets a waiter sleep until the next event (or a timeout). */
function eventGate(dir: string) {
  const watcher = Deno.watchFs(dir, { recursive: true });
  let wake: (() => void) | undefined;
  (async () => {
    try {
      for await (const _ of watcher) wake?.();
    } catch { /* closed */ }
  })();
  return {
    next: (timeoutMs: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      }),
    close: () => watcher.close(),
  };
}

async function holds(path: string, expected: Uint8Array): Promise<boolean> {
  try {
    const bytes = await Deno.readFile(path);
    return bytes.byteLength === expected.byteLength && bytes.every((b, i) => b === expected[i]);
  } catch {
    return false;
  }
}

/** Writes `edits` times in `a` and times each until `b` holds the bytes; returns ms samples. */
export async function measurePropagation(
  a: string,
  b: string,
  options: PropagationOptions,
): Promise<number[]> {
  const files = options.files ?? 20;
  await Deno.mkdir(join(a, "lat"), { recursive: true });
  const gate = eventGate(b);
  const samples: number[] = [];
  try {
    // The first round creates the files (and `lat/`): not timed, the edits after it are.
    for (let i = 0; i < options.edits + files; i++) {
      const path = `lat/file-${i % files}.txt`;
      const body = new TextEncoder().encode(
        `edit ${i} at ${new Date().toISOString()}\n${"x".repeat(200 + (i % 7) * 100)}\n`,
      );
      const started = performance.now();
      await Deno.writeFile(join(a, path), body);
      const deadline = started + (options.timeoutMs ?? 10_000);
      while (!await holds(join(b, path), body)) {
        if (performance.now() > deadline) {
          throw new Error(
            `edit ${i} of "${path}" did not reach B in ${options.timeoutMs ?? 10_000} ms`,
          );
        }
        await gate.next(10);
      }
      if (i >= files) samples.push(performance.now() - started);
      options.onProgress?.(samples.length);
      await sleep(options.pauseMs ?? 250);
    }
  } finally {
    gate.close();
  }
  return samples;
}
