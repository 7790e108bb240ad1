/**
 * Planning a run, as functions of plain data (the scan, the recorded state, the run's options):
 * whether the directory is restored from the workspace, which local files changed against
 * their recorded versions, which recorded files are deletions, what the deletion guard does
 * with them, and which changes wait for an open conflict. Safety rules:
 * docs/decisions/0009-sandbox-side-safety.md.
 *
 * @module
 */
import type { PendingChange } from "../../client/push.ts";
import type { ChangeEntry } from "../../client/types.ts";
import { type ScannedFile, unchanged } from "../scanner.ts";
import type { PathState } from "../state_db.ts";
import { asEntry, stateOf, statOf } from "./file_state.ts";
import { MIN_GUARDED_FILES } from "./options.ts";

/** Whether a run restores the directory from the workspace. */
export interface RestorePlan {
  /** Restore: the workspace's files come down, and files missing here are no deletions. */
  readonly restore: boolean;
  /** The root came up empty while files were recorded (a wiped or unmounted directory). */
  readonly emptied: boolean;
}

/**
 * A directory with no state or another instance's (`fresh`), or a whole-tree scan of an empty
 * root with files recorded, is restored; its missing files are never taken as deletions.
 */
export function planRestore(
  seen: { fresh: boolean; targeted: boolean; scannedFiles: number; recordedFiles: number },
): RestorePlan {
  const emptied = !seen.targeted && !seen.fresh && seen.scannedFiles === 0 &&
    seen.recordedFiles > 0;
  return { restore: seen.fresh || emptied, emptied };
}

/** Scanned files already identical to the workspace's: adopted as its versions, not committed. */
export function adoptable(
  manifest: readonly ChangeEntry[],
  scanned: ReadonlyMap<string, ScannedFile>,
): PathState[] {
  const adopted: PathState[] = [];
  for (const entry of manifest) {
    const file = scanned.get(entry.path);
    if (file && file.sha256 === entry.sha256 && file.mode === entry.mode) {
      adopted.push(stateOf(file, entry));
    }
  }
  return adopted;
}

/** A changed local file and the recorded version it was changed on. */
export interface FileChangePlan {
  readonly file: ScannedFile;
  /** `null` for a path new to this replica. */
  readonly base: PathState["vector"] | null;
}

/** The local edits of a scan, and the touched-only files whose new stat is to be recorded. */
export interface EditPlan {
  readonly edits: FileChangePlan[];
  /** Same bytes and mode, another stat: recorded so the next scan does not hash them. */
  readonly touched: PathState[];
}

/** The scanned files whose bytes or mode differ from their recorded version (or are new). */
export function planEdits(
  scanned: Iterable<ScannedFile>,
  recorded: ReadonlyMap<string, PathState>,
): EditPlan {
  const edits: FileChangePlan[] = [];
  const touched: PathState[] = [];
  for (const file of scanned) {
    const st = recorded.get(file.path);
    if (st && st.sha256 === file.sha256 && st.mode === file.mode) {
      if (!unchanged(asEntry(file), st)) touched.push({ ...st, ...statOf(file) });
      continue;
    }
    edits.push({ file, base: st?.vector ?? null });
  }
  return { edits, touched };
}

/** The recorded files a scan did not find: deletions, or paths now ignored (to forget). */
export interface DeletionPlan {
  readonly deletions: PendingChange[];
  /** Now ignored: forgotten, nothing deleted. */
  readonly forgotten: string[];
}

/** The deletions of a whole-tree scan, each based on its recorded version, made at `now`. */
export function planDeletions(
  recorded: ReadonlyMap<string, PathState>,
  seen: { scanned: ReadonlyMap<string, unknown>; ignores: (path: string) => boolean; now: number },
): DeletionPlan {
  const deletions: PendingChange[] = [];
  const forgotten: string[] = [];
  for (const st of recorded.values()) {
    if (seen.scanned.has(st.path)) continue;
    if (seen.ignores(st.path)) {
      forgotten.push(st.path);
      continue;
    }
    deletions.push({
      path: st.path,
      sha256: null,
      size: 0,
      mode: st.mode,
      mtime: seen.now,
      base: st.vector,
    });
  }
  return { deletions, forgotten };
}

/**
 * What the deletion guard does with a run's deletions: `reject` brings them back (the user
 * said so), `hold` keeps them back (more than `maxDelete` of at least
 * {@linkcode MIN_GUARDED_FILES} synced files, unconfirmed), `commit` lets them go.
 */
export type DeletionVerdict = "commit" | "hold" | "reject";

/** The deletion guard's verdict on `deletions` of `synced` recorded files. */
export function guardDeletions(
  counts: { deletions: number; synced: number },
  options: { maxDelete: number; confirmDeletes?: boolean; rejectDeletes?: boolean },
): DeletionVerdict {
  if (options.rejectDeletes) return "reject";
  const { deletions, synced } = counts;
  if (
    deletions > 0 && !options.confirmDeletes && synced >= MIN_GUARDED_FILES &&
    deletions / synced > options.maxDelete
  ) {
    return "hold";
  }
  return "commit";
}

/**
 * Changes on paths with an open conflict wait for its resolution: committing a later local edit
 * on top of the server's version would settle the conflict silently, without anyone choosing.
 */
export function holdConflicted<T extends { readonly path: string }>(
  changes: readonly T[],
  conflicted: ReadonlySet<string>,
): { push: T[]; held: T[] } {
  const push: T[] = [];
  const held: T[] = [];
  for (const change of changes) (conflicted.has(change.path) ? held : push).push(change);
  return { push, held };
}
