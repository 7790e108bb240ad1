// Behaviour of ConflictResolver beyond the shared case table (conflict_cases_test.ts holds it to
// commit_changes case by case): merge limits, hunks, the conflict copy marker, argument checks.
import assert from "node:assert/strict";
import { type ConflictInput, ConflictResolver, type ConflictStrategy } from "./conflict.ts";
import { encodeText } from "./text.ts";
import { compareVectors } from "../version_vector.ts";

const T0 = new Date("2026-11-25T07:00:00Z");
const BASE = "one\ntwo\nthree\nfour\nfive\n";

/** The sandbox edited BASE ({sandbox: 1}) into `current`; the phone edits BASE into `incoming`. */
function pair(current: string, incoming: string): ConflictInput {
  return {
    history: [{ content: encodeText(BASE), vector: { sandbox: 1 } }],
    current: {
      content: encodeText(current),
      vector: { sandbox: 2 },
      replica: "sandbox",
      committedAt: T0,
    },
    incoming: { content: encodeText(incoming), base: { sandbox: 1 }, replica: "phone" },
  };
}

const DISJOINT = pair(BASE.replace("one", "1"), BASE.replace("five", "5"));
const OVERLAPPING = pair(BASE.replace("three", "3"), BASE.replace("three", "III"));

Deno.test("ConflictResolver.resolve() previews the server's clean merge of disjoint edits", () => {
  const result = new ConflictResolver("auto_merge").resolve(DISJOINT);
  assert.equal(result.outcome, "conflict");
  assert.equal(result.mergeRequired, true);
  assert.equal(result.afterMerge?.outcome, "merged");
  assert.equal(
    new TextDecoder().decode(result.afterMerge?.content ?? undefined),
    "1\ntwo\nthree\nfour\n5\n",
  );
  // The resolution dominates both sides, so every replica fast-forwards to it.
  assert.equal(compareVectors(result.afterMerge!.vector, { sandbox: 2 }), "after");
  assert.equal(compareVectors(result.afterMerge!.vector, { sandbox: 1, phone: 1 }), "after");
});

Deno.test("ConflictResolver.resolve() returns the hunks the server could not merge", () => {
  const result = new ConflictResolver("auto_merge").resolve(OVERLAPPING);
  assert.equal(result.afterMerge?.reason, "overlapping");
  assert.deepEqual(result.afterMerge?.hunks?.map((h) => [h.currentLines, h.incomingLines]), [[
    ["3"],
    ["III"],
  ]]);
});

Deno.test("ConflictResolver.resolve() does not merge sides over the size limit", () => {
  const resolver = new ConflictResolver("auto_merge", { maxMergeBytes: 10 });
  const result = resolver.resolve(DISJOINT);
  assert.equal(result.afterMerge?.outcome, "conflict");
  assert.equal(result.afterMerge?.reason, "too_large");
});

Deno.test("ConflictResolver.resolve() applies incoming when a refused merge falls back to last_write_wins", () => {
  const resolver = new ConflictResolver("auto_merge", { mergeFallback: "last_write_wins" });
  const result = resolver.resolve(OVERLAPPING);
  assert.equal(result.afterMerge?.outcome, "applied");
  assert.deepEqual(result.afterMerge?.content, OVERLAPPING.incoming.content);
});

Deno.test("ConflictResolver.resolve() lets the later server commit win whatever the current commit time", () => {
  // Client clocks are never used: the change being committed is the later commit by definition.
  const input = pair("mine\n", "theirs\n");
  input.current!.committedAt = new Date("2099-01-01T00:00:00Z");
  const result = new ConflictResolver("last_write_wins").resolve(input);
  assert.equal(result.outcome, "applied");
  assert.deepEqual(result.content, input.incoming.content);
  assert.deepEqual(result.conflictCopy, { replica: "sandbox", at: input.current!.committedAt });
});

Deno.test("ConflictResolver.resolve() names the committer in the copy of a server-made version", () => {
  const input = pair("mine\n", "theirs\n");
  input.current!.replica = null;
  const result = new ConflictResolver("last_write_wins").resolve(input);
  assert.equal(result.conflictCopy?.replica, "phone");
});

Deno.test("ConflictResolver refuses unknown strategies and fallbacks", () => {
  assert.throws(() => new ConflictResolver("newest" as ConflictStrategy), RangeError);
  assert.throws(
    () => new ConflictResolver("auto_merge", { mergeFallback: "auto_merge" as "last_write_wins" }),
    RangeError,
  );
});
