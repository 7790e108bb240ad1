/**
 * The scan of a run: the whole root against the recorded state, or in watch mode only the paths
 * that changed, with the recorded entries they cover. A targeted scan falls back to the whole
 * root when it cannot stand for it (see `RunOptions.paths`).
 *
 * @module
 */
import { IGNORE_FILES, type IgnoreRules } from "../../shared/paths/ignore_rules.ts";
import { scan, scanPaths, type ScanResult } from "../scanner.ts";
import type { PathState } from "../state_db.ts";
import { type EngineContext, MAX_TARGETED_PATHS } from "./options.ts";

/** What a run's scan found, against which recorded entries. */
export interface RunScan {
  /** The recorded entries the scan covers (all of them, unless `targeted`). */
  readonly known: Map<string, PathState>;
  readonly scanned: ScanResult;
  /** Only some paths were scanned (watch mode). */
  readonly targeted: boolean;
}

/** Scans `paths` when given and enough, else the whole root. */
export async function scanForRun(
  ctx: EngineContext,
  rules: IgnoreRules,
  paths?: readonly string[],
): Promise<RunScan> {
  const targeted = paths ? await scanTargeted(ctx, rules, paths) : undefined;
  if (targeted) return { ...targeted, targeted: true };
  const known = ctx.state.all();
  // (Runs hold the directory lock: leftover temp files are ours to remove.)
  const scanned = await scan(ctx.fs, rules, known, { removeTemps: true });
  return { known, scanned, targeted: false };
}

/**
 * True when a watch-mode batch needs the whole tree: too many paths, or an ignore file among
 * them (its rules apply everywhere).
 */
export function needsWholeTree(paths: readonly string[]): boolean {
  return paths.length > MAX_TARGETED_PATHS || paths.some((path) => IGNORE_FILES.includes(path));
}

/**
 * Scans `paths` only, with the recorded entries they cover; `undefined` when the run needs the
 * whole tree (also when a recorded path is found gone: the deletion guard and the emptied-root
 * rule need every path).
 */
async function scanTargeted(ctx: EngineContext, rules: IgnoreRules, paths: readonly string[]) {
  const { fs, state } = ctx;
  if (needsWholeTree(paths)) return undefined;
  const known = new Map<string, PathState>();
  for (const path of paths) {
    const st = state.get(path);
    if (st) known.set(path, st);
    for (const below of state.under(path)) known.set(below.path, below);
  }
  const scanned = await scanPaths(fs, rules, { paths, state: known, removeTemps: true });
  for (const path of known.keys()) if (!scanned.files.has(path)) return undefined;
  return { known, scanned };
}
