/**
 * envd's `filesystem.EntryInfo` in proto3 JSON (camelCase names, enums by name, int64 as a
 * string, Timestamp as RFC 3339), built from the host's `lstat` the way envd builds it: a
 * symlink reports its target's type and permission bits, its own size and mode string, and
 * the sandbox path it resolves to.
 *
 * @module
 */
import { PathEscapeError, resolveSandboxPath, SymlinkLoopError } from "./sandbox_paths.ts";
import type { JsonObject } from "./connect_protocol.ts";

/** `filesystem.FileType` names. */
export type FileTypeName =
  | "FILE_TYPE_UNSPECIFIED"
  | "FILE_TYPE_FILE"
  | "FILE_TYPE_DIRECTORY"
  | "FILE_TYPE_SYMLINK";

function typeOf(info: Deno.FileInfo): FileTypeName {
  if (info.isSymlink) return "FILE_TYPE_SYMLINK";
  if (info.isDirectory) return "FILE_TYPE_DIRECTORY";
  if (info.isFile) return "FILE_TYPE_FILE";
  return "FILE_TYPE_UNSPECIFIED";
}

/** Go's `os.FileMode.String()` for the common cases: `drwxr-xr-x`, `-rw-r--r--`, `Lrwxrwxrwx`. */
export function permissionString(info: Deno.FileInfo): string {
  const kind = info.isDirectory ? "d" : info.isSymlink ? "L" : "-";
  const mode = info.mode ?? 0;
  let bits = "";
  for (let shift = 8; shift >= 0; shift--) {
    bits += (mode >> shift) & 1 ? "rwx"[(8 - shift) % 3] : "-";
  }
  return kind + bits;
}

function baseName(sandboxPath: string): string {
  return sandboxPath === "/" ? "/" : sandboxPath.slice(sandboxPath.lastIndexOf("/") + 1);
}

/** Where a symlink points, as a sandbox path, with the target's info when it exists. */
async function linkTarget(
  sandboxRoot: string,
  sandboxPath: string,
): Promise<{ path: string; info: Deno.FileInfo | null } | null> {
  try {
    const target = await resolveSandboxPath(sandboxRoot, sandboxPath, { followLast: true });
    const info = await Deno.stat(target.hostPath).catch(() => null);
    return { path: target.sandboxPath, info };
  } catch (error) {
    if (error instanceof PathEscapeError || error instanceof SymlinkLoopError) return null;
    throw error;
  }
}

/**
 * The EntryInfo of `sandboxPath` (already resolved up to its last component, which is not
 * followed), whose host path is `hostPath`; `owner` names both owner and group (the stand-in
 * runs as one host user, and envd reports the sandbox user who made the file).
 */
export async function entryInfo(
  sandboxRoot: string,
  sandboxPath: string,
  hostPath: string,
  owner: string,
): Promise<JsonObject> {
  const info = await Deno.lstat(hostPath);
  let type = typeOf(info);
  let mode = (info.mode ?? 0) & 0o777;
  const entry: JsonObject = {
    name: baseName(sandboxPath),
    path: sandboxPath,
    size: String(info.size),
    permissions: permissionString(info),
    owner,
    group: owner,
  };
  if (info.mtime) entry.modifiedTime = info.mtime.toISOString();
  if (info.isSymlink) {
    const target = await linkTarget(sandboxRoot, sandboxPath);
    if (target) entry.symlinkTarget = target.path;
    type = target?.info ? typeOf(target.info) : "FILE_TYPE_UNSPECIFIED";
    mode = target?.info ? (target.info.mode ?? 0) & 0o777 : 0;
  }
  entry.type = type;
  entry.mode = mode;
  return entry;
}
