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
  options: UnifiedDiffOptions = {},
): string {
  if (oldText === newText) return "";
  const context = options.context ?? 3;
  if (!Number.isInteger(context) || context < 0) {
    throw new RangeError(`Invalid diff context ${context}: expected a non-negative integer`);
  }
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, oldText, newText, undefined, undefined, {
    context,
    // Git's layout: no "Index:" line and no "====" underline.
    headerOptions: FILE_HEADERS_ONLY,
  });
}

/**
 * Counts the lines added and removed between two texts, as the `+`/`-`
 * lines of {@linkcode unifiedDiff} would (a line whose only change is its
 * final newline counts as one removed and one added).
 */
export function diffStats(oldText: string, newText: string): DiffStats {
  const stats: DiffStats = { added: 0, removed: 0 };
  if (oldText === newText) return stats;
  for (const change of diffLines(oldText, newText)) {
    if (change.added) stats.added += change.count;
    else if (change.removed) stats.removed += change.count;
  }
  return stats;
}
