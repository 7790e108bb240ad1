/**
 * `FileWatcher`: native change events (`Deno.watchFs`, inotify on Linux) turned into settled
 * batches: each event restarts a short settle timer (20 ms) so a file being written is seen
 * once it is done, bursts (a `git checkout`, an `npm install`) coalesce into one batch (at
 * most `maxDelayMs` after the first event), and a periodic rescan catches anything a dropped
 * event or an overflowed inotify queue would lose.
 *
 * @module
 */
import { unifiedDiff } from "../shared/merge/diff.ts";
import { LocalFs } from "./local_fs.ts";
import type { FsWatch, SandboxFs } from "../shared/sandbox_fs.ts";

/** One settled batch of changes under a watched directory. */
export interface WatchBatch {
  /** Changed paths, relative to the directory (deduplicated). */
  readonly paths: readonly string[];
  /** True when everything must be rescanned (periodic, or the event queue overflowed). */
  readonly rescan: boolean;
}

/** Options of {@linkcode FileWatcher}. */
export interface FileWatcherOptions {
  /** Quiet time that ends a batch, ms. Default 20 (as Watchman's `settle`). */
  readonly settleMs?: number;
  /** Longest a batch waits after its first event, ms. Default 1,000. */
  readonly maxDelayMs?: number;
  /** Period of the fallback rescan, ms (0: none). Default 30,000. */
  readonly rescanMs?: number;
  /** Paths to drop before batching (the agent's own state, temp files). */
  readonly ignore?: (path: string) => boolean;
  /** The file system of a directory (default: {@linkcode LocalFs}). */
  readonly fsFor?: (dir: string) => SandboxFs;
}

interface Watched {
  watch: FsWatch;
  rescan?: ReturnType<typeof setInterval>;
  settle?: ReturnType<typeof setTimeout>;
  firstAt: number;
  pending: Set<string>;
  overflow: boolean;
}

const defaultIgnore = (path: string) =>
  path === ".sandsync" || path.startsWith(".sandsync/") || /(^|\/)\.sandsync-tmp-/.test(path);

/** Watches directories and reports settled batches of changed paths. */
export class FileWatcher {
  readonly #options: FileWatcherOptions;
  readonly #watched = new Map<string, Watched>();

  constructor(options: FileWatcherOptions = {}) {
    this.#options = options;
  }

  /** Starts watching `dir`; `callback` gets each settled batch. */
  watch(dir: string, callback: (batch: WatchBatch) => void): void {
    if (this.#watched.has(dir)) throw new Error(`Already watching "${dir}"`);
    const fs = this.#options.fsFor?.(dir) ?? new LocalFs(dir);
    // 20 ms, not more: it is added to every change's latency. A writer pausing longer than
    // that mid-file costs an extra version, never a corrupt one (the upload re-hashes what it
    // reads, and the rest of the write is a new event).
    const settleMs = this.#options.settleMs ?? 20;
    const maxDelayMs = this.#options.maxDelayMs ?? 1000;
    const ignore = this.#options.ignore ?? defaultIgnore;
    const state: Watched = { watch: fs.watch(), firstAt: 0, pending: new Set(), overflow: false };
    this.#watched.set(dir, state);
    const flush = () => {
      clearTimeout(state.settle);
      state.settle = undefined;
      const batch = { paths: [...state.pending], rescan: state.overflow };
      state.pending.clear();
      state.overflow = false;
      if (batch.paths.length > 0 || batch.rescan) callback(batch);
    };
    const rescanMs = this.#options.rescanMs ?? 30_000;
    if (rescanMs > 0) {
      state.rescan = setInterval(() => callback({ paths: [], rescan: true }), rescanMs);
    }
    (async () => {
      try {
        for await (const events of state.watch) {
          const paths = events.paths.filter((path) => path !== "" && !ignore(path));
          if (paths.length === 0 && !events.overflow) continue;
          if (state.pending.size === 0 && !state.overflow) state.firstAt = Date.now();
          for (const path of paths) state.pending.add(path);
          state.overflow ||= events.overflow;
          clearTimeout(state.settle);
          const waited = Date.now() - state.firstAt;
          state.settle = setTimeout(flush, waited >= maxDelayMs ? 0 : settleMs);
        }
      } catch (error) {
        // The watch died (root removed): a rescan finds out what happened.
        if (this.#watched.get(dir) === state) {
          console.error(`watch of "${dir}" stopped: ${error}`);
          callback({ paths: [], rescan: true });
        }
      }
    })();
  }

  /** Stops watching `dir`. */
  unwatch(dir: string): void {
    const state = this.#watched.get(dir);
    if (!state) return;
    this.#watched.delete(dir);
    clearInterval(state.rescan);
    clearTimeout(state.settle);
    state.watch.close();
  }

  /** Stops every watch. */
  close(): void {
    for (const dir of [...this.#watched.keys()]) this.unwatch(dir);
  }

  /** A git-style unified diff between two versions of a file (`""` when equal). */
  generateDiff(path: string, oldContent: string, newContent: string): string {
    return unifiedDiff(path, oldContent, newContent);
  }
}
