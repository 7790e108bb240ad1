import assert from "node:assert/strict";
import {
  type ConflictInput,
  ConflictResolver,
  type ConflictSide,
  type ConflictStrategy,
  type Resolution,
} from "./conflict.ts";
import { encodeText } from "./text.ts";
import { compareVectors } from "../version_vector.ts";

const T0 = new Date("2026-11-25T07:00:00Z");
const T1 = new Date("2026-11-25T07:00:05Z");
const BASE = "one\ntwo\nthree\nfour\nfive\n";
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x01]);

function side(content: string | Uint8Array | null, replica: string, at: Date): ConflictSide {
  // Both sides descend from { base: 1 } and add their own edit: concurrent.
  return {
    content: typeof content === "string" ? encodeText(content) : content,
    vector: { base: 1, [replica]: 1 },
    committedAt: at,
    replica,
  };
}

/** A concurrent pair: the sandbox committed first, the phone's change arrives now. */
function pair(current: string | Uint8Array | null, incoming: string | Uint8Array | null) {
  return {
    base: { content: encodeText(BASE) },
    current: side(current, "sandbox", T0),
    incoming: side(incoming, "phone", T1),
  } satisfies ConflictInput;
}

const SCENARIOS = {
  "edit/edit overlapping": pair(BASE.replace("three", "3"), BASE.replace("three", "III")),
  "edit/edit disjoint": pair(BASE.replace("one", "1"), BASE.replace("five", "5")),
  "edit/delete": pair(BASE.replace("one", "1"), null),
  "delete/edit": pair(null, BASE.replace("one", "1")),
  "identical": pair(BASE + "six\n", BASE + "six\n"),
  "both deleted": pair(null, null),
  "binary": pair(PNG, PNG.slice(0, 9)),
};

type Expect = [Resolution["kind"], Resolution["reason"], "current" | "incoming" | null];

// [kind, reason, which side's bytes end up as content; null = merged bytes]
const TABLE: Record<ConflictStrategy, Record<keyof typeof SCENARIOS, Expect>> = {
  last_write_wins: {
    "edit/edit overlapping": ["take_incoming", "last_write", "incoming"],
    "edit/edit disjoint": ["take_incoming", "last_write", "incoming"],
    "edit/delete": ["take_current", "edit_beats_delete", "current"],
    "delete/edit": ["take_incoming", "edit_beats_delete", "incoming"],
    "identical": ["take_current", "identical", "current"],
    "both deleted": ["take_current", "identical", "current"],
    "binary": ["take_incoming", "last_write", "incoming"],
  },
  user_intervention: {
    "edit/edit overlapping": ["open_conflict", "user_intervention", "current"],
    "edit/edit disjoint": ["open_conflict", "user_intervention", "current"],
    "edit/delete": ["take_current", "edit_beats_delete", "current"],
    "delete/edit": ["take_incoming", "edit_beats_delete", "incoming"],
    "identical": ["take_current", "identical", "current"],
    "both deleted": ["take_current", "identical", "current"],
    "binary": ["open_conflict", "user_intervention", "current"],
  },
  auto_merge: {
    "edit/edit overlapping": ["open_conflict", "merge_conflict", "current"],
    "edit/edit disjoint": ["merged", "merged", null],
    "edit/delete": ["take_current", "edit_beats_delete", "current"],
    "delete/edit": ["take_incoming", "edit_beats_delete", "incoming"],
    "identical": ["take_current", "identical", "current"],
    "both deleted": ["take_current", "identical", "current"],
    "binary": ["open_conflict", "binary", "current"],
  },
};

for (
  const [strategy, rows] of Object.entries(TABLE) as [ConflictStrategy, typeof TABLE.auto_merge][]
) {
  for (const [scenario, [kind, reason, winner]] of Object.entries(rows)) {
    Deno.test(`ConflictResolver.resolve() under ${strategy}: ${scenario} → ${kind}`, () => {
      const input = SCENARIOS[scenario as keyof typeof SCENARIOS];
      const result = new ConflictResolver(strategy).resolve(input);
      assert.equal(result.kind, kind);
      assert.equal(result.reason, reason);
      if (winner !== null) assert.deepEqual(result.content, input[winner].content);
      if (kind === "open_conflict") {
        assert.deepEqual(result.vector, input.current.vector);
      } else {
        // Resolved: the result has seen both sides.
        assert.equal(compareVectors(result.vector, input.current.vector), "after");
        assert.equal(compareVectors(result.vector, input.incoming.vector), "after");
      }
      // Nothing lost: a losing edit is kept as a copy (or the conflict stays open).
      const lostEdit = kind.startsWith("take_") && reason === "last_write";
      assert.equal(result.conflictCopy !== undefined, lostEdit);
    });
  }
}

Deno.test("ConflictResolver.resolve() merges disjoint text edits under auto_merge", () => {
  const result = new ConflictResolver("auto_merge").resolve(SCENARIOS["edit/edit disjoint"]);
  assert.equal(new TextDecoder().decode(result.content ?? undefined), "1\ntwo\nthree\nfour\n5\n");
});

Deno.test("ConflictResolver.resolve() returns the hunks auto_merge could not merge", () => {
  const result = new ConflictResolver("auto_merge").resolve(SCENARIOS["edit/edit overlapping"]);
  assert.deepEqual(result.hunks?.map((h) => [h.currentLines, h.incomingLines]), [[["3"], [
    "III",
  ]]]);
});

Deno.test("ConflictResolver.resolve() falls back to last_write_wins when configured", () => {
  const resolver = new ConflictResolver("auto_merge", { mergeFallback: "last_write_wins" });
  const overlap = resolver.resolve(SCENARIOS["edit/edit overlapping"]);
  assert.equal(overlap.kind, "take_incoming");
  assert.equal(overlap.reason, "merge_conflict");
  assert.deepEqual(overlap.conflictCopy, { side: "current", replica: "sandbox", at: T0 });
  assert.equal(overlap.hunks?.length, 1);
  assert.equal(resolver.resolve(SCENARIOS.binary).reason, "binary");
});

Deno.test("ConflictResolver.resolve() does not merge sides over the size limit", () => {
  const resolver = new ConflictResolver("auto_merge", { maxMergeBytes: 10 });
  const result = resolver.resolve(SCENARIOS["edit/edit disjoint"]);
  assert.equal(result.kind, "open_conflict");
  assert.equal(result.reason, "too_large");
});

Deno.test("ConflictResolver.resolve() merges against an empty base when none is known", () => {
  const input = { ...pair("a\n", "a\n"), base: undefined };
  input.incoming = side("b\n", "phone", T1);
  const result = new ConflictResolver("auto_merge").resolve(input);
  assert.equal(result.reason, "merge_conflict");
});

Deno.test("ConflictResolver.resolve() fast-forwards when incoming has seen current", () => {
  const current = { ...side("old", "sandbox", T0), vector: { sandbox: 2 } };
  const incoming = { ...side("new", "phone", T1), vector: { sandbox: 2, phone: 1 } };
  for (const strategy of ["last_write_wins", "user_intervention", "auto_merge"] as const) {
    const result = new ConflictResolver(strategy).resolve({ current, incoming });
    assert.equal(result.kind, "take_incoming");
    assert.equal(result.reason, "fast_forward");
    assert.deepEqual(result.vector, { sandbox: 2, phone: 1 });
  }
});

Deno.test("ConflictResolver.resolve() keeps current when the incoming change is already in it", () => {
  const current = { ...side("new", "sandbox", T1), vector: { sandbox: 3, phone: 1 } };
  const incoming = { ...side("replayed", "phone", T0), vector: { phone: 1 } };
  const result = new ConflictResolver("last_write_wins").resolve({ current, incoming });
  assert.equal(result.kind, "take_current");
  assert.equal(result.reason, "already_included");
});

Deno.test("ConflictResolver.resolve() orders last_write_wins by commit time, not argument order", () => {
  const resolver = new ConflictResolver("last_write_wins");
  const early = side("early", "phone", T0);
  const late = side("late", "sandbox", T1);
  assert.equal(resolver.resolve({ current: late, incoming: early }).kind, "take_current");
  assert.equal(resolver.resolve({ current: early, incoming: late }).kind, "take_incoming");
  // Ties go to the greater replica id whichever side it is on.
  const a = side("a", "alpha", T0);
  const z = side("z", "zulu", T0);
  assert.equal(resolver.resolve({ current: a, incoming: z }).content, z.content);
  assert.equal(resolver.resolve({ current: z, incoming: a }).content, z.content);
});

Deno.test("ConflictResolver.resolve() increments a merged vector for the resolver replica", () => {
  const resolver = new ConflictResolver("auto_merge", { resolverReplica: "server" });
  const result = resolver.resolve(SCENARIOS["edit/edit disjoint"]);
  assert.deepEqual(result.vector, { base: 1, sandbox: 1, phone: 1, server: 1 });
});

Deno.test("ConflictResolver refuses unknown strategies and fallbacks", () => {
  assert.throws(() => new ConflictResolver("newest" as ConflictStrategy), RangeError);
  assert.throws(
    () => new ConflictResolver("auto_merge", { mergeFallback: "auto_merge" as "last_write_wins" }),
    RangeError,
  );
});
