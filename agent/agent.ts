/**
 * The sandsync agent for one directory: `init` (pick or create the workspace, register a
 * replica, create `.sandsync/state.db`), one-shot `sync`, the `watch` daemon (native events
 * plus a long poll on the changes feed, with reconnect backoff), `flush` and `status`, and
 * what CLI commands need beside a running daemon: `settle` (let the daemon, or a pull of our
 * own, apply what a command committed) and `decideDeletes` (confirm or reject deletions held
 * by `--max-delete`; a daemon is woken with SIGUSR1 and reads the decision from the state).
 *
 * @module
 */
import { join, resolve } from "node:path";
import { type FileSyncService, FileSyncService as Service } from "../client/file_sync_service.ts";
import { backoffDelay, sleep } from "../client/retry.ts";
import { SyncApi } from "../client/sync_api.ts";
import type { ProgressEvent, Workspace } from "../client/types.ts";
import { acquireDirLock, lockHolder } from "./dir_lock.ts";
import { FileWatcher, type WatchBatch } from "./file_watcher.ts";
import { IgnoreRules } from "./ignore_rules.ts";
import { LocalFs } from "./local_fs.ts";
import { loginIgnorePattern } from "./login_file.ts";
import type { SandboxFs } from "./sandbox_fs.ts";
import { STATE_DIR, StateDb } from "./state_db.ts";
import { type RunOptions, SyncEngine, type SyncOutcome } from "./sync_engine.ts";

/** How to reach the API. */
export interface AgentConfig {
  readonly url: string;
  readonly anonKey?: string;
  readonly token: string;
}

/** Options shared by the agent's commands. */
export interface AgentOptions {
  /** Share of files (0..1) one run may delete without confirmation. */
  readonly maxDelete?: number;
  readonly concurrency?: number;
  readonly log?: (message: string) => void;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Overrides the sandbox instance id (default: env, else host and root inode). */
  readonly instance?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Thrown for a directory that was never initialised. */
export class NotInitialisedError extends Error {
  constructor(dir: string) {
    super(`"${dir}" is not a sandsync directory: run \`sandsync init ${dir} --workspace <name>\``);
    this.name = "NotInitialisedError";
  }
}

/** What to do with deletions held by `--max-delete`. */
export type DeleteDecision = "confirm" | "reject";

/**
 * The instance id of a directory: `SANDSYNC_INSTANCE`, `E2B_SANDBOX_ID` (set in every E2B
 * sandbox: a new sandbox is a new instance, so its directory is restored from the workspace,
 * never read as deletions), or host + the root's inode.
 */
export async function instanceId(dir: string, override?: string): Promise<string> {
  if (override) return override;
  // `||`: an empty variable counts as unset.
  const env = Deno.env.get("SANDSYNC_INSTANCE") || Deno.env.get("E2B_SANDBOX_ID");
  if (env) return env;
  const info = await Deno.stat(dir);
  return `local:${Deno.hostname()}:${info.ino ?? info.birthtime?.getTime() ?? 0}`;
}

/** One synced directory. */
export class Agent {
  readonly dir: string;
  readonly api: SyncApi;
  readonly state: StateDb;
  readonly engine: SyncEngine;
  readonly workspaceId: string;
  readonly replicaId: string;
  /** The sandbox instance this process runs in. */
  readonly instance: string;
  /** The directory, as the engine reads and writes it. */
  readonly fs: SandboxFs;
  readonly #ignore: string[];
  readonly #options: AgentOptions;
  #stop?: AbortController;
  #wake?: () => void;
  /** Nested holds of the directory lock by this process. */
  #held = 0;

  private constructor(
    dir: string,
    api: SyncApi,
    state: StateDb,
    instance: string,
    options: AgentOptions,
  ) {
    this.dir = dir;
    this.api = api;
    this.state = state;
    this.workspaceId = state.getMeta("workspace_id")!;
    this.replicaId = state.getMeta("replica_id")!;
    this.instance = instance;
    this.fs = new LocalFs(dir);
    this.#options = options;
    let login: string | undefined;
    try {
      login = loginIgnorePattern(dir);
    } catch { /* no config directory known: nothing to keep out */ }
    this.#ignore = login ? [login] : [];
    this.engine = new SyncEngine({
      api,
      fs: this.fs,
      ignore: this.#ignore,
      state,
      workspaceId: this.workspaceId,
      replicaId: this.replicaId,
      instance,
      maxDelete: options.maxDelete,
      concurrency: options.concurrency,
      log: options.log,
      onProgress: options.onProgress,
    });
  }

  /** Initialises `dir` for `workspace` (a name or id; a new name creates it). */
  static async init(
    dir: string,
    workspace: string,
    config: AgentConfig,
    options: AgentOptions & { strategy?: Workspace["strategy"] } = {},
  ): Promise<{ agent: Agent; workspace: Workspace; created: boolean }> {
    const root = resolve(dir);
    await Deno.mkdir(join(root, STATE_DIR), { recursive: true });
    const api = new SyncApi(config);
    let found: Workspace | undefined;
    if (UUID.test(workspace)) found = await api.getWorkspace(workspace);
    else found = (await api.listWorkspaces()).find((w) => w.name === workspace);
    const created = found === undefined;
    const ws = found ?? await api.createWorkspace({
      name: workspace,
      ...(options.strategy ? { strategy: options.strategy } : {}),
    });
    const state = new StateDb(join(root, STATE_DIR, "state.db"));
    const existing = state.getMeta("workspace_id");
    if (existing && existing !== ws.id) {
      state.close();
      throw new Error(`"${root}" already syncs workspace "${existing}"`);
    }
    const replicaId = state.getMeta("replica_id") ?? crypto.randomUUID();
    const instance = await instanceId(root, options.instance);
    await api.registerReplica(ws.id, {
      replicaId,
      kind: "agent",
      name: `${Deno.hostname()}:${root}`.slice(0, 200),
      sandboxInstance: instance.slice(0, 200),
    });
    state.transaction(() => {
      state.setMeta("workspace_id", ws.id);
      state.setMeta("workspace_name", ws.name);
      state.setMeta("replica_id", replicaId);
      state.setMeta("api_url", api.url);
    });
    return { agent: new Agent(root, api, state, instance, options), workspace: ws, created };
  }

  /** Opens an initialised directory. */
  static async open(dir: string, config: AgentConfig, options: AgentOptions = {}): Promise<Agent> {
    const root = resolve(dir);
    const file = join(root, STATE_DIR, "state.db");
    try {
      await Deno.stat(file);
    } catch {
      throw new NotInitialisedError(dir);
    }
    const state = new StateDb(file);
    if (!state.getMeta("workspace_id") || !state.getMeta("replica_id")) {
      state.close();
      throw new NotInitialisedError(dir);
    }
    const api = new SyncApi(config);
    return new Agent(root, api, state, await instanceId(root, options.instance), options);
  }

  /** The settings an `open` can fall back to (the API URL `init` used). */
  static storedUrl(dir: string): string | undefined {
    try {
      const state = new StateDb(join(resolve(dir), STATE_DIR, "state.db"));
      try {
        return state.getMeta("api_url");
      } finally {
        state.close();
      }
    } catch {
      return undefined;
    }
  }

  /** A {@linkcode FileSyncService} whose `syncDirectory` runs this agent's engine. */
  fileSyncService(): FileSyncService {
    return new Service({
      api: this.api,
      replicaId: this.replicaId,
      kind: "agent",
      directories: { sync: () => this.sync() },
    });
  }

  /** One sync run (holding the directory's lock). */
  async sync(options: RunOptions = {}): Promise<SyncOutcome> {
    const release = await this.#lock();
    try {
      return await this.engine.sync(options);
    } finally {
      await release();
    }
  }

  /** Applies the workspace's changes after the cursor, committing nothing (holds the lock). */
  async pull(): Promise<SyncOutcome> {
    const release = await this.#lock();
    try {
      return await this.engine.pull();
    } finally {
      await release();
    }
  }

  /**
   * Makes what a command just committed (a resolution, a restore) land in the directory: a
   * running daemon is woken and waited for until `done()` holds; without one, this process
   * pulls. Returns false when the daemon did not get there within `timeoutMs`.
   */
  async settle(done: () => boolean, timeoutMs = 30_000): Promise<boolean> {
    const daemon = await this.#daemonPid();
    if (daemon === undefined) {
      await this.pull();
      return done();
    }
    wake(daemon);
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) return false;
      await sleep(50);
    }
    return true;
  }

  /**
   * Confirms (commits) or rejects (restores from the workspace) the deletions held by
   * `--max-delete`. Without a daemon this process runs the sync and returns its outcome; with
   * one, the decision is left in the state for the daemon's next run (woken now) and waited
   * for, and the answer is `undefined`.
   */
  async decideDeletes(
    decision: DeleteDecision,
    timeoutMs = 30_000,
  ): Promise<SyncOutcome | undefined> {
    const daemon = await this.#daemonPid();
    if (daemon === undefined) {
      return await this.sync(
        decision === "confirm" ? { confirmDeletes: true } : { rejectDeletes: true },
      );
    }
    this.state.setMeta("delete_decision", decision);
    wake(daemon);
    const deadline = Date.now() + timeoutMs;
    while (this.state.getMeta("delete_decision") !== undefined) {
      if (Date.now() > deadline) {
        throw new Error(`the sandsync daemon (pid ${daemon}) did not act within ${timeoutMs} ms`);
      }
      await sleep(50);
    }
    return undefined;
  }

  /** What `status` prints. */
  async status() {
    return {
      dir: this.dir,
      workspaceId: this.workspaceId,
      workspaceName: this.state.getMeta("workspace_name") ?? null,
      replicaId: this.replicaId,
      instance: this.instance,
      syncedInstance: this.state.getMeta("instance") ?? null,
      cursor: this.state.cursor ?? null,
      files: this.state.count(),
      pending: await this.engine.pendingLocalChanges(),
      heldDeletes: Number(this.state.getMeta("held_deletes") ?? 0),
      conflicts: this.state.conflicts(),
      watching: await this.#daemonPid() !== undefined,
    };
  }

  /**
   * Returns once every local change seen so far is committed: waits for a running watch
   * daemon to commit them, or syncs itself when none runs.
   */
  async flush(timeoutMs = 60_000): Promise<SyncOutcome | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.#daemonPid() === undefined) return await this.sync();
      if (await this.engine.pendingLocalChanges() === 0) return undefined;
      if (Date.now() > deadline) throw new Error(`flush timed out after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /**
   * The daemon: syncs once, then on every settled batch of local events (scanning only the
   * paths they name), every remote change (long poll, `wait=25`: a pull, no scan) and every
   * periodic rescan (the whole root), until `stop()`.
   */
  async watch(options: { rescanMs?: number; onSync?: (outcome: SyncOutcome) => void } = {}) {
    const release = await this.#lock(Infinity);
    const stop = this.#stop = new AbortController();
    const log = this.#options.log ?? (() => {});
    // What the next run must look at: everything, or the paths events named since the last.
    let dirty = true;
    let full = true;
    const paths = new Set<string>();
    let changes: RunOptions["changes"];
    let running: Promise<void> | undefined;
    const runLoop = async () => {
      let failures = 0;
      while (dirty && !stop.signal.aborted) {
        // Local events only: push, and leave the pull to the long poll (which this run's own
        // commit wakes): one request less while the other replicas are being woken.
        const run: RunOptions = full
          ? { signal: stop.signal, changes }
          : { signal: stop.signal, paths: [...paths], changes, pull: changes !== undefined };
        dirty = false;
        full = false;
        paths.clear();
        changes = undefined;
        try {
          // A decision left by `confirm-deletes` / `reject-deletes` applies to a full run.
          const decision = this.state.getMeta("delete_decision");
          const outcome = await this.engine.sync(
            decision === undefined ? run : {
              signal: stop.signal,
              changes: run.changes,
              confirmDeletes: decision === "confirm",
              rejectDeletes: decision === "reject",
            },
          );
          if (decision !== undefined) this.state.deleteMeta("delete_decision");
          options.onSync?.(outcome);
          failures = 0;
        } catch (error) {
          if (stop.signal.aborted) break;
          failures++;
          log(`sync failed (${failures}): ${error instanceof Error ? error.message : error}`);
          dirty = true;
          full = true; // the failed batch's paths are not kept: look at everything again
          await sleep(backoffDelay(failures, { baseDelayMs: 250, maxDelayMs: 15_000 }), stop.signal)
            .catch(() => {});
        }
      }
    };
    const trigger = (batch?: WatchBatch) => {
      dirty = true;
      if (!batch || batch.rescan) full = true;
      else for (const path of batch.paths) paths.add(path);
      running ??= runLoop().finally(() => running = undefined);
      return running;
    };
    const rules = await IgnoreRules.load(this.fs, this.#ignore);
    const watcher = new FileWatcher({
      rescanMs: options.rescanMs ?? 30_000,
      ignore: (path) => rules.ignoresPath(path),
    });
    watcher.watch(this.dir, (batch) => void trigger(batch));
    // Another sandsync process (confirm-deletes, resolve, restore) asks for a full run now.
    this.#wake = () => void trigger();
    const onWake = () => this.#wake?.();
    let listening = false;
    try {
      Deno.addSignalListener("SIGUSR1", onWake);
      listening = true;
    } catch { /* no SIGUSR1 here (Windows): the rescan and the changes feed still run */ }
    const poll = async () => {
      let failures = 0;
      while (!stop.signal.aborted) {
        try {
          if (running) await running;
          const from = this.state.cursor ?? 0;
          const page = await this.api.changes(
            { workspaceId: this.workspaceId, cursor: from, limit: 1000, wait: 25 },
            { signal: stop.signal },
          );
          failures = 0;
          if (page.changes.length > 0) {
            changes = { from, page }; // the run applies this page instead of reading it again
            await trigger({ paths: [], rescan: false });
          }
        } catch (error) {
          if (stop.signal.aborted) break;
          failures++;
          log(`changes feed: ${error instanceof Error ? error.message : error}; reconnecting`);
          await sleep(backoffDelay(failures, { baseDelayMs: 250, maxDelayMs: 15_000 }), stop.signal)
            .catch(() => {});
        }
      }
    };
    try {
      await trigger();
      await Promise.all([
        poll(),
        new Promise((resolve) => stop.signal.addEventListener("abort", resolve)),
      ]);
    } finally {
      if (listening) Deno.removeSignalListener("SIGUSR1", onWake);
      this.#wake = undefined;
      watcher.close();
      await running;
      await release();
    }
  }

  /** Ends `watch()`. */
  stop(): void {
    this.#stop?.abort();
  }

  close(): void {
    this.state.close();
  }

  get #lockFile() {
    return join(this.dir, STATE_DIR, "agent.lock");
  }

  /** The pid of another live process holding this directory's lock (a daemon), if any. */
  async #daemonPid(): Promise<number | undefined> {
    if (this.#held > 0) return undefined; // this process holds it
    const probe = await Deno.open(this.#lockFile, { read: true, write: true, create: true })
      .catch(() => undefined);
    if (!probe) return undefined;
    try {
      if (await probe.tryLock(true)) return undefined; // nobody holds it (closing unlocks)
      return await lockHolder(this.#lockFile) ?? -1;
    } finally {
      probe.close();
    }
  }

  /**
   * One process syncs a directory at a time: a kernel lock (see dir_lock.ts), released when
   * the holder dies. `waitMs`: how long to wait for another holder (default: fail at once).
   */
  async #lock(waitMs = 0): Promise<() => Promise<void>> {
    if (this.#held > 0) {
      this.#held++;
      return () => Promise.resolve(void this.#held--);
    }
    const log = this.#options.log ?? (() => {});
    const lock = await acquireDirLock(this.#lockFile, {
      dir: this.dir,
      waitMs,
      onWait: (pid) =>
        log(
          `waiting for the sandsync process${pid ? ` (pid ${pid})` : ""} that syncs "${this.dir}"`,
        ),
    });
    this.#held = 1;
    return () => {
      if (--this.#held === 0) lock.release();
      return Promise.resolve();
    };
  }
}

/** Asks the daemon `pid` for a sync run now. */
function wake(pid: number): void {
  if (pid <= 0) return; // holder unknown: never signal a process group
  try {
    Deno.kill(pid, "SIGUSR1");
  } catch { /* gone, or no signals here: it rescans and polls anyway */ }
}
