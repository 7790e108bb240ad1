/**
 * What a run reports ({@linkcode SyncOutcome}), how it starts and how it is closed, and the files
 * a run held back over quota (kept in the state between runs for `status`).
 *
 * @module
 */
import { emptySyncResult, type SyncResult } from "../../client/types.ts";
import type { StateDb } from "../state_db.ts";

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

/** The outcome a run starts from: nothing done yet, at the state's cursor. */
export function startOutcome(state: StateDb, heldDeletes = 0): SyncOutcome {
  return {
    ...emptySyncResult(),
    heldDeletes,
    rejectedDeletes: 0,
    openConflicts: 0,
    restored: false,
    cursor: state.cursor ?? 0,
    hashed: 0,
  };
}

/** Closes `result`: the conflicts open, the cursor reached, the time since `started`. */
export function finishOutcome(result: SyncOutcome, state: StateDb, started: number): SyncOutcome {
  result.openConflicts = result.conflicts = state.conflicts().length;
  result.cursor = state.cursor ?? 0;
  result.durationMs = Math.round(performance.now() - started);
  return result;
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
