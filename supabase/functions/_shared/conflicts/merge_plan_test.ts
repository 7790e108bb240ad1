import assert from "node:assert/strict";
import { MAX_MERGE_BYTES, planMerge, precheckMerge, toHunk } from "./merge_plan.ts";

const text = (value: string) => new TextEncoder().encode(value);
const BASE = "one\ntwo\nthree\nfour\n";

Deno.test("planMerge() merges non-overlapping edits of text, with stats against current", () => {
  const plan = planMerge({
    base: text(BASE),
    current: text("ONE\ntwo\nthree\nfour\n"),
    incoming: text("one\ntwo\nthree\nFOUR\nfive\n"),
  });
  assert.equal(plan.merged, true);
  if (!plan.merged) return;
  assert.equal(new TextDecoder().decode(plan.bytes), "ONE\ntwo\nthree\nFOUR\nfive\n");
  assert.deepEqual(plan.stats, { added: 2, removed: 1 });
});

Deno.test("planMerge() refuses overlapping edits and lists the hunks 1-based", () => {
  const plan = planMerge({
    base: text(BASE),
    current: text("one\nTWO\nthree\nfour\n"),
    incoming: text("one\n2\nthree\nfour\n"),
  });
  assert.deepEqual(plan, {
    merged: false,
    reason: "overlapping",
    hunks: [{
      base: { start: 2, count: 1, lines: ["two"] },
      current: { start: 2, count: 1, lines: ["TWO"] },
      incoming: { start: 2, count: 1, lines: ["2"] },
    }],
  });
});

Deno.test("planMerge() never merges binary content, even when the lines would merge", () => {
  const binary = (first: number, last: number) => Uint8Array.from([first, 0, 10, 1, 10, last, 10]);
  const plan = planMerge({ base: binary(1, 2), current: binary(3, 2), incoming: binary(1, 4) });
  assert.deepEqual(plan, { merged: false, reason: "binary", hunks: [] });
  const invalidUtf8 = planMerge({
    base: text(BASE),
    current: Uint8Array.from([0xff, 10]),
    incoming: text(BASE),
  });
  assert.equal(invalidUtf8.merged ? "merged" : invalidUtf8.reason, "binary");
});

Deno.test("planMerge() refuses sides over the size limit", () => {
  const plan = planMerge({ base: text("a\n"), current: text("b\n"), incoming: text("abc\n") }, {
    maxBytes: 3,
  });
  assert.equal(plan.merged ? "merged" : plan.reason, "too_large");
});

Deno.test("planMerge() keeps a byte-order mark and CRLF line endings", () => {
  const plan = planMerge({
    base: text("\ufeffa\r\nb\r\nc\r\n"),
    current: text("\ufeffA\r\nb\r\nc\r\n"),
    incoming: text("\ufeffa\r\nb\r\nC\r\n"),
  });
  assert.equal(plan.merged, true);
  const decoded = plan.merged && new TextDecoder("utf-8", { ignoreBOM: true }).decode(plan.bytes);
  assert.equal(decoded, "\ufeffA\r\nb\r\nC\r\n");
});

Deno.test("precheckMerge() refuses deletions, a missing ancestor and large sides from metadata", () => {
  const side = (size: number, deleted = false) => ({ size, deleted });
  assert.equal(
    precheckMerge({ ancestor: side(1), current: side(1), incoming: side(1) }),
    undefined,
  );
  assert.equal(
    precheckMerge({ ancestor: side(1), current: side(0, true), incoming: side(1) }),
    "deleted",
  );
  assert.equal(
    precheckMerge({ ancestor: null, current: side(1), incoming: side(1) }),
    "no_ancestor",
  );
  assert.equal(
    precheckMerge({ ancestor: side(0, true), current: side(1), incoming: side(1) }),
    "no_ancestor",
  );
  assert.equal(
    precheckMerge({ ancestor: side(1), current: side(MAX_MERGE_BYTES + 1), incoming: side(1) }),
    "too_large",
  );
});

Deno.test("toHunk() places an empty range before the line that follows it", () => {
  const hunk = toHunk({
    baseStart: 4,
    baseLines: [],
    currentStart: 4,
    currentLines: ["x"],
    incomingStart: 4,
    incomingLines: ["y", "z"],
  });
  assert.deepEqual(hunk.base, { start: 5, count: 0, lines: [] });
  assert.deepEqual(hunk.incoming, { start: 5, count: 2, lines: ["y", "z"] });
});
