/**
 * The `watch` daemon as an explicit state machine (docs/agent.md has the diagram):
 *
 * - `starting` → `running` (the first, full run);
 * - `running` → `idle` when the run succeeded and nothing new is dirty, → `running` again when
 *   events came meanwhile, → `backoff` when it failed (retry later), → `stopping` when it
 *   failed for good (credentials revoked, workspace deleted: {@linkcode isPermanent});
 * - `idle` → `running` on a settled batch of local events, a page of the changes feed (long
 *   poll), the periodic rescan, or a request on the control socket;
 * - `backoff` → `running` when its delay ends or a request comes;
 * - every state → `stopping` on `stop()` (SIGINT/SIGTERM): the run in flight is aborted
 *   (transfers included) and `done` settles; the CLI ends the process after a grace period
 *   even if a step does not notice the abort, which leaves the state as consistent as a kill
 *   does (every change of it is one SQLite transaction).
 *
 * It records its last run, last success, last error, pending count and lag behind the
 * server's cursor; `report()` is what `status` and `flush` get through the control socket,
 * and what the replica heartbeat sends to the server.
 *
 * @module
 */
import { backoffDelay, isRetryableError, sleep } from "../client/retry.ts";
import { isSyncError } from "../shared/protocol/errors.ts";
import type { SyncApi } from "../client/sync_api.ts";
import type { SandboxFs } from "../shared/sandbox_fs.ts";
import type { StateDb } from "./state_db.ts";
import type { ControlRequest, ControlResponse, DaemonError, DaemonPhase } from "./control.ts";
import type { DaemonReport } from "./control.ts";
import { FileWatcher, type WatchBatch } from "./file_watcher.ts";
import { IgnoreRules } from "../shared/paths/ignore_rules.ts";
import type { RunOptions, SyncEngine, SyncOutcome } from "./sync_engine.ts";

/** Options of {@linkcode Daemon}. */
export interface DaemonOptions {
  readonly rescanMs?: number;
  readonly onSync?: (outcome: SyncOutcome) => void;
  /** Called on every phase change and after every run (the heartbeat hangs here). */
  readonly onReport?: (report: DaemonReport) => void;
  readonly log?: (message: string) => void;
}

/** True for a failure no retry can fix: the daemon stops on it (exit 5). */
export function isPermanent(error: unknown): boolean {
  if (!isSyncError(error) || isRetryableError(error)) return false;
  const status = (error.details?.status as number | undefined) ?? error.status;
  return status === 401 || status === 403 || status === 404 ||
    ["unauthorized", "forbidden", "workspace_not_found", "replica_not_found"].includes(error.code);
}

/** A failure as reported. */
export function describeError(error: unknown): DaemonError {
  const status = isSyncError(error)
    ? ((error.details?.status as number | undefined) ?? error.status)
    : null;
  return {
    message: error instanceof Error ? error.message : String(error),
    code: isSyncError(error) ? error.code : null,
    status,
    permanent: isPermanent(error),
    at: new Date().toISOString(),
  };
}

interface Waiter {
  readonly resolve: (response: ControlResponse) => void;
}

/**
 * What the daemon needs of its agent (the `Agent` class provides it): declared here so the daemon
 * depends on an interface, not on the class that starts it.
 */
export interface DaemonHost {
  readonly dir: string;
  readonly api: SyncApi;
  readonly state: StateDb;
  readonly engine: SyncEngine;
  readonly workspaceId: string;
  readonly fs: SandboxFs;
  readonly ignorePatterns: readonly string[];
  /** Records the outcome of a run (`null`: it succeeded) for `status`. */
  recordRun(failure: DaemonError | null): void;
}

/** The daemon of one agent. */
export class Daemon {
  readonly #agent: DaemonHost;
  readonly #o: DaemonOptions;
  readonly #stop = new AbortController();
  #phase: DaemonPhase = "starting";
  #since = new Date().toISOString();
  #lastRunAt: string | null = null;
  #lastSuccessAt: string | null = null;
  #lastError: DaemonError | null = null;
  #failures = 0;
  #serverCursor: number | null = null;
  /** Set when the daemon stopped on a permanent failure. */
  #fatal: DaemonError | null = null;
  // What the next run must look at: everything, or the paths events named since the last.
  #dirty = true;
  #full = true;
  readonly #paths = new Set<string>();
  #changes: RunOptions["changes"];
  #decision: "confirm" | "reject" | undefined;
  #waiters: Waiter[] = [];
  #kick?: () => void;

  constructor(agent: DaemonHost, options: DaemonOptions = {}) {
    this.#agent = agent;
    this.#o = options;
  }

  get phase(): DaemonPhase {
    return this.#phase;
  }

  /** The permanent failure the daemon stopped on, if any. */
  get fatal(): DaemonError | null {
    return this.#fatal;
  }

  get #log() {
    return this.#o.log ?? (() => {});
  }

  #enter(phase: DaemonPhase) {
    if (this.#phase === phase || this.#phase === "stopping") return;
    this.#phase = phase;
    this.#since = new Date().toISOString();
    this.#o.onReport?.(this.report());
  }

  /** The daemon's state (pending: the count of the last look; see {@linkcode reportLive}). */
  report(pending = -1): DaemonReport {
    const state = this.#agent.state;
    const cursor = state.cursor ?? null;
    return {
      pid: Deno.pid,
      phase: this.#phase,
      since: this.#since,
      lastRunAt: this.#lastRunAt,
      lastSuccessAt: this.#lastSuccessAt,
      lastError: this.#lastError,
      failures: this.#failures,
      pending,
      heldDeletes: Number(state.getMeta("held_deletes") ?? 0),
      cursor,
      serverCursor: this.#serverCursor,
      lag: this.#serverCursor === null || cursor === null
        ? null
        : Math.max(0, this.#serverCursor - cursor),
    };
  }

  /** {@linkcode report} with the pending count looked up now (a scan, nothing written). */
  async reportLive(): Promise<DaemonReport> {
    const pending = await this.#agent.engine.pendingLocalChanges().catch(() => -1);
    return this.report(pending);
  }

  /** Answers a control-socket request. */
  async handle(request: ControlRequest): Promise<ControlResponse> {
    if (request.op === "status") return { ok: true, report: await this.reportLive() };
    if (this.#phase === "stopping") {
      const error = this.#fatal ?? describeError(new Error("the sandsync daemon is stopping"));
      return { ok: false, report: this.report(), error };
    }
    if (request.confirmDeletes) this.#decision = "confirm";
    if (request.rejectDeletes) this.#decision = "reject";
    // Failing (backing off, or retrying after a failed run): answer with that failure now
    // (fail fast), and retry now.
    const failing = this.#failures > 0 ? this.#lastError : null;
    const answer = new Promise<ControlResponse>((resolve) => this.#waiters.push({ resolve }));
    this.#trigger();
    if (failing && request.confirmDeletes === undefined && request.rejectDeletes === undefined) {
      return { ok: false, report: this.report(), error: failing };
    }
    return await answer;
  }

  /** Ends the daemon (from any state). */
  stop(): void {
    this.#enter("stopping");
    this.#phase = "stopping";
    this.#stop.abort();
    this.#kick?.();
  }

  #trigger(batch?: WatchBatch) {
    this.#dirty = true;
    if (!batch || batch.rescan) this.#full = true;
    else for (const path of batch.paths) this.#paths.add(path);
    this.#kick?.();
  }

  /** Runs until `stop()` or a permanent failure. */
  async run(): Promise<void> {
    const agent = this.#agent;
    const rules = await IgnoreRules.load(agent.fs, agent.ignorePatterns, {
      syncGit: agent.state.getMeta("sync_git") === "true",
    });
    const watcher = new FileWatcher({
      rescanMs: this.#o.rescanMs ?? 30_000,
      ignore: (path) => rules.ignoresPath(path),
    });
    watcher.watch(agent.dir, (batch) => this.#trigger(batch));
    const poll = this.#poll();
    try {
      await this.#loop();
    } finally {
      this.#phase = "stopping";
      this.#stop.abort();
      watcher.close();
      for (const waiter of this.#waiters.splice(0)) {
        waiter.resolve({
          ok: false,
          report: this.report(),
          error: this.#fatal ?? describeError(new Error("the sandsync daemon stopped")),
        });
      }
      await poll;
    }
  }

  async #loop() {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      if (!this.#dirty) {
        this.#enter("idle");
        await new Promise<void>((resolve) => this.#kick = resolve);
        this.#kick = undefined;
        continue;
      }
      this.#enter("running");
      const waiters = this.#waiters.splice(0);
      const run = this.#nextRun();
      this.#lastRunAt = new Date().toISOString();
      try {
        const outcome = await this.#agent.engine.sync(run);
        if (run.confirmDeletes || run.rejectDeletes) this.#decision = undefined;
        this.#lastSuccessAt = new Date().toISOString();
        this.#lastError = null;
        this.#failures = 0;
        this.#seeCursor(outcome.cursor);
        this.#agent.recordRun(null);
        this.#o.onSync?.(outcome);
        for (const waiter of waiters) waiter.resolve({ ok: true, report: this.report(), outcome });
        this.#o.onReport?.(this.report());
      } catch (error) {
        if (signal.aborted) {
          this.#waiters.unshift(...waiters);
          break;
        }
        const failure = describeError(error);
        this.#lastError = failure;
        this.#failures++;
        this.#agent.recordRun(failure);
        for (const waiter of waiters) {
          waiter.resolve({ ok: false, report: this.report(), error: failure });
        }
        if (failure.permanent) {
          this.#fatal = failure;
          this.#log(`stopping: ${failure.message}${failure.code ? ` [${failure.code}]` : ""}`);
          this.#o.onReport?.(this.report());
          return;
        }
        this.#log(`sync failed (${this.#failures}): ${failure.message}; retrying`);
        this.#dirty = true;
        this.#full = true; // the failed batch's paths are not kept: look at everything again
        this.#enter("backoff");
        const delay = backoffDelay(this.#failures, { baseDelayMs: 250, maxDelayMs: 15_000 });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.#kick = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#kick = undefined;
      }
    }
  }

  #nextRun(): RunOptions {
    const signal = this.#stop.signal;
    const changes = this.#changes;
    const full = this.#full;
    const paths = [...this.#paths];
    this.#dirty = false;
    this.#full = false;
    this.#paths.clear();
    this.#changes = undefined;
    // A delete decision (confirm-deletes / reject-deletes) applies to a full run.
    if (this.#decision) {
      return {
        signal,
        changes,
        confirmDeletes: this.#decision === "confirm",
        rejectDeletes: this.#decision === "reject",
      };
    }
    // Local events only: push, and leave the pull to the long poll (which this run's own
    // commit wakes): one request less while the other replicas are being woken.
    return full ? { signal, changes } : { signal, paths, changes, pull: changes !== undefined };
  }

  #seeCursor(cursor: number | undefined) {
    if (cursor === undefined) return;
    this.#serverCursor = Math.max(this.#serverCursor ?? 0, cursor);
  }

  /** The long poll on the changes feed. */
  async #poll() {
    const agent = this.#agent;
    const signal = this.#stop.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.#phase === "running" || this.#dirty) {
          await sleep(50, signal);
          continue;
        }
        const from = agent.state.cursor ?? 0;
        const page = await agent.api.changes(
          { workspaceId: agent.workspaceId, cursor: from, limit: 1000, wait: 25 },
          { signal },
        );
        failures = 0;
        this.#seeCursor(page.cursor);
        if (page.changes.length > 0) {
          this.#changes = { from, page }; // the run applies this page instead of reading it again
          this.#trigger({ paths: [], rescan: false });
        }
      } catch (error) {
        if (signal.aborted) break;
        if (isPermanent(error)) {
          // The run loop meets the same failure and stops the daemon.
          this.#trigger();
          await sleep(15_000, signal).catch(() => {});
          continue;
        }
        failures++;
        this.#log(`changes feed: ${error instanceof Error ? error.message : error}; reconnecting`);
        await sleep(backoffDelay(failures, { baseDelayMs: 250, maxDelayMs: 15_000 }), signal)
          .catch(() => {});
      }
    }
  }
}
