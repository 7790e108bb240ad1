/**
 * Another process holding a lock, as a daemon or an older agent would on a user's machine: a
 * `deno eval` of `code`, which prints `locked` once it holds it. Resolves when it does.
 *
 * @module
 */

/** A running holder: `stop()` kills it (SIGKILL) and releases its pipe. */
export interface LockHolder {
  readonly process: Deno.ChildProcess;
  stop(): Promise<void>;
}

/** Starts `deno eval code` and waits for its `locked` line. */
export async function holdLock(code: string): Promise<LockHolder> {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "piped",
  }).spawn();
  const reader = process.stdout.getReader();
  let said = "";
  while (!said.includes("locked")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the lock holder exited before locking: ${said}`);
    said += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  let stopped: Promise<void> | undefined;
  return {
    process,
    stop: () =>
      stopped ??= (async () => {
        try {
          process.kill("SIGKILL");
        } catch { /* exited */ }
        await process.status;
        await process.stdout.cancel().catch(() => {});
      })(),
  };
}

/** The code of a holder of the `flock` on `file`, kept until it is killed. */
export function flockHolder(file: string): string {
  return `const f = await Deno.open(${JSON.stringify(file)},
      {read: true, write: true, create: true});
    await f.lock(true); console.log("locked"); setInterval(() => {}, 1000);`;
}
