/**
 * One sync run of a directory: scan, push local changes (based on the recorded versions),
 * then pull the workspace's changes after the cursor and apply them atomically. Safety rules
 * (DESIGN decision 9):
 * - a directory with no state, from another instance, or whose root came up empty is
 *   restored from the workspace; its missing files are never taken as deletions;
 * - more than `maxDelete` of the synced files deleted at once are held back (exit code 4)
 *   until confirmed;
 * - a remote change is written to a temp file in the same directory, verified by SHA-256,
 *   and renamed into place only if the target still looks as it did (else the local edit
 *   wins the race and is pushed next run, where the server settles it);
 * - its own writes are recorded with their new stat, so they never come back as changes.
 *
 * @module
 */
import { mapPool } from "../shared/pool.ts";
import { type PendingChange, pushChanges } from "../client/push.ts";
import { isRetryableError } from "../client/retry.ts";
import type { SyncApi } from "../client/sync_api.ts";
import { downloadBlob } from "../client/transfer.ts";
import {
  type ChangeEntry,
  type ChangesPage,
  type CommitAnswer,
  type CommitRequest,
  emptySyncResult,
  type ProgressEvent,
  type SyncResult,
} from "../client/types.ts";
import { conflictCopyPath } from "../shared/merge/conflict_copy.ts";
import { EMPTY_SHA256 } from "../shared/hash.ts";
import { validatePath, windowsNameProblem } from "../shared/paths/path_rules.ts";
import { permissionBits } from "../shared/paths/protected_paths.ts";
import { compareVectors } from "../shared/version_vector.ts";
import { IGNORE_FILES, IgnoreRules, TEMP_PREFIX } from "../shared/paths/ignore_rules.ts";
import { assertNoLinkOnPath, LinkedPathError, makeParentDirs } from "./safe_write.ts";
import type { FsEntry, SandboxFs } from "../shared/sandbox_fs.ts";
import {
  hashFile,
  restoreMovedAside,
  scan,
  type ScannedFile,
  scanPaths,
  unchanged,
} from "./scanner.ts";
import type { PathState, StateDb } from "./state_db.ts";
import { testDelay } from "./test_hooks.ts";

/** Default share of synced files that may be deleted in one run without confirmation. */
export const DEFAULT_MAX_DELETE = 0.5;
/** Below this many synced files the deletion guard does not apply. */
export const MIN_GUARDED_FILES = 10;

/** What a run did, with what is left for the user. */
export interface SyncOutcome extends SyncResult {
  /** Deletions held back by `maxDelete` (confirm with `confirmDeletes`). */
  heldDeletes: number;
  /** Locally deleted files brought back from the workspace (`rejectDeletes`). */
  rejectedDeletes: number;
  /** Conflicts open on this directory's paths. */
  openConflicts: number;
  /** True when the run restored the directory from the workspace. */
  restored: boolean;
  /** The journal cursor after the run. */
  cursor: number;
  /** Local files whose bytes the scan read (new or changed stat); 0 on a no-op rescan. */
  hashed: number;
  /** Files held back because they do not fit the owner's quota (retried every run). */
  heldOverQuota?: HeldFile[];
}

/** A local file the run could not commit, and why. */
export interface HeldFile {
  readonly path: string;
  readonly size: number;
  readonly code: "quota_exceeded";
}

/** The files the last run held back over quota (`status` shows them). */
export function heldOverQuota(state: StateDb): HeldFile[] {
  const raw = state.getMeta("held_quota");
  if (!raw) return [];
  try {
    return JSON.parse(raw) as HeldFile[];
  } catch {
    return [];
  }
}

/** Options of {@linkcode SyncEngine}. */
export interface SyncEngineOptions {
  readonly api: SyncApi;
  readonly fs: SandboxFs;
  readonly state: StateDb;
  readonly workspaceId: string;
  readonly replicaId: string;
  /** Identifies the sandbox instance (or directory) the state belongs to. */
  readonly instance: string;
  /** Share of synced files (0..1) that may be deleted in one run. Default 0.5. */
  readonly maxDelete?: number;
  readonly concurrency?: number;
  /** Local ignore patterns on top of the defaults, which no synced ignore file can negate. */
  readonly ignore?: readonly string[];
  /** Sync `.git/` (the workspace's `sync_git`, set by its owner); default `false`. */
  readonly syncGit?: boolean;
  readonly log?: (message: string) => void;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Options of one run. */
export interface RunOptions {
  /** Commit deletions even above `maxDelete`. */
  readonly confirmDeletes?: boolean;
  /**
   * Commit no deletion: bring every synced file missing here back from the workspace (the
   * answer to deletions held by `maxDelete`).
   */
  readonly rejectDeletes?: boolean;
  /**
   * Watch mode: only these paths changed locally (files, directories, or paths now gone), so
   * only they are scanned; `[]` pulls without scanning. The run falls back to a full scan on
   * a fresh directory, a changed ignore file, a batch over {@linkcode MAX_TARGETED_PATHS},
   * or a recorded path found gone (the deletion guard and the emptied-root rule need the
   * whole tree).
   */
  readonly paths?: readonly string[];
  /**
   * A page of the changes feed already read from cursor `from` (the watch daemon's long
   * poll): used as the first page when the state's cursor is still `from`, saving a request.
   */
  readonly changes?: { readonly from: number; readonly page: ChangesPage };
  /**
   * `false`: push only (watch mode after local events: the daemon's long poll wakes for any
   * commit, this one's included, and pulls then). Default `true`.
   */
  readonly pull?: boolean;
  readonly signal?: AbortSignal;
}

/** Above this many changed paths, a watch-mode run scans the whole root instead. */
export const MAX_TARGETED_PATHS = 1000;

/** Syncs one directory with one workspace. */
export class SyncEngine {
  readonly #o: SyncEngineOptions;

  constructor(options: SyncEngineOptions) {
    this.#o = options;
  }

  get #log() {
    return this.#o.log ?? (() => {});
  }

  /** The root's ignore rules over the protected set (sync_git) and the local patterns. */
  #loadRules(): Promise<IgnoreRules> {
    return IgnoreRules.load(this.#o.fs, this.#o.ignore, { syncGit: this.#o.syncGit });
  }

  /** Local changes not committed yet (scan against state, nothing written): for `flush`. */
  async pendingLocalChanges(): Promise<number> {
    const { fs, state } = this.#o;
    const known = state.all();
    const scanned = await scan(fs, await this.#loadRules(), known);
    let pending = 0;
    for (const file of scanned.files.values()) {
      const st = known.get(file.path);
      if (!st || st.sha256 !== file.sha256 || st.mode !== file.mode) pending++;
    }
    const rules = await this.#loadRules();
    for (const path of known.keys()) {
      if (!scanned.files.has(path) && !rules.ignoresPath(path)) pending++;
    }
    return pending;
  }

  /**
   * Scans `paths` only, with the recorded entries they cover; `undefined` when the run needs
   * the whole tree (see {@linkcode RunOptions.paths}).
   */
  async #scanTargeted(paths: readonly string[], rules: IgnoreRules) {
    const { fs, state } = this.#o;
    if (paths.length > MAX_TARGETED_PATHS) return undefined;
    if (paths.some((path) => IGNORE_FILES.includes(path))) return undefined;
    const known = new Map<string, PathState>();
    for (const path of paths) {
      const st = state.get(path);
      if (st) known.set(path, st);
      for (const below of state.under(path)) known.set(below.path, below);
    }
    const scanned = await scanPaths(fs, rules, { paths, state: known, removeTemps: true });
    for (const path of known.keys()) if (!scanned.files.has(path)) return undefined;
    return { known, scanned };
  }

  /** Runs one sync: the whole root, or only `options.paths` in watch mode. */
  async sync(options: RunOptions = {}): Promise<SyncOutcome> {
    const started = performance.now();
    const { api, fs, state, workspaceId, instance } = this.#o;
    const result: SyncOutcome = {
      ...emptySyncResult(),
      heldDeletes: 0,
      rejectedDeletes: 0,
      openConflicts: 0,
      restored: false,
      cursor: state.cursor ?? 0,
      hashed: 0,
    };
    const rules = await this.#loadRules();
    await this.#recoverApplies();
    await this.#recoverCommits(options.signal);
    const fresh = state.cursor === undefined || state.getMeta("instance") !== instance;
    this.#o.onProgress?.({ kind: "scan" });
    const targeted = options.paths && !fresh
      ? await this.#scanTargeted(options.paths, rules)
      : undefined;
    const known = targeted?.known ?? state.all();
    // (Runs hold the directory lock: leftover temp files are ours to remove.)
    const scanned = targeted?.scanned ?? await scan(fs, rules, known, { removeTemps: true });
    result.skipped += scanned.skipped.length;
    result.hashed = scanned.hashed;
    const emptied = !targeted && !fresh && scanned.files.size === 0 && known.size > 0;
    const restore = fresh || emptied;
    let manifest: { cursor: number; files: ChangeEntry[] } | undefined;
    if (restore) {
      manifest = await api.fullManifest(workspaceId, { signal: options.signal });
      result.restored = manifest.files.length > 0;
      if (emptied) this.#log(`root is empty: restoring ${manifest.files.length} files`);
      // Files already identical to the workspace's are adopted, not committed again.
      state.transaction(() => {
        for (const entry of manifest!.files) {
          const file = scanned.files.get(entry.path);
          if (file && file.sha256 === entry.sha256 && file.mode === entry.mode) {
            state.put(stateOf(file, entry));
          }
        }
      });
    }

    // Local changes against the recorded base versions.
    const now = restore ? state.all() : known;
    const changes: PendingChange[] = [];
    const scannedBy = new Map<PendingChange, ScannedFile>();
    state.transaction(() => {
      for (const file of scanned.files.values()) {
        const st = now.get(file.path);
        if (st && st.sha256 === file.sha256 && st.mode === file.mode) {
          // Touched, not changed: record the new stat so the next scan does not hash it.
          if (!unchanged(asEntry(file), st)) state.put({ ...st, ...statOf(file) });
          continue;
        }
        const change: PendingChange = {
          path: file.path,
          sha256: file.sha256,
          size: file.size,
          mode: file.mode,
          mtime: file.mtimeMs,
          base: st?.vector ?? null,
          open: () => fs.openRead(file.path),
        };
        changes.push(change);
        scannedBy.set(change, file);
      }
    });
    const deletions: PendingChange[] = [];
    if (!restore) {
      for (const st of now.values()) {
        if (scanned.files.has(st.path)) continue;
        if (rules.ignoresPath(st.path)) {
          state.remove(st.path); // now ignored: forget it, delete nothing
          continue;
        }
        deletions.push({
          path: st.path,
          sha256: null,
          size: 0,
          mode: st.mode,
          mtime: Date.now(),
          base: st.vector,
        });
      }
    }
    const maxDelete = this.#o.maxDelete ?? DEFAULT_MAX_DELETE;
    if (options.rejectDeletes) {
      await this.#undelete(deletions.map((d) => d.path), rules, result, options.signal);
      state.deleteMeta("held_deletes");
      deletions.length = 0;
    } else if (
      deletions.length > 0 && !options.confirmDeletes && now.size >= MIN_GUARDED_FILES &&
      deletions.length / now.size > maxDelete
    ) {
      this.#log(
        `holding ${deletions.length} of ${now.size} deletions (over --max-delete ${
          Math.round(maxDelete * 100)
        }%)`,
      );
      result.heldDeletes = deletions.length;
      result.skipped += deletions.length;
      state.setMeta("held_deletes", String(deletions.length));
      deletions.length = 0;
    } else if (!targeted) {
      state.deleteMeta("held_deletes"); // (a targeted run has not looked at every path)
    }

    // Push. A path with an open conflict waits for its resolution: committing a later local edit
    // on top of the server's version would settle the conflict silently, without anyone choosing.
    const inConflict = new Set(state.conflicts().map((conflict) => conflict.path));
    const all = [...changes, ...deletions].filter((change) => {
      if (!inConflict.has(change.path)) return true;
      this.#log(`held: "${change.path}" has an open conflict (sandsync resolve)`);
      result.skipped++;
      return false;
    });
    if (all.length > 0) {
      state.pruneUploads();
      const pushed = await pushChanges(api, { workspaceId, replicaId: this.#o.replicaId }, all, {
        concurrency: this.#o.concurrency,
        signal: options.signal,
        onProgress: this.#o.onProgress,
        // Interrupted TUS uploads resume from the server's offset, also after a restart.
        resume: state.uploads,
        // Written ahead: a commit whose answer was lost (a kill, a cut connection) is sent again
        // by the next run with its idempotency key, so the server's stored answer is recorded
        // instead of the same bytes being committed anew over what came after them.
        beforeCommit: (request) => {
          const pending = JSON.parse(state.getMeta("pending_commits") ?? "[]") as unknown[];
          state.setMeta("pending_commits", JSON.stringify([...pending, request]));
        },
        afterCommit: () => testDelay("SANDSYNC_TEST_KILL_AFTER_COMMIT", "commit"),
      });
      result.bytes += pushed.bytes;
      result.skipped += pushed.changed.length;
      // What does not fit the quota waits (and is tried again next run); the rest went in.
      const held = (pushed.heldBack ?? []).map((change): HeldFile => ({
        path: change.path,
        size: change.size,
        code: "quota_exceeded",
      }));
      for (const file of held) {
        this.#log(`held: "${file.path}" (${file.size} bytes) does not fit the quota`);
      }
      result.skipped += held.length;
      if (held.length > 0) result.heldOverQuota = held;
      if (held.length > 0) state.setMeta("held_quota", JSON.stringify(held));
      else if (!targeted) state.deleteMeta("held_quota");
      const superseded: string[] = [];
      state.transaction(() => {
        state.deleteMeta("pending_commits");
        for (const { change, result: item } of pushed.committed) {
          const file = scannedBy.get(change);
          switch (item.outcome) {
            case "applied":
            case "merged":
              if (change.sha256 === null) {
                state.remove(change.path);
                result.deleted++;
              } else if (file && item.sha256 && item.sha256 !== change.sha256) {
                // The server merged our bytes with a concurrent edit: what is current is not
                // what we hold. Record ours under the vector the server gave the version we sent
                // (or, from a server that does not say, under our base), so the merged version
                // (which dominates both) comes down with the pull instead of passing for our
                // own echo. Never a vector guessed here.
                state.put(stateOf(file, {
                  vector: item.incomingVector ?? change.base ?? {},
                  versionId: null,
                }));
                result.uploaded++;
              } else if (file && item.vector && item.currentVersionId) {
                state.put(stateOf(file, { vector: item.vector, versionId: item.currentVersionId }));
                result.uploaded++;
              }
              break;
            case "superseded":
              // Our delete lost to a concurrent edit: the edit is brought back below (the pull
              // alone may not: the cursor can be past it already).
              state.remove(change.path);
              superseded.push(change.path);
              break;
            case "conflict":
              // Our side is kept in the open conflict; the local file stays as it is.
              if (file && item.vector) {
                state.put(
                  stateOf(file, { vector: item.vector, versionId: item.currentVersionId ?? null }),
                );
              }
              if (item.conflictId) {
                state.openConflict({
                  conflictId: item.conflictId,
                  path: change.path,
                  openedAt: new Date().toISOString(),
                });
              }
              break;
            case "rejected":
              this.#log(`not synced: "${change.path}" (${item.code ?? "rejected"})`);
              result.skipped++;
              break;
          }
        }
      });
      if (superseded.length > 0) await this.#undelete(superseded, rules, result, options.signal);
    } else if (!targeted) {
      state.deleteMeta("held_quota");
    }

    // Pull.
    if (manifest) {
      const failed: string[] = [];
      await mapPool(
        manifest.files,
        this.#o.concurrency ?? 8,
        (entry) =>
          this.#apply(entry, rules, result, { restore: true, signal: options.signal, failed }),
      );
      unapplied(failed);
      state.transaction(() => {
        if (emptied) {
          const live = new Set(manifest!.files.map((entry) => entry.path));
          for (const path of state.all().keys()) if (!live.has(path)) state.remove(path);
        }
        state.setMeta("cursor", String(manifest!.cursor));
        state.setMeta("instance", instance);
      });
    }
    // A run that scanned everything (or restored) always pulls; see RunOptions.pull.
    if (options.pull !== false || !targeted) await this.#pullChanges(rules, result, options);
    result.openConflicts = state.conflicts().length;
    result.conflicts = result.openConflicts;
    result.cursor = state.cursor ?? 0;
    result.durationMs = Math.round(performance.now() - started);
    return result;
  }

  /**
   * Only the pull half of a run: applies the workspace's changes after the cursor (e.g. a
   * conflict resolution or a restore committed by a CLI command), commits nothing.
   */
  async pull(options: { signal?: AbortSignal } = {}): Promise<SyncOutcome> {
    const started = performance.now();
    const { state } = this.#o;
    const result: SyncOutcome = {
      ...emptySyncResult(),
      heldDeletes: Number(state.getMeta("held_deletes") ?? 0),
      rejectedDeletes: 0,
      openConflicts: 0,
      restored: false,
      cursor: state.cursor ?? 0,
      hashed: 0,
    };
    await this.#pullChanges(await this.#loadRules(), result, {
      signal: options.signal,
    });
    result.openConflicts = result.conflicts = state.conflicts().length;
    result.cursor = state.cursor ?? 0;
    result.durationMs = Math.round(performance.now() - started);
    return result;
  }

  /** Downloads the workspace's version of `paths` (synced files deleted here). */
  async #undelete(
    paths: readonly string[],
    rules: IgnoreRules,
    result: SyncOutcome,
    signal?: AbortSignal,
  ): Promise<void> {
    if (paths.length === 0) return;
    const { api, state, workspaceId } = this.#o;
    const wanted = new Set(paths);
    const { files } = await api.fullManifest(workspaceId, { signal });
    const live = files.filter((entry) => wanted.has(entry.path));
    const before = result.downloaded;
    await mapPool(
      live,
      this.#o.concurrency ?? 8,
      (entry) => this.#apply(entry, rules, result, { restore: true, signal }),
    );
    result.rejectedDeletes += result.downloaded - before;
    // Deleted in the workspace meanwhile: nothing to bring back, nothing to commit.
    const found = new Set(live.map((entry) => entry.path));
    state.transaction(() => {
      for (const path of paths) if (!found.has(path)) state.remove(path);
    });
  }

  /**
   * Settles the remote changes a killed run was applying: a file that holds the new bytes (or
   * is gone, for a deletion) is recorded as that version; anything else is left to the scan,
   * based on the old version, and the change itself comes again with the pull (a killed run
   * never saved the cursor past the page it was applying).
   */
  async #recoverApplies(): Promise<void> {
    const { fs, state } = this.#o;
    for (const pending of state.pendingApplies()) {
      // A file the killed apply had only moved aside is not gone: back first, judged below.
      await restoreMovedAside(fs, pending.path);
      const local = await fs.stat(pending.path);
      let adopt: PathState | undefined;
      if (pending.sha256 !== null && local?.kind === "file") {
        const { sha256 } = await hashFile(fs, pending.path);
        const after = await fs.stat(pending.path);
        // (Unchanged while it was hashed, else it is a local edit after all.)
        if (sha256 === pending.sha256 && after && sameStat(after, local)) {
          adopt = stateOf({ ...after, sha256 }, pending);
        }
      }
      const deleted = pending.sha256 === null && local === null;
      state.transaction(() => {
        if (adopt) state.put(adopt);
        else if (deleted) state.remove(pending.path);
        state.endApply(pending.path);
      });
      if (adopt || deleted) this.#log(`recovered the interrupted apply of "${pending.path}"`);
    }
  }

  /**
   * Sends again the commits a killed (or cut off) run sent without recording their answers,
   * with the same idempotency keys: the server answers what it did then, and each file that
   * still holds the bytes sent is recorded as that version. Without this the restarted agent
   * would commit those bytes again, based on the old version, over whatever came after them
   * (a newer edit, a delete). A commit the server never got is simply made now.
   */
  async #recoverCommits(signal?: AbortSignal): Promise<void> {
    const { api, fs, state } = this.#o;
    const raw = state.getMeta("pending_commits");
    if (raw === undefined) return;
    for (const request of JSON.parse(raw) as CommitRequest[]) {
      let answer: CommitAnswer;
      try {
        answer = await api.commit(request, { signal });
      } catch (error) {
        if (isRetryableError(error) || signal?.aborted) throw error;
        this.#log(`cannot recover an interrupted commit: ${errorText(error)}`);
        continue;
      }
      const records: PathState[] = [];
      const removed: string[] = [];
      for (const item of answer.items) {
        const change = request.changes[item.index];
        if (!change) continue;
        const local = await fs.stat(change.path);
        if (change.sha256 === null) {
          if (item.outcome === "applied" && local === null) removed.push(change.path);
          continue;
        }
        if (local?.kind !== "file" || !item.vector) continue;
        const { sha256 } = await hashFile(fs, change.path);
        const after = await fs.stat(change.path);
        if (sha256 !== change.sha256 || !after || !sameStat(after, local)) continue;
        const file = { ...after, sha256 };
        if (item.outcome === "merged" && item.sha256 && item.sha256 !== change.sha256) {
          records.push(stateOf(file, {
            vector: item.incomingVector ?? change.base ?? {},
            versionId: null,
          }));
        } else if (item.outcome === "applied" || item.outcome === "merged") {
          records.push(stateOf(file, {
            vector: item.vector,
            versionId: item.currentVersionId ?? null,
          }));
        } else if (item.outcome === "conflict") {
          records.push(stateOf(file, {
            vector: item.vector,
            versionId: item.currentVersionId ?? null,
          }));
          if (item.conflictId) {
            state.openConflict({
              conflictId: item.conflictId,
              path: change.path,
              openedAt: new Date().toISOString(),
            });
          }
        }
      }
      state.transaction(() => {
        for (const record of records) state.put(record);
        for (const path of removed) state.remove(path);
      });
      if (records.length + removed.length > 0) {
        this.#log(`recovered ${records.length + removed.length} changes of an interrupted commit`);
      }
    }
    state.deleteMeta("pending_commits");
  }

  async #pullChanges(rules: IgnoreRules, result: SyncOutcome, options: RunOptions) {
    const { api, state, workspaceId } = this.#o;
    const signal = options.signal;
    let cursor = state.cursor ?? 0;
    let prefetched = options.changes?.from === cursor ? options.changes.page : undefined;
    for (;;) {
      const page = prefetched ??
        await api.changes({ workspaceId, cursor, limit: 1000 }, { signal });
      prefetched = undefined;
      // Only the latest file change of a path in a page matters; conflicts all count.
      const latest = new Map<string, ChangeEntry>();
      for (const entry of page.changes) {
        if (entry.kind === "conflict") {
          if (entry.conflictId) {
            state.openConflict({
              conflictId: entry.conflictId,
              path: entry.path,
              openedAt: entry.committedAt,
            });
          }
          continue;
        }
        if (entry.conflictId) state.closeConflict(entry.conflictId);
        latest.set(entry.path, entry);
      }
      const failed: string[] = [];
      await mapPool(
        [...latest.values()],
        this.#o.concurrency ?? 8,
        (entry) => this.#apply(entry, rules, result, { restore: false, signal, failed }),
      );
      // A change that could not be applied now keeps the cursor before its page: the next run
      // applies the page again (what was applied is seen, and skipped, by its vector).
      unapplied(failed);
      cursor = page.cursor;
      state.setMeta("cursor", String(cursor));
      if (!page.hasMore) break;
    }
  }

  /**
   * Applies one remote file state. A failure is logged and the path added to `failed` (the
   * rest of the page is still applied; the caller then fails the run without moving the
   * cursor, so the change is retried, never skipped past).
   */
  async #apply(
    entry: ChangeEntry,
    rules: IgnoreRules,
    result: SyncOutcome,
    options: { restore: boolean; signal?: AbortSignal; failed?: string[] },
  ): Promise<void> {
    try {
      await this.#applyEntry(entry, rules, result, options);
    } catch (error) {
      if (isRetryableError(error) || options.signal?.aborted) throw error;
      if (error instanceof LinkedPathError) {
        // A symlink on the way: refused for good (retrying cannot make it safe).
        this.#log(`not applied: ${error.message}`);
        result.skipped++;
        return;
      }
      this.#log(
        `cannot apply "${entry.path}" now: ${
          error instanceof Error ? error.message : error
        } (retried)`,
      );
      result.skipped++;
      options.failed?.push(entry.path);
    }
  }

  async #applyEntry(
    entry: ChangeEntry,
    rules: IgnoreRules,
    result: SyncOutcome,
    options: { restore: boolean; signal?: AbortSignal },
  ): Promise<void> {
    const { fs, state } = this.#o;
    const path = entry.path;
    if (rules.ignoresPath(path) || !validatePath(path).ok) {
      result.skipped++;
      return;
    }
    // Nothing is read, written or deleted through a symlinked directory (checked again before
    // the rename).
    await assertNoLinkOnPath(fs, path);
    const windows = Deno.build.os === "windows" ? windowsNameProblem(path) : null;
    if (windows !== null) {
      this.#log(`not applied: "${path}" cannot be held on Windows: ${windows}`);
      result.skipped++;
      return;
    }
    const st = state.get(path);
    let local = await fs.stat(path);
    if (st) {
      const order = compareVectors(entry.vector, st.vector);
      const seen = order === "before" || order === "equal";
      // Seen already (our own commit's echo, or applied earlier), unless a restore finds the
      // file missing.
      if (seen && !(options.restore && local === null && !entry.deleted)) return;
    }
    if (local !== null) {
      if (local.kind !== "file") {
        this.#log(`not applied: "${path}" is a ${local.kind} here`);
        result.skipped++;
        return;
      }
      if (!st || !unchanged(local, st)) {
        // A local edit not committed yet: adopt identical content, else leave it to the next
        // push (based on the old version, so the server sees the conflict). Bytes equal to the
        // recorded version are no edit (a touch): the change applies over them, or it would be
        // skipped here and, with nothing to push, never come again.
        const { sha256 } = await hashFile(fs, path);
        const after = await fs.stat(path);
        if (!entry.deleted && sha256 === entry.sha256) {
          if (after) state.put(stateOf({ ...after, sha256 }, entry));
          return;
        }
        if (
          !st || sha256 !== st.sha256 || !after || !sameStat(after, local) ||
          after.mode !== st.mode
        ) {
          result.skipped++;
          return;
        }
        state.put({ ...st, ...statOf(after) });
        local = after;
      }
    }
    if (entry.deleted) {
      if (local !== null) {
        await assertNoLinkOnPath(fs, path);
        // Written ahead: a kill after the removal must not read as a local deletion.
        state.beginApply({ path, sha256: null, vector: entry.vector, versionId: entry.versionId });
        // Like a replacement: an edit that lands after the look above is never deleted.
        if (fs.removeIfUnchanged) {
          const removed = await fs.removeIfUnchanged(path, {
            expected: local,
            keepAs: conflictCopyPath(path, { at: new Date(), replica: this.#o.replicaId }),
          });
          if (!removed) {
            state.endApply(path);
            this.#log(`not deleted: "${path}" changed here while it was being deleted`);
            result.skipped++;
            return;
          }
        } else await fs.remove(path);
        state.transaction(() => {
          state.remove(path);
          state.endApply(path);
        });
        await removeEmptyParents(fs, path);
        result.deleted++;
      } else {
        state.remove(path);
      }
      return;
    }
    await this.#download(entry, local, result, options.signal);
  }

  async #download(
    entry: ChangeEntry,
    before: FsEntry | null,
    result: SyncOutcome,
    signal?: AbortSignal,
  ): Promise<void> {
    const { fs, state } = this.#o;
    const path = entry.path;
    const slash = path.lastIndexOf("/");
    const dir = slash < 0 ? "" : path.slice(0, slash);
    await makeParentDirs(fs, path);
    const temp = `${dir ? `${dir}/` : ""}${TEMP_PREFIX}${crypto.randomUUID().slice(0, 8)}`;
    const writer = await fs.openWrite(temp);
    try {
      if (entry.sha256 !== EMPTY_SHA256) {
        if (!entry.url || !entry.sha256) throw new Error(entry.error?.message ?? "no download URL");
        await downloadBlob(entry.url, { sha256: entry.sha256, size: entry.size }, writer, {
          signal,
          onProgress: (bytes, total) =>
            this.#o.onProgress?.({ kind: "download", path, bytes, total }),
        });
      }
      await writer.close();
    } catch (error) {
      await writer.close().catch(() => {});
      await fs.remove(temp);
      throw error;
    }
    // A first look: a file written meanwhile is a local edit, not ours.
    const now = await fs.stat(path);
    if (!sameStat(now, before)) {
      await fs.remove(temp);
      result.skipped++;
      return;
    }
    await assertNoLinkOnPath(fs, path).catch(async (error) => {
      await fs.remove(temp);
      throw error;
    });
    await fs.chmod(temp, permissionBits(entry.mode));
    // Written ahead: a kill after the rename must not read as a local edit.
    state.beginApply({
      path,
      sha256: entry.sha256,
      vector: entry.vector,
      versionId: entry.versionId,
    });
    await testDelay("SANDSYNC_TEST_DELAY_BEFORE_RENAME_MS", path);
    // The last look is part of the replacement itself where the file system can: an edit that
    // lands after the first look is never overwritten; it stays, based on the version recorded
    // here, and its push meets the remote change as a concurrent edit (a conflict, not a loss).
    let placed = true;
    if (fs.replaceIfUnchanged) {
      placed = await fs.replaceIfUnchanged(temp, path, {
        expected: before,
        keepAs: conflictCopyPath(path, { at: new Date(), replica: this.#o.replicaId }),
      });
    } else if (sameStat(await fs.stat(path), before)) {
      await fs.rename(temp, path);
    } else {
      await fs.remove(temp);
      placed = false;
    }
    if (!placed) {
      state.endApply(path);
      this.#log(`not applied: "${path}" changed here while it was being replaced`);
      result.skipped++;
      return;
    }
    const after = await fs.stat(path);
    state.transaction(() => {
      if (after) state.put(stateOf({ ...after, sha256: entry.sha256! }, entry));
      state.endApply(path);
    });
    if (!after) return;
    result.downloaded++;
    result.bytes += entry.size;
  }
}

/** Fails the run when remote changes could not be applied (the cursor stays before them). */
function unapplied(failed: readonly string[]): void {
  if (failed.length === 0) return;
  const first = failed.slice(0, 3).map((path) => JSON.stringify(path)).join(", ");
  throw new Error(
    `Cannot apply ${failed.length} remote change${failed.length === 1 ? "" : "s"} now: ${first}${
      failed.length > 3 ? ", ..." : ""
    } (the run is retried)`,
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sameStat(a: FsEntry | null, b: FsEntry | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && Math.round(a.mtimeMs) === Math.round(b.mtimeMs) && a.ino === b.ino;
}

async function removeEmptyParents(fs: SandboxFs, path: string): Promise<void> {
  let dir = path;
  for (;;) {
    const slash = dir.lastIndexOf("/");
    if (slash < 0) return;
    dir = dir.slice(0, slash);
    if ((await fs.stat(dir))?.kind !== "dir") return; // a link is never followed nor removed
    if ((await fs.list(dir)).length > 0) return;
    await fs.remove(dir).catch(() => {});
  }
}

function statOf(file: { size: number; mtimeMs: number; ino: number | null; mode: number }) {
  return { size: file.size, mtimeMs: Math.round(file.mtimeMs), ino: file.ino, mode: file.mode };
}

function asEntry(file: ScannedFile): FsEntry {
  return { ...file, kind: "file" };
}

function stateOf(
  file: {
    path: string;
    sha256: string;
    size: number;
    mtimeMs: number;
    ino: number | null;
    mode: number;
  },
  version: { vector: PathState["vector"]; versionId: string | null },
): PathState {
  return {
    path: file.path,
    vector: version.vector,
    versionId: version.versionId,
    sha256: file.sha256,
    ...statOf(file),
  };
}
