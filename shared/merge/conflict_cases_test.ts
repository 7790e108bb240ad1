// ConflictResolver against the shared case table that also drives the generated pgTAP file
// supabase/tests/055_conflict_cases.sql: the preview decides every case exactly as SQL does.
import assert from "node:assert/strict";
import {
  type CaseChange,
  type CaseOutcome,
  type CaseVersion,
  conflictCaseRuns,
} from "../testdata/conflict_cases.ts";
import { type ConflictInput, ConflictResolver } from "./conflict.ts";
import { decodeText, encodeText } from "./text.ts";

const COMMITTED_AT = new Date("2026-11-25T07:00:00Z");

const bytes = (v: CaseVersion | CaseChange) => v.deleted ? null : encodeText(v.content ?? "");

function input(run: ReturnType<typeof conflictCaseRuns>[number]): ConflictInput {
  const { current, incoming } = run;
  return {
    current: current && {
      content: bytes(current),
      mode: current.mode,
      vector: current.vector,
      replica: current.replica,
      committedAt: COMMITTED_AT,
    },
    history: (run.history ?? []).map((v) => ({
      content: bytes(v),
      mode: v.mode,
      vector: v.vector,
    })),
    incoming: {
      content: bytes(incoming),
      mode: incoming.mode,
      base: incoming.base,
      replica: incoming.replica,
    },
    caseClash: run.case_clash !== undefined,
  };
}

/** The table's terms for content: text (binary cases are NUL-led text too), null when none. */
function text(content: Uint8Array | null): string | null {
  return content === null ? null : decodeText(content) ?? new TextDecoder().decode(content);
}

for (const run of conflictCaseRuns()) {
  Deno.test(`ConflictResolver.resolve() decides as commit_changes: ${run.label}`, () => {
    const resolver = new ConflictResolver(run.strategy, {
      mergeFallback: run.mergeFallback,
      conflictCopies: run.conflictCopies,
    });
    const got = resolver.resolve(input(run));
    const expect: Required<CaseOutcome> = {
      conflict: null,
      merge_required: false,
      conflict_copy_of: null,
      ...run.expect,
    };
    assert.deepEqual({
      outcome: got.outcome,
      vector: got.vector,
      content: text(got.content),
      conflict: got.conflict ?? null,
      merge_required: got.mergeRequired ?? false,
      conflict_copy_of: got.conflictCopy?.replica ?? null,
    }, expect);
    if (got.conflictCopy) assert.equal(got.conflictCopy.at, COMMITTED_AT);
    const after = got.afterMerge &&
      {
        outcome: got.afterMerge.outcome,
        vector: got.afterMerge.vector,
        content: text(got.afterMerge.content),
      };
    assert.deepEqual(after, run.after_merge, "after_merge");
  });
}
