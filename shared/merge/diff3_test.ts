import assert from "node:assert/strict";
import { diff3Merge } from "node-diff3";
import { type Diff3Region, diff3Regions } from "./diff3.ts";

/** Deterministic PRNG (mulberry32) so a failing case reproduces. */
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

function mutate(o: string[], pick: (n: number) => number): string[] {
  const x = [...o];
  for (let edits = pick(6); edits > 0; edits--) {
    const at = pick(x.length + 1);
    const op = pick(3);
    if (op === 0) x.splice(at, 0, `new ${pick(4)}`);
    else if (op === 1 && x.length > 0) x.splice(at % x.length, 1);
    else if (x.length > 0) x[at % x.length] = `changed ${pick(3)}`;
  }
  return x;
}

function simplify(regions: Diff3Region[]): unknown[] {
  return regions.map((r) =>
    r.kind === "stable" ? { ok: r.lines } : { conflict: [r.aLines, r.oLines, r.bLines] }
  );
}

Deno.test("diff3Regions() agrees with node-diff3 on random small merges", () => {
  // node-diff3 is the reference implementation; it is only too slow on
  // large inputs with many repeated lines, which is why diff3.ts exists.
  const random = prng(7);
  const pick = (n: number) => Math.floor(random() * n);
  for (let run = 0; run < 3000; run++) {
    const o = Array.from({ length: pick(30) }, () => `line ${pick(6)}`);
    const a = mutate(o, pick);
    const b = mutate(o, pick);
    const reference = diff3Merge(a, o, b, { excludeFalseConflicts: true }).map((r) =>
      r.ok ? { ok: r.ok } : { conflict: [r.conflict?.a, r.conflict?.o, r.conflict?.b] }
    );
    const regions = diff3Regions(o, a, b, 1000);
    assert.ok(regions);
    assert.deepEqual(simplify(regions), reference, JSON.stringify({ o, a, b }));
  }
});

Deno.test("diff3Regions() reports conflict positions in each input", () => {
  const o = ["a", "b", "c", "d"];
  const regions = diff3Regions(o, ["a", "b", "X", "Y", "d"], ["a", "Z", "d"], 1000);
  assert.deepEqual(regions, [
    { kind: "stable", lines: ["a"] },
    {
      kind: "conflict",
      aStart: 1,
      aLines: ["b", "X", "Y"],
      oStart: 1,
      oLines: ["b", "c"],
      bStart: 1,
      bLines: ["Z"],
    },
    { kind: "stable", lines: ["d"] },
  ]);
});

Deno.test("diff3Regions() treats touching hunks as one conflict", () => {
  const regions = diff3Regions(["a", "b", "c"], ["A", "b", "c"], ["a", "B", "c"], 1000);
  assert.equal(regions?.filter((r) => r.kind === "conflict").length, 1);
});

Deno.test("diff3Regions() returns undefined when a diff exceeds its time budget", () => {
  const o = Array.from({ length: 4000 }, (_, i) => `o${i}`);
  const a = Array.from({ length: 4000 }, (_, i) => `a${i}`);
  assert.equal(diff3Regions(o, a, o, 1), undefined);
});
