// The generated pgTAP conflict cases (supabase/tests/055_conflict_cases.sql, run by
// `deno task test --only pgtap`) are the shared table's current rendering. No database needed.
import assert from "node:assert/strict";
import { CONFLICT_CASES } from "../../shared/testdata/conflict_cases.ts";
import {
  GENERATED_FILE,
  renderConflictCasesTest,
} from "../../supabase/tests/gen_conflict_cases.ts";

Deno.test("the committed pgTAP conflict cases are generated from the shared table", async () => {
  assert.equal(
    await Deno.readTextFile(GENERATED_FILE),
    renderConflictCasesTest(CONFLICT_CASES),
    "run: deno run -A supabase/tests/gen_conflict_cases.ts",
  );
});
