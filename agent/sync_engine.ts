/**
 * One sync run of a directory: scan, push local changes (based on the recorded versions),
 * then pull the workspace's changes after the cursor and apply them atomically. This class
 * orders the phases; each lives in agent/engine/ (plan.ts, push.ts with outcomes.ts, pull.ts
 * with apply.ts and download.ts, restore.ts). Safety rules
 * (docs/decisions/0009-sandbox-side-safety.md):
 * - a directory with no state, from another instance, or whose root came up empty is
 *   restored from the workspace; its missing files are never taken as deletions;
 * - more than `maxDelete` of the synced files deleted at once are held back (exit code 4)
 *   until confirmed;
 * - a remote change is written to a temp file in the same directory, verified by SHA-256,
 *   and renamed into place only if the target still looks as it did (else the local edit
 *   wins the race and is pushed next run, where the server settles it);
 * - its own writes are recorded with their new stat, so they never come back as changes;
 * - a file is recorded under the vector the server's commit answer gives, never one
 *   predicted here.
 *
 * @module
 */
import type { PendingChange } from "../client/push.ts";
import { IgnoreRules } from "../shared/paths/ignore_rules.ts";
import { scan, type ScannedFile } from "./scanner.ts";
import type { PathState } from "./state_db.ts";
import { recoverApplies } from "./engine/apply_recovery.ts";
import {
  DEFAULT_MAX_DELETE,
  type EngineContext,
  type RunOptions,
  type SyncEngineOptions,
} from "./engine/options.ts";
import {
  guardDeletions,
  holdConflicted,
  planDeletions,
  planEdits,
  planRestore,
  type RestorePlan,
} from "./engine/plan.ts";
import { pullChanges, undelete } from "./engine/pull.ts";
import { pushPlanned, recoverCommits } from "./engine/push.ts";
import { beginRestore, finishRestore } from "./engine/restore.ts";
import { type RunScan, scanForRun } from "./engine/scan.ts";
import { finishOutcome, startOutcome, type SyncOutcome } from "./engine/sync_outcome.ts";

export {
  DEFAULT_MAX_DELETE,
  MAX_TARGETED_PATHS,
  MIN_GUARDED_FILES,
  type RunOptions,
  type SyncEngineOptions,
} from "./engine/options.ts";
export { type HeldFile, heldOverQuota, type SyncOutcome } from "./engine/sync_outcome.ts";

/** What every step of one run shares. */
interface Run {
  readonly rules: IgnoreRules;
  readonly result: SyncOutcome;
  readonly options: RunOptions;
}

/** The local changes a run pushes, with the scanned file each edit was read from. */
interface PlannedPush {
  readonly changes: PendingChange[];
  readonly files: Map<PendingChange, ScannedFile>;
}

/** Syncs one directory with one workspace. */
export class SyncEngine {
  readonly #o: SyncEngineOptions;
  readonly #ctx: EngineContext;

  constructor(options: SyncEngineOptions) {
    this.#o = options;
    this.#ctx = {
      api: options.api,
      fs: options.fs,
      state: options.state,
      workspaceId: options.workspaceId,
      replicaId: options.replicaId,
      concurrency: options.concurrency,
      log: options.log ?? (() => {}),
      onProgress: options.onProgress,
    };
  }

  /** The root's ignore rules over the protected set (sync_git) and the local patterns. */
  #loadRules(): Promise<IgnoreRules> {
    return IgnoreRules.load(this.#o.fs, this.#o.ignore, { syncGit: this.#o.syncGit });
  }

  /** Local changes not committed yet (scan against state, nothing written): for `flush`. */
  async pendingLocalChanges(): Promise<number> {
    const { fs, state } = this.#o;
    const known = state.all();
    const rules = await this.#loadRules();
    const scanned = await scan(fs, rules, known);
    const { edits } = planEdits(scanned.files.values(), known);
    const ignores = (path: string) => rules.ignoresPath(path);
    const { deletions } = planDeletions(known, { scanned: scanned.files, ignores, now: 0 });
    return edits.length + deletions.length;
  }

  /** Runs one sync: the whole root, or only `options.paths` in watch mode. */
  async sync(options: RunOptions = {}): Promise<SyncOutcome> {
    const started = performance.now();
    const ctx = this.#ctx;
    const { state } = ctx;
    const { signal } = options;
    const result = startOutcome(state);
    const run: Run = { rules: await this.#loadRules(), result, options };
    await recoverApplies(ctx);
    await recoverCommits(ctx, signal);
    const seen = await this.#scan(run);
    const { restore, emptied } = seen;
    const manifest = restore
      ? await beginRestore(ctx, seen.scanned.files, { emptied, result, signal })
      : undefined;
    await this.#push(seen, run);
    const { rules } = run;
    if (manifest) {
      const { instance } = this.#o;
      await finishRestore(ctx, manifest, { rules, result, emptied, instance, signal });
    }
    // A run that scanned everything (or restored) always pulls; see RunOptions.pull.
    if (options.pull !== false || !seen.targeted) {
      await pullChanges(ctx, { rules, result, changes: options.changes, signal });
    }
    return finishOutcome(result, state, started);
  }

  /**
   * Only the pull half of a run: applies the workspace's changes after the cursor (e.g. a
   * conflict resolution or a restore committed by a CLI command), commits nothing.
   */
  async pull(options: { signal?: AbortSignal } = {}): Promise<SyncOutcome> {
    const started = performance.now();
    const { state } = this.#o;
    const result = startOutcome(state, Number(state.getMeta("held_deletes") ?? 0));
    await pullChanges(this.#ctx, {
      rules: await this.#loadRules(),
      result,
      signal: options.signal,
    });
    return finishOutcome(result, state, started);
  }

  /** The run's scan (targeted in watch mode unless the directory is fresh) and its restore plan. */
  async #scan(run: Run): Promise<RunScan & RestorePlan> {
    const { state } = this.#o;
    const fresh = state.cursor === undefined || state.getMeta("instance") !== this.#o.instance;
    this.#o.onProgress?.({ kind: "scan" });
    const seen = await scanForRun(this.#ctx, run.rules, fresh ? undefined : run.options.paths);
    run.result.skipped += seen.scanned.skipped.length;
    run.result.hashed = seen.scanned.hashed;
    const restore = planRestore({
      fresh,
      targeted: seen.targeted,
      scannedFiles: seen.scanned.files.size,
      recordedFiles: seen.known.size,
    });
    return { ...seen, ...restore };
  }

  /**
   * Pushes the local changes against the recorded base versions (on a restore, the state after
   * adopting what is identical), past the deletion guard and the conflict hold.
   */
  async #push(seen: RunScan & RestorePlan, run: Run): Promise<void> {
    const { rules, result, options: { signal } } = run;
    const recorded = seen.restore ? this.#o.state.all() : seen.known;
    const planned = this.#planEdits(seen, recorded);
    const deletions = await this.#guardedDeletions(seen, { ...run, recorded });
    const push = this.#holdConflicted([...planned.changes, ...deletions], result);
    const { targeted } = seen;
    const bringBack = await pushPlanned(this.#ctx, push, {
      files: planned.files,
      result,
      targeted,
      signal,
    });
    // Deletes that lost to a concurrent edit: the edit comes back (the pull alone may not: the
    // cursor can be past it already).
    if (bringBack.length > 0) await undelete(this.#ctx, bringBack, { rules, result, signal });
  }

  /**
   * The scanned files changed against `recorded`, as changes to push; a file only touched has
   * its new stat recorded so the next scan does not hash it.
   */
  #planEdits(seen: RunScan, recorded: ReadonlyMap<string, PathState>): PlannedPush {
    const { fs, state } = this.#o;
    const { edits, touched } = planEdits(seen.scanned.files.values(), recorded);
    state.transaction(() => {
      for (const st of touched) state.put(st);
    });
    const changes: PendingChange[] = [];
    const files = new Map<PendingChange, ScannedFile>();
    for (const { file, base } of edits) {
      const change: PendingChange = {
        path: file.path,
        sha256: file.sha256,
        size: file.size,
        mode: file.mode,
        mtime: file.mtimeMs,
        base,
        open: () => fs.openRead(file.path),
      };
      changes.push(change);
      files.set(change, file);
    }
    return { changes, files };
  }

  /**
   * The deletions of the run after the deletion guard: none on a restore, none when held back
   * (over `maxDelete`) or rejected (brought back instead), else every recorded file not found.
   */
  async #guardedDeletions(
    seen: RunScan & RestorePlan,
    run: Run & { recorded: ReadonlyMap<string, PathState> },
  ): Promise<PendingChange[]> {
    const { state } = this.#o;
    const { recorded, rules, result, options } = run;
    const ignores = (path: string) => rules.ignoresPath(path);
    const { deletions, forgotten } = seen.restore
      ? { deletions: [], forgotten: [] }
      : planDeletions(recorded, { scanned: seen.scanned.files, ignores, now: Date.now() });
    for (const path of forgotten) state.remove(path); // now ignored: forget it, delete nothing
    const maxDelete = this.#o.maxDelete ?? DEFAULT_MAX_DELETE;
    const counts = { deletions: deletions.length, synced: recorded.size };
    switch (guardDeletions(counts, { ...options, maxDelete })) {
      case "reject":
        await undelete(this.#ctx, deletions.map((d) => d.path), {
          rules,
          result,
          signal: options.signal,
        });
        state.deleteMeta("held_deletes");
        return [];
      case "hold":
        this.#ctx.log(
          `holding ${deletions.length} of ${recorded.size} deletions (over --max-delete ${
            Math.round(maxDelete * 100)
          }%)`,
        );
        result.heldDeletes = deletions.length;
        result.skipped += deletions.length;
        state.setMeta("held_deletes", String(deletions.length));
        return [];
      case "commit":
        if (!seen.targeted) state.deleteMeta("held_deletes"); // (a targeted run has not looked at every path)
        return deletions;
    }
  }

  /** The changes to push now; those on paths with an open conflict wait (plan.ts). */
  #holdConflicted(changes: readonly PendingChange[], result: SyncOutcome): PendingChange[] {
    const conflicted = new Set(this.#o.state.conflicts().map((conflict) => conflict.path));
    const { push, held } = holdConflicted(changes, conflicted);
    for (const change of held) {
      this.#ctx.log(`held: "${change.path}" has an open conflict (sandsync resolve)`);
    }
    result.skipped += held.length;
    return push;
  }
}
