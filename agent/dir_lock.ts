/**
 * One process per synced directory, held by a kernel lock: `flock` on a lock file through
 * `Deno.FsFile.lock`. The kernel releases it when the holder's last descriptor closes, which
 * happens when the process exits however it dies (a SIGKILL included, before it is even reaped),
 * so a supervisor restarting a killed agent at once takes over, and two processes can never
 * both hold it (no check-then-write race, no recycled pid blocking forever). The holder writes
 * its pid into the file, for messages only: nothing trusts it.
 *
 * @module
 */

/** A held directory lock. */
export interface DirLock {
  /** Releases the lock (closing the file). */
  release(): void;
}

/** Thrown when the lock is held by another process and the caller would not wait. */
export class LockedError extends Error {
  constructor(readonly dir: string, readonly pid: number | undefined) {
    super(
      `another sandsync process${pid ? ` (pid ${pid})` : ""} syncs "${dir}": ` +
        "stop it first, or use flush/status, which talk to it",
    );
    this.name = "LockedError";
  }
}

/** The pid the holder wrote into `file` (for messages), if any. */
export async function lockHolder(file: string): Promise<number | undefined> {
  const text = await Deno.readTextFile(file).catch(() => "");
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Takes the lock on `file` for directory `dir`. Without `waitMs` it fails at once with
 * {@linkcode LockedError} when another process holds it; with `waitMs` it waits that long
 * (`Infinity`: until the holder exits), calling `onWait` once with the holder's pid.
 */
export async function acquireDirLock(
  file: string,
  options: { dir: string; waitMs?: number; onWait?: (pid: number | undefined) => void },
): Promise<DirLock> {
  const handle = await Deno.open(file, { read: true, write: true, create: true, mode: 0o600 });
  try {
    if (!await handle.tryLock(true)) {
      const waitMs = options.waitMs ?? 0;
      const holder = await lockHolder(file);
      if (waitMs <= 0) throw new LockedError(options.dir, holder);
      options.onWait?.(holder);
      const deadline = Date.now() + waitMs;
      // Polled rather than a blocking lock(): a blocked call cannot be cancelled, and a
      // SIGTERM while waiting must still end the process at once.
      while (!await handle.tryLock(true)) {
        if (Date.now() > deadline) throw new LockedError(options.dir, await lockHolder(file));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await handle.truncate(0);
    await handle.write(new TextEncoder().encode(`${Deno.pid}\n`));
  } catch (error) {
    handle.close();
    throw error;
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      try {
        handle.close(); // closing the descriptor drops the flock
      } catch { /* closed already */ }
    },
  };
}
