// The server's merge step decides every auto-merge case of the shared conflict table
// (shared/testdata/conflict_cases.json, `after_merge`) as the table says: merged bytes when
// clean, else refused (then merge_service.ts applies the workspace's merge_fallback).
import assert from "node:assert/strict";
import { conflictCaseRuns } from "../../../../shared/testdata/conflict_cases.ts";
import { planMerge, precheckMerge } from "./merge_plan.ts";

const encode = (text: string) => new TextEncoder().encode(text);

for (const run of conflictCaseRuns().filter((r) => r.after_merge)) {
  Deno.test(`planMerge() agrees with the shared conflict cases: ${run.label}`, () => {
    // Every merge case names its ancestor as the history version the incoming change is based on.
    const base = JSON.stringify(run.incoming.base);
    const ancestor = run.history?.findLast((v) => JSON.stringify(v.vector) === base);
    assert.ok(ancestor?.content !== undefined && run.current?.content !== undefined);
    const sides = {
      base: encode(ancestor.content),
      current: encode(run.current.content),
      incoming: encode(run.incoming.content ?? ""),
    };
    const facts = (bytes: Uint8Array) => ({ size: bytes.length, deleted: false });
    assert.equal(
      precheckMerge({
        ancestor: facts(sides.base),
        current: facts(sides.current),
        incoming: facts(sides.incoming),
      }),
      undefined,
    );
    const plan = planMerge(sides);
    const expected = run.after_merge!;
    assert.equal(plan.merged, expected.outcome === "merged");
    if (plan.merged) {
      assert.equal(new TextDecoder().decode(plan.bytes), expected.content);
    } else {
      assert.equal(
        expected.outcome,
        run.mergeFallback === "last_write_wins" ? "applied" : "conflict",
      );
    }
  });
}
