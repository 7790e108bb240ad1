import assert from "node:assert/strict";
import { conflictCopyPath } from "../../shared/merge/conflict_copy.ts";
import { connect } from "./db_support.ts";

const REPLICA = "0f8fad5b-d9cb-469f-a165-70867728950e";
const AT = new Date("2026-11-25T07:05:09.987Z");
const PATHS = [
  "a.txt",
  "src/app.ts",
  "dir/archive.tar.gz",
  ".env",
  "conf/.bashrc",
  "Makefile",
  "trailing.",
  "..x",
  "a.verylongextensionover16bytes",
  "caf\u00e9/r\u00e9sum\u00e9.md",
  `deep/${"n".repeat(250)}.md`,
  `${"\u00e9".repeat(127)}.txt`,
];

Deno.test("SQL conflict_copy_path() names copies exactly as shared conflictCopyPath()", async () => {
  const sql = connect(1);
  try {
    for (const path of PATHS) {
      const [row] = await sql<{ name: string; problem: string | null }[]>`
        select sandsync.conflict_copy_path(${path}, ${AT}, ${REPLICA}) as name,
          sandsync.path_problem(sandsync.conflict_copy_path(${path}, ${AT}, ${REPLICA})) as problem`;
      assert.equal(row?.name, conflictCopyPath(path, { at: AT, replica: REPLICA }), path);
      assert.equal(row?.problem, null, `the copy of ${path} is a valid path`);
    }
  } finally {
    await sql.end();
  }
});
