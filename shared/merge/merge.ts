/**
 * Line-based three-way merge of text against a common ancestor (the diff3
 * algorithm of GNU diff3 and git; see diff3.ts for why it runs on jsdiff).
 *
 * Rules, in the order they apply:
 * - identical sides, or one side unchanged from the base, merge to the other
 *   side's text byte for byte (no line splitting involved);
 * - edits separated by at least one unchanged line merge cleanly;
 * - the same edit made on both sides is not a conflict;
 * - edits to the same lines, or to adjacent-but-distinct lines, conflict.
 *   Adjacent edits conflict on purpose, as in git and diff3: a line-based
 *   tool cannot tell whether two edits that touch depend on each other, and
 *   a clean result must be safe to take without looking. Two insertions at
 *   the same place (both sides appending at the end) conflict too.
 *
 * Lines keep their terminators, so CRLF files stay CRLF and whether the file
 * ends with a newline is merged like any other edit of its last line.
 *
 * @module
 */
import { append, diff3Regions } from "./diff3.ts";
import { detectLineEnding, splitLines, stripLineEnding } from "./text.ts";

/** One region both sides changed differently. Line numbers are 0-based. */
export interface MergeConflict {
  /** Index in `current` of the first conflicting line. */
  currentStart: number;
  /** The conflicting lines of `current`, without terminators. */
  currentLines: string[];
  /** Index in `base` of the first line of the region. */
  baseStart: number;
  /** The region's lines in `base`, without terminators. */
  baseLines: string[];
  /** Index in `incoming` of the first conflicting line. */
  incomingStart: number;
  /** The conflicting lines of `incoming`, without terminators. */
  incomingLines: string[];
}

/**
 * The outcome of {@linkcode threeWayMerge}: the merged text, or a text with
 * git-style conflict markers and the list of conflicts.
 */
export type MergeResult =
  | { clean: true; text: string }
  | { clean: false; text: string; conflicts: MergeConflict[] };

/** Labels written after the conflict markers. */
export interface MergeLabels {
  /** After `<<<<<<<`. Default `current`. */
  current?: string;
  /** After `|||||||`. Default `base`. */
  base?: string;
  /** After `>>>>>>>`. Default `incoming`. */
  incoming?: string;
}

/** Options for {@linkcode threeWayMerge}. */
export interface MergeOptions {
  /** Labels for the conflict markers. */
  labels?: MergeLabels;
  /**
   * Time budget for each of the two line diffs, in milliseconds (default
   * 500). Past it the whole changed middle is reported as one conflict.
   */
  timeoutMs?: number;
}

/**
 * Merges the changes `current` and `incoming` each made to `base`. On a
 * conflict the text holds both sides in diff3 style:
 *
 * ```text
 * <<<<<<< current
 * current's lines
 * ||||||| base
 * base's lines
 * =======
 * incoming's lines
 * >>>>>>> incoming
 * ```
 *
 * Marker lines use `current`'s dominant line ending.
 */
export function threeWayMerge(
  base: string,
  current: string,
  incoming: string,
  options: MergeOptions = {},
): MergeResult {
  if (current === incoming || incoming === base) return { clean: true, text: current };
  if (current === base) return { clean: true, text: incoming };

  const o = splitLines(base);
  const a = splitLines(current);
  const b = splitLines(incoming);
  // Lines common to all three at the start and end are stable whatever the
  // alignment; trimming them keeps the diffs small for the usual local edit.
  const prefix = commonPrefix(o, a, b);
  const suffix = commonSuffix(o, a, b, prefix);
  const mid = (lines: string[]) => lines.slice(prefix, lines.length - suffix);
  const regions = diff3Regions(mid(o), mid(a), mid(b), options.timeoutMs ?? 500) ??
    // Too costly to diff: one conflict over everything between the common
    // prefix and suffix, so the caller falls back instead of guessing.
    [{
      kind: "conflict",
      aStart: 0,
      aLines: mid(a),
      oStart: 0,
      oLines: mid(o),
      bStart: 0,
      bLines: mid(b),
    }];

  const eol = detectLineEnding(current);
  const labels = options.labels ?? {};
  const out: string[] = a.slice(0, prefix);
  const conflicts: MergeConflict[] = [];
  for (const region of regions) {
    if (region.kind === "stable") {
      append(out, region.lines);
      continue;
    }
    conflicts.push({
      currentStart: region.aStart + prefix,
      currentLines: region.aLines.map(stripLineEnding),
      baseStart: region.oStart + prefix,
      baseLines: region.oLines.map(stripLineEnding),
      incomingStart: region.bStart + prefix,
      incomingLines: region.bLines.map(stripLineEnding),
    });
    out.push(`<<<<<<< ${labels.current ?? "current"}${eol}`);
    appendTerminated(out, region.aLines, eol);
    out.push(`||||||| ${labels.base ?? "base"}${eol}`);
    appendTerminated(out, region.oLines, eol);
    out.push(`=======${eol}`);
    appendTerminated(out, region.bLines, eol);
    out.push(`>>>>>>> ${labels.incoming ?? "incoming"}${eol}`);
  }
  append(out, a.slice(a.length - suffix));
  const text = out.join("");
  return conflicts.length === 0 ? { clean: true, text } : { clean: false, text, conflicts };
}

/** Appends `lines`, giving the last one a terminator so the next marker starts its own line. */
function appendTerminated(out: string[], lines: string[], eol: string): void {
  append(out, lines);
  const last = out.length - 1;
  if (lines.length > 0 && !out[last]?.endsWith("\n")) out[last] += eol;
}

function commonPrefix(o: string[], a: string[], b: string[]): number {
  const max = Math.min(o.length, a.length, b.length);
  let n = 0;
  while (n < max && o[n] === a[n] && o[n] === b[n]) n++;
  return n;
}

function commonSuffix(o: string[], a: string[], b: string[], prefix: number): number {
  const max = Math.min(o.length, a.length, b.length) - prefix;
  let n = 0;
  while (n < max && o.at(-1 - n) === a.at(-1 - n) && o.at(-1 - n) === b.at(-1 - n)) n++;
  return n;
}
