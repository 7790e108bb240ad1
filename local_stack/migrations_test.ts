import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  BASELINE_LAST_VERSION,
  baselineFiles,
  createdFunctions,
  foreignHistoryMessage,
  foreignVersions,
  MIGRATION_NAME,
  migrationVersions,
  projectMigrationFiles,
} from "./migrations.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const MIGRATIONS = new URL("../supabase/migrations/", import.meta.url);

function migrationText(name: string): string {
  return Deno.readTextFileSync(new URL(name, MIGRATIONS));
}

Deno.test("in the squashed baseline no SQL function is created in more than one migration", () => {
  const files = baselineFiles(projectMigrationFiles(ROOT));
  // The baseline is on disk whole: its last migration is present.
  assert.ok(files.some((name) => name.startsWith(BASELINE_LAST_VERSION)), "baseline not found");
  const homes = new Map<string, string[]>();
  for (const file of files) {
    for (const name of new Set(createdFunctions(migrationText(file)))) {
      homes.set(name, [...(homes.get(name) ?? []), file]);
    }
  }
  // Some sixty functions live in the migrations; an empty scan would prove nothing.
  assert.ok(homes.size > 50, `only ${homes.size} functions found`);
  const twice = [...homes].filter(([, where]) => where.length > 1)
    .map(([name, where]) => `${name}: ${where.join(", ")}`);
  assert.deepEqual(twice, []);
});

Deno.test("baselineFiles() keeps the squashed migrations and leaves later forward changes out", () => {
  assert.deepEqual(
    baselineFiles([
      "20261206000100_schema_and_privileges.sql",
      `${BASELINE_LAST_VERSION}_replica_state.sql`,
      "20261207000100_fix_commit_outcome.sql",
      "notes.sql",
    ]),
    ["20261206000100_schema_and_privileges.sql", `${BASELINE_LAST_VERSION}_replica_state.sql`],
  );
});

Deno.test("no migration creates the same SQL function twice", () => {
  for (const file of projectMigrationFiles(ROOT)) {
    const names = createdFunctions(migrationText(file));
    const repeated = names.filter((name, index) => names.indexOf(name) !== index);
    assert.deepEqual(repeated, [], file);
  }
});

Deno.test("every migration is named YYYYMMDDHHmmss_snake_description.sql with its own version", () => {
  const files = projectMigrationFiles(ROOT);
  assert.ok(files.length > 0);
  assert.deepEqual(files.filter((name) => !MIGRATION_NAME.test(name)), []);
  const versions = migrationVersions(files);
  assert.equal(new Set(versions).size, versions.length);
});

Deno.test("every migration opens with a header comment naming its purpose and objects", () => {
  for (const file of projectMigrationFiles(ROOT)) {
    const text = migrationText(file);
    const header = text.slice(0, text.search(/^(?!--)/m));
    assert.ok(header.startsWith("-- "), `${file}: no header comment`);
    assert.match(header, /Purpose:/, `${file}: header has no "Purpose:"`);
    assert.match(header, /Objects:/, `${file}: header has no "Objects:"`);
  }
});

Deno.test("createdFunctions() names each created function, qualified and lowercased", () => {
  const sql = `
    create function sandsync.a(p int) returns int language sql as $$ select 1 $$;
    create or replace function public.B(p int) returns int language sql as $$ select 1 $$;
    CREATE FUNCTION c() returns int language sql as $$ select 1 $$;
    -- create function sandsync.commented_out()
    drop function sandsync.d(int);
    comment on function sandsync.a(int) is 'not a definition';
  `;
  assert.deepEqual(createdFunctions(sql), ["sandsync.a", "public.b", "public.c"]);
});

Deno.test("foreignVersions() lists applied versions the checkout lacks, once and sorted", () => {
  const local = ["20261206000100", "20261206000200"];
  assert.deepEqual(foreignVersions([], local), []);
  assert.deepEqual(foreignVersions(["20261206000100"], local), []);
  assert.deepEqual(
    foreignVersions(
      ["20261125000200", "20261206000100", "20261125000100", "20261125000100"],
      local,
    ),
    ["20261125000100", "20261125000200"],
  );
});

Deno.test("foreignHistoryMessage() names the versions and how to recreate the database", () => {
  const message = foreignHistoryMessage(["1", "2", "3", "4", "5"]);
  assert.match(message, /1, 2, 3 and 2 more/);
  assert.match(message, /dropdb/);
  assert.match(message, /docs\/decisions\/0013-migration-squash\.md/);
});
