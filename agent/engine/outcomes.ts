/**
 * What a commit answer means for local state, as functions of plain data: per committed change,
 * the version its file is recorded as (always the vector the server gave, never one predicted
 * here), the recorded state forgotten, a lost delete to bring back, the conflict opened, and how
 * the item counts in the run's summary. {@linkcode recordEffects} then writes them.
 *
 * @module
 */
import type { PendingChange } from "../../client/push.ts";
import type { CommitItemAnswer } from "../../client/types.ts";
import type { ConflictState, PathState, StateDb } from "../state_db.ts";
import { type HashedFile, stateOf } from "./file_state.ts";
import type { SyncOutcome } from "./sync_outcome.ts";

/** A change as sent in a commit: its path, its bytes (`null`: a delete) and its base. */
export type SentChange = Pick<PendingChange, "path" | "sha256" | "base">;

/** One committed change with the server's answer and the local file it was read from. */
export interface CommittedChange {
  readonly change: SentChange;
  readonly item: CommitItemAnswer;
  /** The scanned file the change was made from (absent for a delete). */
  readonly file?: HashedFile;
}

/** What one answered change does to local state and to the run's summary. */
export interface ItemEffect {
  readonly path: string;
  /** The local file is recorded as this version. */
  readonly record?: PathState;
  /** The path's recorded state is forgotten. */
  readonly forget?: true;
  /** A delete lost to a concurrent edit: the edit is brought back from the workspace. */
  readonly bringBack?: true;
  /** A conflict the commit opened on the path. */
  readonly openConflict?: ConflictState;
  /** How the item counts in the run's summary. */
  readonly counts?: "uploaded" | "deleted" | "skipped";
  /** Logged when the effect is recorded. */
  readonly note?: string;
}

/**
 * The effect of one answered change of this run's push:
 * - `applied` / `merged`: a delete forgets the path; a file is recorded as the current version
 *   (`vector`, `currentVersionId`), or, when the server made new bytes (an auto-merge: `sha256`
 *   is not what was sent), as the version sent (`incomingVector`, else its base) so that the
 *   merged version comes down with the pull instead of passing for this replica's own echo;
 * - `superseded`: a delete lost to a concurrent edit: forgotten and brought back;
 * - `conflict`: the local bytes stay, recorded on the current version; the conflict is opened;
 * - `rejected`: not synced (`code`, e.g. `path_case_conflict`), counted as skipped.
 */
export function interpretItem(committed: CommittedChange, at: Date): ItemEffect {
  const { change, item, file } = committed;
  const path = change.path;
  switch (item.outcome) {
    case "applied":
    case "merged":
      if (change.sha256 === null) return { path, forget: true, counts: "deleted" };
      if (file && item.sha256 && item.sha256 !== change.sha256) {
        return { path, record: stateOf(file, sentVersion(change, item)), counts: "uploaded" };
      }
      if (file && item.vector && item.currentVersionId) {
        const version = { vector: item.vector, versionId: item.currentVersionId };
        return { path, record: stateOf(file, version), counts: "uploaded" };
      }
      return { path };
    case "superseded":
      return { path, forget: true, bringBack: true };
    case "conflict":
      return {
        path,
        ...(file && item.vector ? { record: stateOf(file, currentVersion(item)) } : {}),
        ...openedConflict(path, item, at),
      };
    case "rejected":
      return {
        path,
        counts: "skipped",
        note: `not synced: "${path}" (${item.code ?? "rejected"})`,
      };
  }
}

/** What the local side of a change sent by a killed run looks like now. */
export interface RecoveredLook {
  /** The local file, when it still holds exactly the bytes sent. */
  readonly file: HashedFile | null;
  /** Nothing is at the path. */
  readonly gone: boolean;
}

/**
 * The effect of one change a killed run sent, answered again now (by its idempotency key). Only
 * what still matches is recorded: a file that still holds the bytes sent becomes the version
 * the answer names (as in {@linkcode interpretItem}, without needing `currentVersionId`); an
 * applied delete of a path still gone is forgotten. Anything else is left to the scan.
 */
export function interpretRecovered(
  committed: { change: SentChange; item: CommitItemAnswer },
  look: RecoveredLook,
  at: Date,
): ItemEffect {
  const { change, item } = committed;
  const path = change.path;
  if (change.sha256 === null) {
    return item.outcome === "applied" && look.gone ? { path, forget: true } : { path };
  }
  const file = look.file;
  if (!file || !item.vector) return { path };
  if (item.outcome === "merged" && item.sha256 && item.sha256 !== change.sha256) {
    return { path, record: stateOf(file, sentVersion(change, item)) };
  }
  if (item.outcome === "applied" || item.outcome === "merged") {
    return { path, record: stateOf(file, currentVersion(item)) };
  }
  if (item.outcome === "conflict") {
    return { path, record: stateOf(file, currentVersion(item)), ...openedConflict(path, item, at) };
  }
  return { path };
}

/** True when recovering `change` needs a look at its local file's bytes. */
export function needsLocalBytes(change: SentChange, item: CommitItemAnswer): boolean {
  return change.sha256 !== null && item.vector !== undefined;
}

/**
 * Records `effects` in `state` and counts them in `result` (the caller holds the transaction);
 * answers the paths to bring back from the workspace.
 */
export function recordEffects(
  state: StateDb,
  effects: readonly ItemEffect[],
  options: { result?: SyncOutcome; log: (message: string) => void },
): string[] {
  const bringBack: string[] = [];
  for (const effect of effects) {
    if (effect.record) state.put(effect.record);
    if (effect.forget) state.remove(effect.path);
    if (effect.openConflict) state.openConflict(effect.openConflict);
    if (effect.counts && options.result) options.result[effect.counts]++;
    if (effect.note) options.log(effect.note);
    if (effect.bringBack) bringBack.push(effect.path);
  }
  return bringBack;
}

/** The version the server gave the bytes sent, before it merged them (or the base sent on). */
function sentVersion(change: SentChange, item: CommitItemAnswer) {
  return { vector: item.incomingVector ?? change.base ?? {}, versionId: null };
}

function currentVersion(item: CommitItemAnswer) {
  return { vector: item.vector ?? {}, versionId: item.currentVersionId ?? null };
}

function openedConflict(path: string, item: CommitItemAnswer, at: Date) {
  if (!item.conflictId) return {};
  return { openConflict: { conflictId: item.conflictId, path, openedAt: at.toISOString() } };
}
