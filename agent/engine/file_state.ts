/**
 * How a local file's look (stat) and a synced version combine into the recorded
 * {@linkcode PathState}, and when two looks at a file are the same: the small vocabulary every
 * phase of a run shares.
 *
 * @module
 */
import type { FsEntry } from "../../shared/sandbox_fs.ts";
import type { ScannedFile } from "../scanner.ts";
import type { PathState } from "../state_db.ts";

/** A local file with its content hash: what can be recorded as a synced version. */
export interface HashedFile {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number | null;
  readonly mode: number;
}

/** The version a file is recorded as: its vector and version id. */
export interface RecordedVersion {
  readonly vector: PathState["vector"];
  readonly versionId: string | null;
}

/** The stat part of a {@linkcode PathState} (mtime rounded to the millisecond). */
export function statOf(
  file: { size: number; mtimeMs: number; ino: number | null; mode: number },
): Pick<PathState, "size" | "mtimeMs" | "ino" | "mode"> {
  return { size: file.size, mtimeMs: Math.round(file.mtimeMs), ino: file.ino, mode: file.mode };
}

/** `file` recorded as `version`. */
export function stateOf(file: HashedFile, version: RecordedVersion): PathState {
  return {
    path: file.path,
    vector: version.vector,
    versionId: version.versionId,
    sha256: file.sha256,
    ...statOf(file),
  };
}

/** True when two looks at a path saw the same file (or both saw nothing). */
export function sameStat(a: FsEntry | null, b: FsEntry | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && Math.round(a.mtimeMs) === Math.round(b.mtimeMs) && a.ino === b.ino;
}

/** A scanned file as a file-system entry. */
export function asEntry(file: ScannedFile): FsEntry {
  return { ...file, kind: "file" };
}

/** The message of a thrown value. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
