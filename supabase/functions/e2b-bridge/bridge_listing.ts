/**
 * What a sandbox root holds, as the bridge sees it: one listing per call (the root's entries,
 * then each top-level directory that is not ignored, recursively, so a top-level
 * `node_modules/` or `.git/` is never listed), the root's ignore files applied, and every entry
 * sorted into files to sync, paths to leave alone (symlinks, paths the sync rules refuse,
 * entries outside the root) and ignored ones, by the rule the agent's scan uses too
 * (`shared/paths/syncable.ts`).
 *
 * @module
 */
import { InvalidArgumentError } from "e2b";
import type { RefusedPath } from "../../../shared/protocol/bridge.ts";
import { IgnoreRules } from "../../../shared/paths/ignore_rules.ts";
import { syncable } from "../../../shared/paths/syncable.ts";
import type { E2bEntry, E2bFs } from "./e2b_fs.ts";
import { mapPool } from "../../../shared/pool.ts";

/** How deep below a top-level directory a listing goes. */
export const LIST_DEPTH = 64;

/** Largest ignore file the bridge reads (its text is held in the function's memory). */
export const MAX_SANDBOX_IGNORE_BYTES = 256 * 1024;

/**
 * The sandbox root's ignore rules (`shared/paths/ignore_rules.ts`, the agent's rules too);
 * `top`, the root's entries when already listed, saves a stat per ignore file.
 */
export function sandboxRules(
  fs: E2bFs,
  options: { readonly top?: readonly E2bEntry[]; readonly syncGit?: boolean } = {},
): Promise<IgnoreRules> {
  const { top } = options;
  return IgnoreRules.read({
    stat: (name) => top ? Promise.resolve(top.find((e) => e.path === name)) : fs.stat(name),
    readText: async (name) => await new Response(await fs.readStream(name)).text(),
  }, { maxFileBytes: MAX_SANDBOX_IGNORE_BYTES, syncGit: options.syncGit });
}

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
  const rules = await sandboxRules(fs, { top });
  const entries: E2bEntry[] = [...top];
  const dirs = top.filter((e) => syncable(e, rules).action === "walk");
  await mapPool(dirs, 4, async (dir) => {
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
    const verdict = syncable(entry, rules);
    if (verdict.action === "sync") files.push(entry);
    else if (verdict.action === "skip") refused.push({ path: entry.path, reason: verdict.reason });
  }
  files.sort((a, b) => compare(a.path, b.path));
  refused.sort((a, b) => compare(a.path, b.path));
  return { files, present, refused, rules };
}

/** The one order of paths in cursors (UTF-16 code units, stable across calls). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
