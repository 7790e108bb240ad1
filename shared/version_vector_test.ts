import assert from "node:assert/strict";
import {
  compareVectors,
  dominates,
  incrementVector,
  isVectorValid,
  MAX_VECTOR_COUNTER,
  MAX_VECTOR_KEYS,
  mergeVectors,
  type VersionVector,
} from "./version_vector.ts";

/** Deterministic PRNG (mulberry32) so a failing property reproduces. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REPLICAS = ["a", "b", "c", "d"];

function randomVector(random: () => number): VersionVector {
  const v: Record<string, number> = {};
  for (const replica of REPLICAS) {
    const roll = random();
    // Some absent, some explicit zeros, small counters so orders collide often.
    if (roll < 0.3) continue;
    v[replica] = roll < 0.4 ? 0 : Math.floor(random() * 3);
  }
  return v;
}

const RUNS = 500;

function forAll(check: (random: () => number) => void): void {
  const random = prng(20261125);
  for (let i = 0; i < RUNS; i++) check(random);
}

Deno.test("compareVectors() orders simple vectors", () => {
  assert.equal(compareVectors({}, {}), "equal");
  assert.equal(compareVectors({ a: 0 }, {}), "equal");
  assert.equal(compareVectors({ a: 1 }, { a: 2 }), "before");
  assert.equal(compareVectors({ a: 2, b: 1 }, { a: 2 }), "after");
  assert.equal(compareVectors({ a: 1 }, { b: 1 }), "concurrent");
  assert.equal(compareVectors({ a: 2, b: 0 }, { a: 1, b: 1 }), "concurrent");
});

Deno.test("compareVectors() is antisymmetric", () => {
  const flip = { equal: "equal", before: "after", after: "before", concurrent: "concurrent" };
  forAll((random) => {
    const a = randomVector(random);
    const b = randomVector(random);
    assert.equal(compareVectors(b, a), flip[compareVectors(a, b)]);
  });
});

Deno.test("mergeVectors() is commutative, associative and idempotent", () => {
  forAll((random) => {
    const a = randomVector(random);
    const b = randomVector(random);
    const c = randomVector(random);
    assert.equal(compareVectors(mergeVectors(a, b), mergeVectors(b, a)), "equal");
    assert.deepEqual(mergeVectors(a, b), mergeVectors(b, a));
    assert.deepEqual(mergeVectors(mergeVectors(a, b), c), mergeVectors(a, mergeVectors(b, c)));
    assert.equal(compareVectors(mergeVectors(a, a), a), "equal");
  });
});

Deno.test("mergeVectors() dominates both inputs and is their least upper bound", () => {
  forAll((random) => {
    const a = randomVector(random);
    const b = randomVector(random);
    const m = mergeVectors(a, b);
    assert.ok(dominates(m, a));
    assert.ok(dominates(m, b));
    const order = compareVectors(a, b);
    if (order === "concurrent") {
      assert.equal(compareVectors(m, a), "after");
      assert.equal(compareVectors(m, b), "after");
    }
    if (order === "before") assert.equal(compareVectors(m, b), "equal");
    if (dominates(a, b)) assert.equal(compareVectors(m, a), "equal");
  });
});

Deno.test("mergeVectors() drops zero entries", () => {
  assert.deepEqual(mergeVectors({ a: 0, b: 2 }, { c: 0 }), { b: 2 });
});

Deno.test("incrementVector() creates a vector strictly after the input", () => {
  forAll((random) => {
    const v = randomVector(random);
    const replica = REPLICAS[Math.floor(random() * REPLICAS.length)] ?? "a";
    const next = incrementVector(v, replica);
    assert.equal(compareVectors(next, v), "after");
    assert.equal(next[replica], (v[replica] ?? 0) + 1);
  });
  const v = { a: 1 };
  incrementVector(v, "a");
  assert.deepEqual(v, { a: 1 });
});

Deno.test("incrementVector() rejects bad replica ids and overflow", () => {
  assert.throws(() => incrementVector({}, ""), RangeError);
  assert.throws(() => incrementVector({}, "x".repeat(129)), RangeError);
  assert.throws(() => incrementVector({ a: Number.MAX_SAFE_INTEGER }, "a"), RangeError);
});

Deno.test("dominates() is true for equal and later vectors only", () => {
  assert.ok(dominates({ a: 1 }, { a: 1 }));
  assert.ok(dominates({ a: 2 }, { a: 1 }));
  assert.ok(!dominates({ a: 1 }, { a: 2 }));
  assert.ok(!dominates({ a: 1 }, { b: 1 }));
});

/** A vector of `count` distinct replicas. */
function keys(count: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`r${i}`, 1]));
}

Deno.test("isVectorValid() accepts well-formed vectors and refuses the rest", () => {
  const good: unknown[] = [
    {},
    { a: 0 },
    { [`r`.repeat(128)]: MAX_VECTOR_COUNTER },
    keys(MAX_VECTOR_KEYS),
  ];
  for (const v of good) assert.ok(isVectorValid(v), JSON.stringify(v));
  const bad: unknown[] = [
    null,
    [],
    "a",
    1,
    { a: -1 },
    { a: 1.5 },
    { a: Number.MAX_SAFE_INTEGER + 1 },
    { a: 2 ** 52 },
    keys(MAX_VECTOR_KEYS + 1),
    { a: "1" },
    { a: NaN },
    { "": 1 },
    { ["r".repeat(129)]: 1 },
    new Map(),
  ];
  for (const v of bad) assert.ok(!isVectorValid(v), String(JSON.stringify(v)));
});

Deno.test("mergeVectors() keeps replica ids that look like Object internals", () => {
  const a: VersionVector = JSON.parse('{"__proto__": 2, "constructor": 1}');
  assert.ok(isVectorValid(a));
  const m = mergeVectors(a, {});
  assert.deepEqual(Object.entries(m), [["__proto__", 2], ["constructor", 1]]);
  assert.equal(compareVectors({}, a), "before");
  assert.equal(incrementVector({}, "constructor").constructor, 1);
});
