/**
 * Names of conflict copies: the loser of a last-write-wins conflict is kept
 * beside the file as `<name>.sync-conflict-<YYYYMMDD-HHMMSS>-<replica>.<ext>`
 * (UTC), as Syncthing does, so it still opens with the right program.
 *
 * Extension rules: the extension is what follows the last dot of the file
 * name (`a/b/file.tar.gz` → `a/b/file.tar.sync-conflict-…-r.gz`); a leading
 * dot does not start an extension (`.env` → `.env.sync-conflict-…-r`), a
 * name without a dot or ending in a dot gets the suffix only, and an
 * "extension" over 16 bytes is treated as part of the name.
 *
 * @module
 */
import { MAX_SEGMENT_BYTES } from "../paths/path_rules.ts";

/** Where and by whom the conflicting version was written. */
export interface ConflictCopyOptions {
  /** When the losing version was committed; formatted in UTC to the second. */
  at: Date;
  /** The replica that wrote the losing version. */
  replica: string;
}

/** What {@linkcode parseConflictCopyPath} recovers from a conflict copy's path. */
export interface ConflictCopyInfo {
  /** The path the copy was made for. */
  originalPath: string;
  /** The commit time in the name, to the second. */
  at: Date;
  /** The replica in the name, as sanitised. */
  replica: string;
}

const MAX_EXT_BYTES = 16;
const MAX_REPLICA_CHARS = 64;
const COPY_NAME = /^(.+)\.sync-conflict-(\d{8})-(\d{6})-([A-Za-z0-9_-]+)(?:\.([^.]+))?$/;
const encoder = new TextEncoder();

/**
 * The path of the conflict copy of `path`. The replica id is reduced to
 * `[A-Za-z0-9_-]` (other characters become `_`) and 64 characters, and the
 * name part is shortened, if need be, so the file name stays within 255
 * bytes. Two copies of one path by one replica in the same second get the
 * same name: the caller checks for an existing file.
 *
 * @example
 * ```ts
 * conflictCopyPath("src/app.ts", { at: new Date("2026-11-25T07:05:09Z"), replica: "phone" });
 * // "src/app.sync-conflict-20261125-070509-phone.ts"
 * ```
 * @throws {RangeError} on an invalid date or an empty replica id.
 */
export function conflictCopyPath(path: string, options: ConflictCopyOptions): string {
  const { at, replica } = options;
  if (Number.isNaN(at.getTime())) throw new RangeError("Invalid conflict copy date");
  if (replica.length === 0) throw new RangeError("Invalid conflict copy replica: empty");
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf(".");
  let stem = name;
  let ext = "";
  if (dot > 0 && dot < name.length - 1 && bytes(name.slice(dot + 1)) <= MAX_EXT_BYTES) {
    stem = name.slice(0, dot);
    ext = `.${name.slice(dot + 1)}`;
  }
  const safeReplica = replica.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, MAX_REPLICA_CHARS);
  const suffix = `.sync-conflict-${stamp(at)}-${safeReplica}${ext}`;
  return dir + truncateBytes(stem, MAX_SEGMENT_BYTES - bytes(suffix)) + suffix;
}

/** True when the last segment of `path` is a conflict copy's name. */
export function isConflictCopyPath(path: string): boolean {
  return parseConflictCopyPath(path) !== null;
}

/**
 * Recovers the original path, time and replica from a conflict copy's path,
 * or `null` when `path` is not one. The original path is exact unless the
 * name was shortened to fit.
 */
export function parseConflictCopyPath(path: string): ConflictCopyInfo | null {
  const slash = path.lastIndexOf("/");
  const match = COPY_NAME.exec(path.slice(slash + 1));
  if (!match) return null;
  const [, stem = "", day = "", time = "", replica = "", ext] = match;
  const iso = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T` +
    `${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4)}Z`;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return null;
  const originalPath = path.slice(0, slash + 1) + stem + (ext === undefined ? "" : `.${ext}`);
  return { originalPath, at, replica };
}

function stamp(at: Date): string {
  const iso = at.toISOString(); // 2026-11-25T07:05:09.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-` +
    `${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

function bytes(text: string): number {
  return encoder.encode(text).length;
}

/** Cuts `text` to at most `max` UTF-8 bytes without splitting a code point. */
function truncateBytes(text: string, max: number): string {
  if (bytes(text) <= max) return text;
  let out = "";
  let used = 0;
  for (const char of text) {
    const size = bytes(char);
    if (used + size > max) break;
    out += char;
    used += size;
  }
  return out;
}
