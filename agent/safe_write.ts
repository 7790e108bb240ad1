/**
 * The agent's side of the symlink rule (`shared/paths/protected_paths.ts`, the bridge's restore
 * follows the same): before a remote change creates, writes, renames or deletes anything, every
 * directory on the way inside the root is looked at with lstat; one that is a symlink (or not a
 * directory) refuses the path, since the write would land wherever the link points, possibly
 * outside the root. Missing directories are created one level at a time, each checked again.
 *
 * @module
 */
import {
  ancestorDirs,
  type AncestorKind,
  linkedAncestor,
} from "../shared/paths/protected_paths.ts";
import type { SandboxFs } from "../shared/sandbox_fs.ts";

/** A remote change refused because a directory on its way is a symlink. */
export class LinkedPathError extends Error {
  /** The refused path. */
  readonly path: string;
  /** The directory on the way that is not a real directory. */
  readonly link: string;

  constructor(path: string, link: string) {
    super(`refused "${path}": "${link}" is a symlink or not a directory`);
    this.name = "LinkedPathError";
    this.path = path;
    this.link = link;
  }
}

async function kindOf(fs: SandboxFs, dir: string): Promise<AncestorKind> {
  const entry = await fs.stat(dir);
  if (entry === null) return "missing";
  return entry.kind === "dir" ? "dir" : entry.kind === "symlink" ? "symlink" : "other";
}

/** Throws {@linkcode LinkedPathError} when a directory on the way to `path` is a symlink. */
export async function assertNoLinkOnPath(fs: SandboxFs, path: string): Promise<void> {
  const link = await linkedAncestor(path, (dir) => kindOf(fs, dir));
  if (link !== null) throw new LinkedPathError(path, link);
}

/** Creates the directories on the way to `path` one level at a time, refusing any link. */
export async function makeParentDirs(fs: SandboxFs, path: string): Promise<void> {
  for (const dir of ancestorDirs(path)) {
    let kind = await kindOf(fs, dir);
    if (kind === "missing") {
      // The parent is a real directory (checked on the previous level): one level is created.
      await fs.mkdir(dir).catch((error) => {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      });
      kind = await kindOf(fs, dir);
    }
    if (kind !== "dir") throw new LinkedPathError(path, dir);
  }
}
