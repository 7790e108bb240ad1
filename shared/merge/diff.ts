/**
 * Unified diffs and line statistics between two texts, via jsdiff.
 *
 * @module
 */
import { createTwoFilesPatch, diffLines, FILE_HEADERS_ONLY } from "diff";

/** Options for {@linkcode unifiedDiff}. */
export interface UnifiedDiffOptions {
  /** Unchanged lines shown around each change. Default 3, as git. */
  context?: number;
}

/** A CPU budget for a diff, for callers with a hard limit (functions: 2 s). */
export interface DiffTimeout {
  /** Give up after this many milliseconds and return `null`. */
  timeoutMs: number;
}

/** Lines added and removed between two texts. */
export interface DiffStats {
  /** Lines only in the new text. */
  added: number;
  /** Lines only in the old text. */
  removed: number;
}

/**
 * A git-style unified diff of `oldText` → `newText` with `--- a/<path>` and
 * `+++ b/<path>` headers, or `""` when the texts are equal (as `git diff`
 * prints nothing). Line endings are kept, so a CRLF file diffs as CRLF, and a
 * missing final newline shows as `\ No newline at end of file`.
 *
 * @example
 * ```ts
 * unifiedDiff("src/a.ts", "a\nb\n", "a\nc\n");
 * // "--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
 * ```
 */
export function unifiedDiff(
  path: string,
  oldText: string,
  newText: string,
  options?: UnifiedDiffOptions,
): string;
/** {@linkcode unifiedDiff} within a time budget: `null` when it runs out. */
export function unifiedDiff(
  path: string,
  oldText: string,
  newText: string,
  options: UnifiedDiffOptions & DiffTimeout,
): string | null;
export function unifiedDiff(
  path: string,
  oldText: string,
  newText: string,
  options: UnifiedDiffOptions & Partial<DiffTimeout> = {},
): string | null {
  if (oldText === newText) return "";
  const context = options.context ?? 3;
  if (!Number.isInteger(context) || context < 0) {
    throw new RangeError(`Invalid diff context ${context}: expected a non-negative integer`);
  }
  // Git's layout: no "Index:" line and no "====" underline.
  const format = { context, headerOptions: FILE_HEADERS_ONLY };
  const [from, to] = [`a/${path}`, `b/${path}`];
  if (options.timeoutMs === undefined) {
    return createTwoFilesPatch(from, to, oldText, newText, undefined, undefined, format);
  }
  const patch = createTwoFilesPatch(from, to, oldText, newText, undefined, undefined, {
    ...format,
    timeout: options.timeoutMs,
  });
  return patch ?? null;
}

/**
 * Counts the lines added and removed between two texts, as the `+`/`-`
 * lines of {@linkcode unifiedDiff} would (a line whose only change is its
 * final newline counts as one removed and one added).
 */
export function diffStats(oldText: string, newText: string): DiffStats;
/** {@linkcode diffStats} within a time budget: `null` when it runs out. */
export function diffStats(oldText: string, newText: string, options: DiffTimeout): DiffStats | null;
export function diffStats(
  oldText: string,
  newText: string,
  options?: DiffTimeout,
): DiffStats | null {
  const stats: DiffStats = { added: 0, removed: 0 };
  if (oldText === newText) return stats;
  const changes = options === undefined
    ? diffLines(oldText, newText)
    : diffLines(oldText, newText, { timeout: options.timeoutMs });
  if (changes === undefined) return null;
  for (const change of changes) {
    if (change.added) stats.added += change.count;
    else if (change.removed) stats.removed += change.count;
  }
  return stats;
}
