/**
 * Sandbox paths and where they live on the host. Each sandbox's `/` is a host directory; a
 * sandbox path is resolved one component at a time, following symlinks the way a kernel
 * would inside a chroot: an absolute link target starts again at the sandbox's `/`, so no
 * link can lead to a host file. A path (asked for, or read from a link) that climbs above
 * `/` with `..` is refused with {@link PathEscapeError}: envd inside a VM would clamp it, the
 * stand-in refuses it so escapes show up in tests.
 *
 * @module
 */
import { join } from "node:path";

/** A sandbox path that would leave the sandbox's root. */
export class PathEscapeError extends Error {
  /** Names the offending path. */
  constructor(path: string) {
    super(`Path "${path}" escapes the sandbox root`);
    this.name = "PathEscapeError";
  }
}

/** A symlink chain too long to follow (a loop). */
export class SymlinkLoopError extends Error {
  /** Names the offending path. */
  constructor(path: string) {
    super(`Path "${path}" has a symlink loop or chain of more than 40 links`);
    this.name = "SymlinkLoopError";
  }
}

const MAX_LINK_HOPS = 40;

/** The home directory of a sandbox user, as envd knows it (`root` lives in `/root`). */
export function homeOf(user: string): string {
  return user === "root" ? "/root" : `/home/${user}`;
}

/**
 * Turns a request path into a normalized absolute sandbox path: `~` is the user's home, a
 * relative path is relative to the home, `.` and empty segments vanish, `..` pops a segment
 * and must not climb above `/`.
 */
export function normalizeSandboxPath(path: string, home: string): string {
  let full = path;
  if (full === "~" || full.startsWith("~/")) full = home + full.slice(1);
  else if (!full.startsWith("/")) full = `${home}/${full}`;
  const segments: string[] = [];
  for (const segment of full.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length === 0) throw new PathEscapeError(path);
      segments.pop();
    } else {
      segments.push(segment);
    }
  }
  return "/" + segments.join("/");
}

/** A sandbox path resolved to the host. */
export interface ResolvedPath {
  /** The sandbox path after following symlinks, e.g. `/home/user/a.txt`. */
  readonly sandboxPath: string;
  /** Where it lives on the host. */
  readonly hostPath: string;
}

async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return null;
    }
    throw error;
  }
}

/**
 * Resolves a normalized sandbox path inside `sandboxRoot` (a host directory), following
 * symlinks in every component, or in all but the last when `followLast` is false (for
 * lstat, rename and remove, which act on a link itself). Components that do not exist yet
 * are kept as they are, so the result also names files about to be created.
 */
export async function resolveSandboxPath(
  sandboxRoot: string,
  sandboxPath: string,
  options: { followLast: boolean },
): Promise<ResolvedPath> {
  const resolved: string[] = [];
  const pending = sandboxPath.split("/").filter((segment) => segment !== "");
  let hops = 0;
  while (pending.length > 0) {
    const segment = pending.shift()!;
    if (segment === ".") continue;
    if (segment === "..") {
      if (resolved.length === 0) throw new PathEscapeError(sandboxPath);
      resolved.pop();
      continue;
    }
    if (pending.length === 0 && !options.followLast) {
      resolved.push(segment);
      break;
    }
    const hostPath = join(sandboxRoot, ...resolved, segment);
    const info = await lstatOrNull(hostPath);
    if (!info?.isSymlink) {
      resolved.push(segment);
      continue;
    }
    if (++hops > MAX_LINK_HOPS) throw new SymlinkLoopError(sandboxPath);
    const target = await Deno.readLink(hostPath);
    if (target.startsWith("/")) resolved.length = 0;
    pending.unshift(...target.split("/").filter((part) => part !== ""));
  }
  return {
    sandboxPath: "/" + resolved.join("/"),
    hostPath: join(sandboxRoot, ...resolved),
  };
}
