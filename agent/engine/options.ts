/**
 * What a sync engine is built with and what one run is asked to do, and the context every phase
 * of a run (agent/engine/) receives: the API, the directory, its state and the engine's settings.
 *
 * @module
 */
import type { SyncApi } from "../../client/sync_api.ts";
import type { ChangesPage, ProgressEvent } from "../../client/types.ts";
import type { SandboxFs } from "../../shared/sandbox_fs.ts";
import type { StateDb } from "../state_db.ts";

/** Default share of synced files that may be deleted in one run without confirmation. */
export const DEFAULT_MAX_DELETE = 0.5;
/** Below this many synced files the deletion guard does not apply. */
export const MIN_GUARDED_FILES = 10;
/** Above this many changed paths, a watch-mode run scans the whole root instead. */
export const MAX_TARGETED_PATHS = 1000;

/** Options of `SyncEngine` (agent/sync_engine.ts). */
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

/** What every phase of a run works with. */
export interface EngineContext {
  readonly api: SyncApi;
  readonly fs: SandboxFs;
  readonly state: StateDb;
  readonly workspaceId: string;
  readonly replicaId: string;
  /** As configured; each phase applies its own default (uploads 4, applies 8). */
  readonly concurrency?: number;
  readonly log: (message: string) => void;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Packed blobs fetched ahead for the entries being applied, verified: SHA-256 → bytes. */
  readonly prefetched?: ReadonlyMap<string, Uint8Array>;
}
