/**
 * The built-in protected set and the symlink rule, shared by the ignore rules of the agent and
 * the E2B bridge (`shared/paths/ignore_rules.ts`), their writers (`agent/safe_write.ts`,
 * `e2b-bridge/bridge_restore.ts`) and the server's path check
 * (`sandsync.protected_path_problem()`, same cases in `shared/testdata/paths.json`).
 *
 * The protected set is evaluated before any ignore file and no ignore file can negate it: a
 * `.gitignore` arriving from another replica with `!.git/` or `!.sandsync/` must not make a
 * replica upload its repository config or its own state, nor accept a `.git/hooks/*` script.
 * Only configuration no replica can change by syncing a file may lift `.git/`: the workspace
 * setting `sync_git`, which only the owner's user session can change.
 *
 * @module
 */

/** The agent's own directory (state, instance manifest): reserved in every directory. */
export const STATE_DIR_NAME = ".sandsync";
/** Prefix of temp files (downloads in progress): reserved in every directory. */
export const TEMP_PREFIX = ".sandsync-tmp-";
/** Git's directory: protected unless the workspace opted in with `sync_git`. */
export const GIT_DIR_NAME = ".git";

/** Why a path is protected: `path_reserved` always, `path_git` unless `syncGit`. */
export type ProtectedPathCode = "path_reserved" | "path_git";

/** Options of {@linkcode protectedPathProblem}. */
export interface ProtectedPathOptions {
  /** The workspace opted into syncing `.git/` (the owner's `sync_git` setting). */
  readonly syncGit?: boolean;
}

/**
 * The code of the protection `path` (root-relative, `/`-separated; a file or a directory) falls
 * under, or `null`. A segment `.sandsync` or starting with `.sandsync-tmp-` anywhere is reserved;
 * a segment `.git` anywhere is protected unless `syncGit`.
 */
export function protectedPathProblem(
  path: string,
  options: ProtectedPathOptions = {},
): ProtectedPathCode | null {
  let git = false;
  for (const segment of path.split("/")) {
    if (segment === STATE_DIR_NAME || segment.startsWith(TEMP_PREFIX)) return "path_reserved";
    if (segment === GIT_DIR_NAME) git = true;
  }
  return git && !options.syncGit ? "path_git" : null;
}

/** Every directory on the way to `path` inside the root, shallowest first (`a/b/c` → a, a/b). */
export function ancestorDirs(path: string): string[] {
  const parts = path.split("/").slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** What a directory on the way is, as far as the symlink rule cares. */
export type AncestorKind = "dir" | "symlink" | "missing" | "other";

/**
 * The symlink rule, one for every writer: nothing is created, written, renamed or deleted at
 * `path` when a directory on the way to it inside the root is a symlink (or not a directory),
 * since the write would land wherever the link points, possibly outside the root. Returns the
 * first offending ancestor, or `null` when every existing ancestor is a real directory (missing
 * ones are created one level at a time by the caller, checking each again). `kindOf` is the
 * caller's lstat (never following links).
 */
export async function linkedAncestor(
  path: string,
  kindOf: (dir: string) => AncestorKind | Promise<AncestorKind>,
): Promise<string | null> {
  for (const dir of ancestorDirs(path)) {
    const kind = await kindOf(dir);
    if (kind === "missing") return null; // nothing below a missing directory exists yet
    if (kind !== "dir") return dir;
  }
  return null;
}

/** Only the permission bits of a mode: setuid, setgid and sticky bits are never applied. */
export function permissionBits(mode: number): number {
  return mode & 0o777;
}
