import assert from "node:assert/strict";
import cases from "../../shared/testdata/paths.json" with { type: "json" };
import { validatePath } from "../../shared/paths/path_rules.ts";
import { protectedPathProblem } from "../../shared/paths/protected_paths.ts";
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

Deno.test("the SQL protected-path check agrees with protectedPathProblem() on every shared case", async () => {
  const sql = connect(1);
  try {
    assert.ok(cases.protected.length > 0);
    for (const { path, code, syncGit } of cases.protected) {
      const [row] = await sql<{ problem: string | null }[]>`
        select sandsync.protected_path_problem(${path}, ${syncGit ?? false}) as problem`;
      const ts = protectedPathProblem(path, { syncGit: syncGit ?? false });
      assert.equal(ts, code, `TS ${JSON.stringify(path)} syncGit=${syncGit}`);
      assert.equal(row!.problem, code, `SQL ${JSON.stringify(path)} syncGit=${syncGit}`);
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
