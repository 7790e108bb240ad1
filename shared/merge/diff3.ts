/**
 * The diff3 region algorithm (as in GNU diff3 and node-diff3) over jsdiff's
 * Myers diff.
 *
 * Why not node-diff3's own `diff3Merge`: its LCS (Hunt–Szymanski with a
 * linear candidate scan) is quadratic in repeated lines. It took 211 s to
 * merge a 20,000-line file in which 4,000 lines are `}`; functions get 2 s
 * of CPU per request. jsdiff's Myers diff is O((N+M)·D), fast for the usual
 * small edit of a large file, and takes a timeout, so a pathological input
 * costs a bounded time and is reported as unmergeable instead. node-diff3
 * stays as the reference: diff3_test.ts checks this module gives the same
 * regions on thousands of random small merges.
 *
 * @module
 */
import { diffArrays } from "diff";

/** A stretch where at most one side changed, or both made the same change. */
export interface StableRegion {
  kind: "stable";
  /** The merged lines of the stretch. */
  lines: string[];
}

/** A stretch both sides changed differently. Indices are 0-based. */
export interface ConflictRegion {
  kind: "conflict";
  /** First index in `a` and the lines of `a` in the stretch. */
  aStart: number;
  aLines: string[];
  /** First index in `o` and the lines of `o` in the stretch. */
  oStart: number;
  oLines: string[];
  /** First index in `b` and the lines of `b` in the stretch. */
  bStart: number;
  bLines: string[];
}

/** One region of a three-way merge, in order. */
export type Diff3Region = StableRegion | ConflictRegion;

/** A changed stretch of one side against `o`: `o[oStart, oEnd)` became `x[xStart, xEnd)`. */
interface Hunk {
  side: "a" | "b";
  oStart: number;
  oEnd: number;
  xStart: number;
  xEnd: number;
}

/**
 * Splits the merge of `a` and `b` (both derived from `o`) into regions.
 * Hunks of the two sides that overlap or touch (end of one = start of the
 * other, including two insertions at the same point) form one conflict
 * region, unless both sides produced the same lines there. Returns
 * `undefined` when a diff exceeds `timeoutMs`.
 */
export function diff3Regions(
  o: string[],
  a: string[],
  b: string[],
  timeoutMs: number,
): Diff3Region[] | undefined {
  const aHunks = hunks("a", o, a, timeoutMs);
  const bHunks = aHunks && hunks("b", o, b, timeoutMs);
  if (!aHunks || !bHunks) return undefined;
  const all = [...aHunks, ...bHunks].sort((x, y) => x.oStart - y.oStart || x.oEnd - y.oEnd);

  const regions: Diff3Region[] = [];
  const stable = (lines: string[]) => {
    if (lines.length === 0) return;
    const last = regions.at(-1);
    if (last?.kind === "stable") append(last.lines, lines);
    else regions.push({ kind: "stable", lines });
  };
  let oPos = 0;
  for (let i = 0; i < all.length;) {
    const first = all[i] as Hunk;
    const group = [first];
    let regionEnd = first.oEnd;
    for (i++; i < all.length && (all[i] as Hunk).oStart <= regionEnd; i++) {
      const next = all[i] as Hunk;
      group.push(next);
      regionEnd = Math.max(regionEnd, next.oEnd);
    }
    const regionStart = first.oStart;
    stable(o.slice(oPos, regionStart));
    oPos = regionEnd;
    const aSpan = span(group, "a", regionStart, regionEnd);
    const bSpan = span(group, "b", regionStart, regionEnd);
    if (!aSpan || !bSpan) {
      // Only one side changed this stretch: take its lines.
      stable(aSpan ? a.slice(aSpan[0], aSpan[1]) : bSpan ? b.slice(bSpan[0], bSpan[1]) : []);
      continue;
    }
    const aLines = a.slice(aSpan[0], aSpan[1]);
    const bLines = b.slice(bSpan[0], bSpan[1]);
    if (sameLines(aLines, bLines)) {
      stable(aLines);
      continue;
    }
    regions.push({
      kind: "conflict",
      aStart: aSpan[0],
      aLines,
      oStart: regionStart,
      oLines: o.slice(regionStart, regionEnd),
      bStart: bSpan[0],
      bLines,
    });
  }
  stable(o.slice(oPos));
  return regions;
}

/** The changed stretches of `x` against `o`, or `undefined` on timeout. */
function hunks(side: "a" | "b", o: string[], x: string[], timeout: number): Hunk[] | undefined {
  const changes = diffArrays(o, x, { timeout });
  if (!changes) return undefined;
  const result: Hunk[] = [];
  let oPos = 0;
  let xPos = 0;
  let open: Hunk | undefined;
  for (const change of changes) {
    if (!change.added && !change.removed) {
      open = undefined;
      oPos += change.count;
      xPos += change.count;
      continue;
    }
    if (!open) {
      open = { side, oStart: oPos, oEnd: oPos, xStart: xPos, xEnd: xPos };
      result.push(open);
    }
    if (change.removed) open.oEnd = oPos += change.count;
    else open.xEnd = xPos += change.count;
  }
  return result;
}

/**
 * Where `o[regionStart, regionEnd)` lies in `side`, from that side's first
 * and last hunk in the group (lines outside its hunks are unchanged, so they
 * shift by the same offset). `undefined` when the side has no hunk there.
 */
function span(group: Hunk[], side: "a" | "b", regionStart: number, regionEnd: number) {
  const own = group.filter((h) => h.side === side);
  const first = own[0];
  const last = own.at(-1);
  if (!first || !last) return undefined;
  return [
    first.xStart - (first.oStart - regionStart),
    last.xEnd + (regionEnd - last.oEnd),
  ] as const;
}

/**
 * Appends without spreading: `push(...lines)` passes every line as an
 * argument and overflows the stack past roughly 100,000 lines.
 */
export function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function sameLines(x: string[], y: string[]): boolean {
  return x.length === y.length && x.every((line, i) => line === y[i]);
}
