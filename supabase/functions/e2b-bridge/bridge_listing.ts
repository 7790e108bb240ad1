/**
 * What a sandbox root holds, as the bridge sees it: one listing per call (the root's entries,
 * then each top-level directory that is not ignored, recursively, so a top-level
 * `node_modules/` or `.git/` is never listed), the root's ignore files applied, and every entry
 * sorted into files to sync, paths to leave alone (symlinks, paths the sync rules refuse,
 * entries outside the root) and ignored ones.
 *
 * @module
 */
import { InvalidArgumentError } from "e2b";
import type { RefusedPath } from "../../../shared/protocol/bridge.ts";
import { validatePath } from "../../../shared/paths/path_rules.ts";
import { IGNORE_FILES, IgnoreRules, MAX_IGNORE_FILE_BYTES } from "./bridge_ignore.ts";
import type { E2bEntry, E2bFs } from "./e2b_fs.ts";
import { forEachLimit } from "../_shared/blobs/for_each_limit.ts";

/** How deep below a top-level directory a listing goes. */
export const LIST_DEPTH = 64;

/** A sorted view of a sandbox root. */
export interface SandboxListing {
  /** Regular files to sync, sorted by path. */
  readonly files: readonly E2bEntry[];
  /** Every path listed (any kind, ignored ones too): what is not here is gone. */
  readonly present: ReadonlySet<string>;
  /** Entries left alone, sorted by path. */
  readonly refused: readonly RefusedPath[];
  readonly rules: IgnoreRules;
}

/** Lists the root of `fs`; `null` when the root does not exist. */
export async function listSandbox(fs: E2bFs): Promise<SandboxListing | null> {
  const top = await fs.list("").catch((error) => {
    if ((error as Error).name === "FileNotFoundError") return null;
    throw error;
  });
  if (top === null) return null;
  const texts: string[] = [];
  for (const name of IGNORE_FILES) {
    const entry = top.find((e) => e.path === name);
    if (entry?.kind !== "file" || entry.size > MAX_IGNORE_FILE_BYTES) continue;
    texts.push(await new Response(await fs.readStream(name)).text());
  }
  const rules = IgnoreRules.fromTexts(texts);
  const entries: E2bEntry[] = [...top];
  const dirs = top.filter((e) => e.kind === "dir" && !rules.ignores(e.path, true));
  await forEachLimit(dirs, 4, async (dir) => {
    try {
      entries.push(...await fs.listTree(dir.path, LIST_DEPTH));
    } catch (error) {
      // A directory that resolves outside the sandbox (the stand-in refuses it) is skipped.
      if (!(error instanceof InvalidArgumentError)) throw error;
    }
  });
  return classify(entries, rules);
}

/** Sorts entries into files, refused paths and the set of present paths. */
export function classify(entries: readonly E2bEntry[], rules: IgnoreRules): SandboxListing {
  const files: E2bEntry[] = [];
  const refused: RefusedPath[] = [];
  const present = new Set<string>();
  for (const entry of entries) {
    present.add(entry.path);
    if (entry.path === "") continue;
    if (rules.ignores(entry.path, entry.kind === "dir")) continue;
    if (entry.kind === "dir") continue;
    if (entry.kind === "symlink") refused.push({ path: entry.path, reason: "symlink" });
    else if (entry.kind !== "file") refused.push({ path: entry.path, reason: "not_a_file" });
    else if (!validatePath(entry.path).ok) {
      refused.push({ path: entry.path, reason: "invalid_path" });
    } else files.push(entry);
  }
  files.sort((a, b) => compare(a.path, b.path));
  refused.sort((a, b) => compare(a.path, b.path));
  return { files, present, refused, rules };
}

/** The one order of paths in cursors (UTF-16 code units, stable across calls). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
