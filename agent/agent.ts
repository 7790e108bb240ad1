/**
 * The sandsync agent for one directory: `init` (pick or create the workspace, register a
 * replica, create the state database outside the root: state_home.ts), one-shot `sync`, the
 * `watch` daemon (daemon.ts, reached by other commands through its control socket:
 * control.ts), `flush` and `status`, and what CLI commands need beside a running daemon:
 * `settle` (let the daemon, or a pull of our own, apply what a command committed) and
 * `decideDeletes` (confirm or reject deletions held by `--max-delete`). One process syncs a
 * directory at a time: a kernel lock (dir_lock.ts).
 *
 * @module
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type FileSyncService, FileSyncService as Service } from "../client/file_sync_service.ts";
import { sleep } from "../client/retry.ts";
import { SyncApi } from "../client/sync_api.ts";
import type { ProgressEvent, Workspace } from "../client/types.ts";
import { askDaemon, type ControlRequest, type ControlResponse, ControlServer } from "./control.ts";
import type { DaemonError, DaemonReport } from "./control.ts";
import { Daemon } from "./daemon.ts";
import { acquireDirLock, LockedError } from "./dir_lock.ts";
import { LocalFs } from "./local_fs.ts";
import { loginIgnorePattern } from "./login_file.ts";
import type { SandboxFs } from "../shared/sandbox_fs.ts";
import { StateDb } from "./state_db.ts";
import {
  exists,
  LEGACY_STATE_DIR,
  migrateLegacyState,
  type StatePaths,
  statePaths,
} from "./state_home.ts";
import { heldOverQuota, type RunOptions, SyncEngine, type SyncOutcome } from "./sync_engine.ts";

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

/**
 * The API settings with each retried request logged: a request that keeps failing shows in the
 * daemon's log while it is retried, instead of only after the last attempt.
 */
function loggingRetries(config: AgentConfig, log: AgentOptions["log"]) {
  if (!log) return config;
  return {
    ...config,
    retry: {
      onRetry: (error: unknown, attempt: number, delayMs: number) =>
        log(
          `request failed (attempt ${attempt}): ${
            error instanceof Error ? error.message : String(error)
          }; retrying in ${delayMs} ms`,
        ),
    },
  };
}

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
  /** Where the state of this root lives (outside it). */
  readonly paths: StatePaths;
  #daemon?: Daemon;
  #closed = false;
  /** Nested holds of the directory lock by this process. */
  #held = 0;

  private constructor(
    dir: string,
    api: SyncApi,
    state: StateDb,
    instance: string,
    options: AgentOptions,
  ) {
    this.paths = statePaths(dir);
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
    // The state home lies under the root when a sandbox syncs its home directory.
    const home = relative(dir, this.paths.dir);
    if (home && !home.startsWith("..") && !isAbsolute(home)) this.#ignore.push(`/${home}/`);
    this.engine = new SyncEngine({
      api,
      fs: this.fs,
      ignore: this.#ignore,
      // The owner's workspace setting, recorded by `init` (a synced file cannot change it).
      syncGit: state.getMeta("sync_git") === "true",
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
    await Deno.mkdir(root, { recursive: true });
    const paths = statePaths(root);
    await Deno.mkdir(paths.dir, { recursive: true, mode: 0o700 });
    migrateLegacyState(root, paths);
    const api = new SyncApi(config);
    let found: Workspace | undefined;
    if (UUID.test(workspace)) found = await api.getWorkspace(workspace);
    else found = (await api.listWorkspaces()).find((w) => w.name === workspace);
    const created = found === undefined;
    const ws = found ?? await api.createWorkspace({
      name: workspace,
      ...(options.strategy ? { strategy: options.strategy } : {}),
    });
    const state = new StateDb(paths.db);
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
      state.setMeta("sync_git", String(ws.syncGit === true));
      state.setMeta("replica_id", replicaId);
      state.setMeta("api_url", api.url);
    });
    return { agent: new Agent(root, api, state, instance, options), workspace: ws, created };
  }

  /** Opens an initialised directory (moving the state of an older agent out of it first). */
  static async open(dir: string, config: AgentConfig, options: AgentOptions = {}): Promise<Agent> {
    const root = resolve(dir);
    const paths = statePaths(root);
    if (!exists(paths.db)) {
      try {
        await Deno.mkdir(paths.dir, { recursive: true, mode: 0o700 });
        await migrateUnderLock(root, paths, options.log);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    if (!exists(paths.db)) throw new NotInitialisedError(dir);
    const state = new StateDb(paths.db);
    if (!state.getMeta("workspace_id") || !state.getMeta("replica_id")) {
      state.close();
      throw new NotInitialisedError(dir);
    }
    const api = new SyncApi(loggingRetries(config, options.log));
    if (state.getMeta("sync_git") === "true") {
      // Opted into .git/: re-read the owner's setting, so switching it off takes effect at the
      // next start (the server refuses .git/ from then on). Offline: keep what init recorded.
      const ws = await api.getWorkspace(state.getMeta("workspace_id")!, {
        signal: AbortSignal.timeout(5000),
      }).catch(() => undefined);
      if (ws) state.setMeta("sync_git", String(ws.syncGit === true));
    }
    return new Agent(root, api, state, await instanceId(root, options.instance), options);
  }

  /** The settings an `open` can fall back to (the API URL `init` used). */
  static storedUrl(dir: string): string | undefined {
    const root = resolve(dir);
    for (const file of [statePaths(root).db, join(root, LEGACY_STATE_DIR, "state.db")]) {
      if (!exists(file)) continue;
      try {
        const db = new DatabaseSync(file, { readOnly: true });
        try {
          db.exec("pragma busy_timeout = 5000;");
          const row = db.prepare("select value from meta where key = 'api_url'").get() as
            | { value: string }
            | undefined;
          return row?.value;
        } finally {
          db.close();
        }
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Patterns this root ignores on top of its ignore files (the agent's own files). */
  get ignorePatterns(): readonly string[] {
    return this.#ignore;
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

  /**
   * One sync run: by the running daemon when there is one (asked through its control
   * socket), else here, holding the directory lock (waiting up to 10 s for a one-shot run of
   * another process).
   */
  async sync(options: RunOptions = {}): Promise<SyncOutcome> {
    const answer = await this.#ask({
      op: "run",
      ...(options.confirmDeletes ? { confirmDeletes: true } : {}),
      ...(options.rejectDeletes ? { rejectDeletes: true } : {}),
    });
    if (answer) return outcomeOf(answer);
    const release = await this.#lock(10_000);
    try {
      return await this.engine.sync(options);
    } finally {
      await release();
    }
  }

  /** Applies the workspace's changes after the cursor, committing nothing (holds the lock). */
  async pull(): Promise<SyncOutcome> {
    const release = await this.#lock(10_000);
    try {
      return await this.engine.pull();
    } finally {
      await release();
    }
  }

  /** Asks the daemon of this root, if one runs (never this process's own). */
  async #ask(request: ControlRequest, timeoutMs?: number): Promise<ControlResponse | undefined> {
    if (this.#held > 0) return undefined;
    return await askDaemon(this.paths.socket, request, timeoutMs);
  }

  /**
   * Makes what a command just committed (a resolution, a restore) land in the directory: a
   * running daemon is asked for a run and waited for until `done()` holds; without one, this
   * process pulls. Returns false when it did not get there within `timeoutMs`.
   */
  async settle(done: () => boolean, timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.#ask({ op: "run" }, timeoutMs);
      if (answer === undefined) {
        await this.pull();
        return done();
      }
      if (!answer.ok) throw new DaemonFailure(answer.error);
      if (done()) return true;
      if (Date.now() > deadline) return false;
      await sleep(100);
    }
  }

  /**
   * Confirms (commits) or rejects (restores from the workspace) the deletions held by
   * `--max-delete`: by the running daemon's next run, or by a run of this process.
   */
  async decideDeletes(decision: DeleteDecision): Promise<SyncOutcome> {
    return await this.sync(
      decision === "confirm" ? { confirmDeletes: true } : { rejectDeletes: true },
    );
  }

  /** What `status` prints: the recorded state plus, with a daemon, its live state. */
  async status() {
    const answer = await this.#ask({ op: "status" }, 30_000);
    const daemon = answer?.report;
    const pending = daemon && daemon.pending >= 0
      ? daemon.pending
      : await this.engine.pendingLocalChanges();
    const lastError = this.state.getMeta("last_error");
    return {
      dir: this.dir,
      stateDir: this.paths.dir,
      workspaceId: this.workspaceId,
      workspaceName: this.state.getMeta("workspace_name") ?? null,
      replicaId: this.replicaId,
      instance: this.instance,
      syncedInstance: this.state.getMeta("instance") ?? null,
      cursor: this.state.cursor ?? null,
      files: this.state.count(),
      pending,
      heldDeletes: Number(this.state.getMeta("held_deletes") ?? 0),
      heldOverQuota: heldOverQuota(this.state),
      conflicts: this.state.conflicts(),
      watching: daemon !== undefined,
      daemon: daemon ?? null,
      lastRunAt: daemon?.lastRunAt ?? this.state.getMeta("last_run_at") ?? null,
      lastSuccessAt: daemon?.lastSuccessAt ?? this.state.getMeta("last_success_at") ?? null,
      lastError: daemon
        ? daemon.lastError
        : lastError
        ? JSON.parse(lastError) as DaemonError
        : null,
    };
  }

  /**
   * Returns once every local change seen so far is committed: a running daemon is asked for
   * a run (its answer, or its failure at once while it backs off); without one, this process
   * syncs. `undefined` when a daemon did it.
   */
  async flush(): Promise<SyncOutcome | undefined> {
    const answer = await this.#ask({ op: "run" });
    if (answer) {
      outcomeOf(answer);
      return undefined;
    }
    return await this.sync();
  }

  /** Records the end of a run in the state (for `status` when no daemon runs). */
  recordRun(failure: DaemonError | null): void {
    const now = new Date().toISOString();
    this.state.transaction(() => {
      this.state.setMeta("last_run_at", now);
      if (failure) this.state.setMeta("last_error", JSON.stringify(failure));
      else {
        this.state.setMeta("last_success_at", now);
        this.state.deleteMeta("last_error");
      }
    });
  }

  /**
   * The daemon: holds the directory lock (waiting for a holder, with a message), serves the
   * control socket, and runs {@linkcode Daemon} until `stop()` or a permanent failure, which
   * it returns.
   */
  async watch(
    options: {
      rescanMs?: number;
      onSync?: (outcome: SyncOutcome) => void;
      onReport?: (report: DaemonReport) => void;
    } = {},
  ): Promise<DaemonError | null> {
    const release = await this.#lock(Infinity);
    const daemon = this.#daemon = new Daemon(this, { ...options, log: this.#options.log });
    let server: ControlServer | undefined;
    try {
      server = ControlServer.start(this.paths.socket, (request) => daemon.handle(request));
      await daemon.run();
      return daemon.fatal;
    } finally {
      await server?.close();
      this.#daemon = undefined;
      await release();
    }
  }

  /** Ends `watch()` (from any state of the daemon). */
  stop(): void {
    this.#daemon?.stop();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.state.close();
  }

  get #lockFile() {
    return this.paths.lock;
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

/** A failure the daemon reported (the CLI maps it to an exit code). */
export class DaemonFailure extends Error {
  constructor(readonly failure: DaemonError) {
    super(`the sandsync daemon: ${failure.message}`);
    this.name = "DaemonFailure";
  }
}

/** The outcome of a daemon's answer, or its failure thrown. */
function outcomeOf(answer: ControlResponse): SyncOutcome {
  if (!answer.ok) throw new DaemonFailure(answer.error);
  if (!answer.outcome) throw new Error("the sandsync daemon answered without an outcome");
  return answer.outcome;
}

/**
 * Moves an older agent's state out under the directory lock. The lock's holder may be a daemon
 * that migrated a moment ago and now holds the lock for its whole life: so the wait ends as soon
 * as the state is in place, instead of waiting for a lock that will not come free.
 */
async function migrateUnderLock(
  root: string,
  paths: StatePaths,
  log?: (message: string) => void,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!exists(paths.db)) {
    let lock;
    try {
      lock = await acquireDirLock(paths.lock, { dir: root });
    } catch (error) {
      if (!(error instanceof LockedError) || Date.now() > deadline) throw error;
      await sleep(50);
      continue;
    }
    try {
      if (migrateLegacyState(root, paths)) log?.(`moved the state to "${paths.dir}"`);
    } finally {
      lock.release();
    }
    return;
  }
}
