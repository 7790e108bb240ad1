import assert from "node:assert/strict";
import cases from "../../shared/testdata/paths.json" with { type: "json" };
import { validatePath } from "../../shared/path_rules.ts";
import { GENERATED_FILE, renderPathRulesTest } from "../../supabase/tests/gen_paths.ts";
import { connect } from "./db_support.ts";

Deno.test("the SQL path check agrees with validatePath() on every shared case", async () => {
  const sql = connect(1);
  try {
    const paths = [
      ...cases.valid,
      ...cases.invalid.filter((c) => c.sql !== false).map((c) => c.path),
    ];
    const rows = await sql<{ path: string; problem: string | null }[]>`
      select p as path, sandsync.path_problem(p) as problem from unnest(${paths}::text[]) as p`;
    assert.equal(rows.length, paths.length);
    for (const row of rows) {
      const ts = validatePath(row.path);
      assert.equal(row.problem, ts.ok ? null : ts.code, JSON.stringify(row.path));
    }
  } finally {
    await sql.end();
  }
});

Deno.test("the committed pgTAP path test is generated from the shared cases", async () => {
  assert.equal(
    await Deno.readTextFile(GENERATED_FILE),
    renderPathRulesTest(cases),
    "run: deno run -A supabase/tests/gen_paths.ts",
  );
});
