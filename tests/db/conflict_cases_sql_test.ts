// The generated pgTAP conflict cases (supabase/tests/055_conflict_cases.sql: commit_changes end to
// end; 056_commit_outcome_cases.sql: its pure decision, sandsync.commit_outcome; both run by
// `deno task test --only pgtap`) are the shared table's current rendering. No database needed.
import assert from "node:assert/strict";
import { CONFLICT_CASES } from "../../shared/testdata/conflict_cases.ts";
import {
  GENERATED_FILE,
  renderConflictCasesTest,
} from "../../supabase/tests/gen_conflict_cases.ts";
import {
  GENERATED_OUTCOME_FILE,
  renderCommitOutcomeCasesTest,
} from "../../supabase/tests/gen_commit_outcome_cases.ts";

Deno.test("the committed pgTAP conflict cases are generated from the shared table", async () => {
  assert.equal(
    await Deno.readTextFile(GENERATED_FILE),
    renderConflictCasesTest(CONFLICT_CASES),
    "run: deno run -A supabase/tests/gen_conflict_cases.ts",
  );
});

Deno.test("the committed pgTAP commit-outcome cases are generated from the shared table", async () => {
  assert.equal(
    await Deno.readTextFile(GENERATED_OUTCOME_FILE),
    renderCommitOutcomeCasesTest(CONFLICT_CASES),
    "run: deno run -A supabase/tests/gen_commit_outcome_cases.ts",
  );
});
