/**
 * The project's migration files as data: their versions, the SQL functions each one creates, and
 * the check that a database's recorded migration history belongs to this checkout.
 *
 * @module
 */
import { join } from "node:path";

/** A migration file name: `YYYYMMDDHHmmss_snake_description.sql`. */
export const MIGRATION_NAME = /^(\d{14})_[a-z0-9_]+\.sql$/;

/**
 * The last version of the squashed baseline (docs/decisions/0013-migration-squash.md). Migrations
 * up to it hold one live definition per object; later ones change it forward with `create or
 * replace`.
 */
export const BASELINE_LAST_VERSION = "20261206001400";

/** The files of `files` that belong to the squashed baseline. */
export function baselineFiles(files: readonly string[]): string[] {
  return files.filter((name) => {
    const version = MIGRATION_NAME.exec(name)?.[1];
    return version !== undefined && version <= BASELINE_LAST_VERSION;
  });
}

/** The `.sql` files of `dir` in the order the CLI applies them (by name). */
export function migrationFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].filter((entry) => entry.isFile && entry.name.endsWith(".sql"))
    .map((entry) => entry.name).sort();
}

/** The versions (the leading 14 digits) of `files`; names without one are skipped. */
export function migrationVersions(files: readonly string[]): string[] {
  return files.flatMap((name) => MIGRATION_NAME.exec(name)?.[1] ?? []);
}

/**
 * The schema-qualified names of the functions `sql` creates (`create [or replace] function`),
 * lowercased, `public.` added when unqualified, in order of appearance. Comments are skipped, so a
 * commented-out definition does not count.
 */
export function createdFunctions(sql: string): string[] {
  const code = sql.replace(/--[^\n]*/g, "");
  const names = [];
  for (const match of code.matchAll(/\bcreate\s+(?:or\s+replace\s+)?function\s+([\w."]+)\s*\(/gi)) {
    const name = match[1]!.replaceAll('"', "").toLowerCase();
    names.push(name.includes(".") ? name : `public.${name}`);
  }
  return names;
}

/**
 * The versions a database recorded as applied that the checkout does not have, sorted. Non-empty
 * means the database was migrated by another chain (here: the chain before the squash of
 * 2026-12-06), which `supabase migration up` refuses to continue.
 */
export function foreignVersions(applied: readonly string[], local: readonly string[]): string[] {
  const known = new Set(local);
  return [...new Set(applied)].filter((version) => !known.has(version)).sort();
}

/** The message for a database whose history holds `foreign` versions; see {@linkcode foreignVersions}. */
export function foreignHistoryMessage(foreign: readonly string[]): string {
  const shown = foreign.length > 3
    ? `${foreign.slice(0, 3).join(", ")} and ${foreign.length - 3} more`
    : foreign.join(", ");
  return [
    `Cannot migrate the database: it records migrations this checkout does not have: ${shown}`,
    "The migrations were squashed into one per concern (docs/decisions/0013-migration-squash.md),",
    "so a database built from the old chain cannot be migrated forward. Recreate it and start again:",
    "drop and create the database DATABASE_URL names (`dropdb` and `createdb`, or `supabase db reset`",
    "for a `supabase start` database). Without DATABASE_URL the stack builds a fresh cluster each start.",
  ].join("\n");
}

/** Reads `supabase/migrations` under `rootDir`: its file names. */
export function projectMigrationFiles(rootDir: string): string[] {
  return migrationFiles(join(rootDir, "supabase", "migrations"));
}
