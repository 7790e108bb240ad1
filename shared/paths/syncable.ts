/**
 * Which directory entries are synced, decided once for the agent's scanner (a local directory)
 * and the E2B bridge's listing (a sandbox): ignored paths (protected set, local patterns, ignore
 * files; `ignore_rules.ts`) are left out silently, directories are walked, regular files with a
 * valid path (`path_rules.ts`) are synced, and everything else (symlinks, devices, sockets,
 * FIFOs, invalid names) is left alone with a reason. Symlinks are never followed: syncing one
 * would sync whatever it points at, possibly outside the root. Only the permission bits of a
 * mode are synced (`permissionBits`).
 *
 * @module
 */
import type { IgnoreRules } from "./ignore_rules.ts";
import { type PathProblemCode, validatePath } from "./path_rules.ts";
import { permissionBits } from "./protected_paths.ts";
import type { FsEntry } from "../sandbox_fs.ts";

/** Mode of a file whose file system reports none. */
export const DEFAULT_FILE_MODE = 0o644;

/** Why an entry that is not ignored is still not synced. */
export type UnsyncableReason = "symlink" | "not_a_file" | "invalid_path";

/** What to do with one directory entry (see {@linkcode syncable}). */
export type Syncability =
  /** A regular file with a valid path: sync it. */
  | { readonly action: "sync" }
  /** A directory that is not ignored: walk into it. */
  | { readonly action: "walk" }
  /** Covered by the ignore rules (or the protected set): leave it out, silently. */
  | { readonly action: "ignore" }
  /** Not ignored but not syncable: leave it alone and say why (`problem` for invalid paths). */
  | {
    readonly action: "skip";
    readonly reason: UnsyncableReason;
    readonly problem?: PathProblemCode;
  };

/**
 * Whether the entry at `entry.path` (root-relative, as listed, symlinks not followed) is synced.
 * The order matters: ignored entries are never reported, so an ignored symlink or a badly named
 * file under `node_modules/` is not news.
 */
export function syncable(
  entry: Pick<FsEntry, "path" | "kind">,
  rules: IgnoreRules,
): Syncability {
  if (rules.ignores(entry.path, entry.kind === "dir")) return { action: "ignore" };
  if (entry.kind === "dir") return { action: "walk" };
  if (entry.kind === "symlink") return { action: "skip", reason: "symlink" };
  if (entry.kind !== "file") return { action: "skip", reason: "not_a_file" };
  const valid = validatePath(entry.path);
  if (!valid.ok) return { action: "skip", reason: "invalid_path", problem: valid.code };
  return { action: "sync" };
}

/** The synced mode of a file: its permission bits, {@linkcode DEFAULT_FILE_MODE} when unknown. */
export function syncedMode(mode: number | null | undefined): number {
  return permissionBits(mode ?? DEFAULT_FILE_MODE);
}
