/**
 * The schema snapshot `supabase/schema.sql`: what the migrations build, dumped with `pg_dump` so
 * a reviewer reads the live schema in one file and sees every change to it. It holds the schemas
 * the project owns (`sandsync`, `public`), the rows the migrations insert there (error codes,
 * settings), and what the project adds to Supabase's `storage` schema (its policies and triggers,
 * and the sync bucket's row as a comment). Volatile lines (server and pg_dump versions,
 * `\restrict` tokens) are dropped, so the same migrations always give the same text.
 *
 * Written by `deno task schema`; tests/db/schema_snapshot_test.ts fails when it is stale.
 *
 * @module
 */
import postgres from "postgres";
import { join } from "node:path";
import { applyMigrations, bootstrapDatabase } from "./database.ts";
import { findPostgresBinDir } from "./postgres.ts";

/** Where the snapshot lives, relative to the repository root. */
export const SCHEMA_SNAPSHOT = "supabase/schema.sql";

/** The command that rewrites the snapshot. */
export const SCHEMA_COMMAND = "deno task schema";

const HEADER = [
  "-- The live schema the migrations build: generated, do not edit.",
  `-- Regenerate with \`${SCHEMA_COMMAND}\` after changing supabase/migrations;`,
  "-- tests/db/schema_snapshot_test.ts fails while this file is stale.",
  "-- Contents: schemas sandsync and public (pg_dump --schema-only --no-owner), the rows the",
  "-- migrations insert into sandsync, and the policies, triggers and bucket the project adds to",
  "-- Supabase's storage schema.",
  "",
].join("\n");

/** Drops the lines of a dump that change between runs or pg_dump builds. */
export function normalizeDump(dump: string): string {
  return dump.split("\n")
    .filter((line) => !/^\\(?:un)?restrict\b/.test(line) && !/^-- Dumped (?:from|by) /.test(line))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim() + "\n";
}

/**
 * The entries of a pg_dump text (each opened by a `-- Name: ...; Type: ...;` comment) whose type
 * is one of `types` and whose statement mentions `needle`.
 */
export function dumpEntries(dump: string, types: readonly string[], needle: string): string[] {
  const entries = dump.split(/\n(?=--\n-- Name: )/);
  return entries.filter((entry) => {
    const type = /^--\n-- Name: [^\n]*; Type: ([A-Z ]+);/.exec(entry)?.[1];
    return type !== undefined && types.includes(type) && entry.includes(needle);
  }).map((entry) => entry.trim());
}

async function pgDump(url: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(join(findPostgresBinDir(), "pg_dump"), {
    args: [...args, url],
    env: { PGSSLMODE: "disable" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`pg_dump failed: ${new TextDecoder().decode(output.stderr).trim()}`);
  }
  return new TextDecoder().decode(output.stdout);
}

/** The snapshot text of the database at `url` (already migrated). */
export async function dumpSchema(url: string): Promise<string> {
  const owned = await pgDump(url, [
    "--schema-only",
    "--no-owner",
    "--schema=sandsync",
    "--schema=public",
  ]);
  const rows = await pgDump(url, [
    "--data-only",
    "--column-inserts",
    "--table=sandsync.error_codes",
    "--table=sandsync.settings",
  ]);
  const storage = await pgDump(url, ["--schema-only", "--no-owner", "--schema=storage"]);
  const added = dumpEntries(storage, ["POLICY", "TRIGGER"], "sandsync");
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let bucket: string;
  try {
    const rows = await sql<{ row: string }[]>`
      select format('-- storage.buckets: id %L, public %s, file_size_limit %s, allowed_mime_types %s',
        id, public, coalesce(file_size_limit::text, 'null'),
        coalesce(allowed_mime_types::text, 'null')) as row
      from storage.buckets where id = 'sandsync'`;
    bucket = rows.map((row) => row.row).join("\n");
  } finally {
    await sql.end();
  }
  return normalizeDump(
    [
      HEADER,
      owned,
      "--\n-- Rows the migrations insert\n--\n",
      rows,
      "--\n-- What the project adds to the storage schema\n--\n",
      bucket,
      "",
      ...added.map((entry) => `${entry}\n`),
    ].join("\n"),
  );
}

/**
 * Builds a throwaway database on the server at `serverUrl` (a superuser URL), bootstraps and
 * migrates it from `rootDir`, and answers its snapshot; the database is dropped afterwards.
 */
export async function buildSchemaSnapshot(serverUrl: string, rootDir: string): Promise<string> {
  const name = `sandsync_schema_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    await admin.unsafe(`create database ${name}`);
    await bootstrapDatabase(url.href);
    await applyMigrations(url.href, rootDir);
    return await dumpSchema(url.href);
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end();
  }
}
