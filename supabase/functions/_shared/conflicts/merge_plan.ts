/**
 * The pure part of a server-side merge: whether two conflicting versions may be merged at all
 * (both text, an ancestor, each side under the size limit), the three-way merge itself
 * (shared/merge/merge.ts), and the conflicting hunks as the API shows them (1-based line ranges with
 * both sides' lines).
 *
 * @module
 */
import { diffStats } from "../../../../shared/merge/diff.ts";
import { type MergeConflict, threeWayMerge } from "../../../../shared/merge/merge.ts";
import { decodeText, encodeText } from "../../../../shared/merge/text.ts";
import type { LineRange, MergeHunk, MergeRefusal } from "../../../../shared/protocol/conflicts.ts";

/** Largest side (ancestor, current or incoming) the server merges: 1 MiB. */
export const MAX_MERGE_BYTES = 1024 * 1024;

/** Time budget of each line diff of a merge: functions have about 2 s of CPU per request. */
export const MERGE_TIMEOUT_MS = 400;

/** The outcome of {@linkcode planMerge}. */
export type MergePlan =
  | {
    readonly merged: true;
    readonly bytes: Uint8Array;
    /** Lines added and removed relative to current (null when the diff ran out of time). */
    readonly stats: { readonly added: number; readonly removed: number } | null;
  }
  | { readonly merged: false; readonly reason: MergeRefusal; readonly hunks: readonly MergeHunk[] };

/** The sizes and kinds of the three sides, known before any byte is read. */
export interface SideFacts {
  readonly size: number;
  readonly deleted: boolean;
}

/**
 * Refuses a merge from metadata alone (no download needed); `undefined` when the bytes must be
 * looked at. `ancestor` is null when unknown.
 */
export function precheckMerge(
  sides: {
    readonly ancestor: SideFacts | null;
    readonly current: SideFacts;
    readonly incoming: SideFacts;
  },
  maxBytes = MAX_MERGE_BYTES,
): MergeRefusal | undefined {
  if (sides.current.deleted || sides.incoming.deleted) return "deleted";
  if (!sides.ancestor || sides.ancestor.deleted) return "no_ancestor";
  const largest = Math.max(sides.ancestor.size, sides.current.size, sides.incoming.size);
  return largest > maxBytes ? "too_large" : undefined;
}

/** Merges the bytes of `current` and `incoming` against `base` when all three are text. */
export function planMerge(
  sides: { readonly base: Uint8Array; readonly current: Uint8Array; readonly incoming: Uint8Array },
  options: { readonly maxBytes?: number; readonly timeoutMs?: number } = {},
): MergePlan {
  const refuse = (reason: MergeRefusal, hunks: MergeHunk[] = []): MergePlan => ({
    merged: false,
    reason,
    hunks,
  });
  const max = options.maxBytes ?? MAX_MERGE_BYTES;
  const { base, current, incoming } = sides;
  if (Math.max(base.byteLength, current.byteLength, incoming.byteLength) > max) {
    return refuse("too_large");
  }
  const texts = [decodeText(base), decodeText(current), decodeText(incoming)];
  const [baseText, currentText, incomingText] = texts;
  if (baseText == null || currentText == null || incomingText == null) return refuse("binary");
  const timeoutMs = options.timeoutMs ?? MERGE_TIMEOUT_MS;
  const result = threeWayMerge(baseText, currentText, incomingText, { timeoutMs });
  if (!result.clean) return refuse("overlapping", result.conflicts.map(toHunk));
  return {
    merged: true,
    bytes: encodeText(result.text),
    stats: diffStats(currentText, result.text, { timeoutMs }),
  };
}

/** A conflict of shared/merge/merge.ts (0-based starts) as an API hunk (1-based). */
export function toHunk(conflict: MergeConflict): MergeHunk {
  const range = (start: number, lines: string[]): LineRange => ({
    start: start + 1,
    count: lines.length,
    lines,
  });
  return {
    base: range(conflict.baseStart, conflict.baseLines),
    current: range(conflict.currentStart, conflict.currentLines),
    incoming: range(conflict.incomingStart, conflict.incomingLines),
  };
}
