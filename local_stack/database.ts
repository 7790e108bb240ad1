/**
 * Prepares a database for Sandsync: Supabase's bootstrap (local databases only) and the project's
 * migrations, applied with the real Supabase CLI.
 *
 * @module
 */
import postgres from "postgres";
import { join } from "node:path";
import {
  foreignHistoryMessage,
  foreignVersions,
  migrationVersions,
  projectMigrationFiles,
} from "./migrations.ts";

const BOOTSTRAP_DIR = new URL("./bootstrap/", import.meta.url);
const AUTH_BOOTSTRAP = "01_auth.sql";

/**
 * Applies the Supabase bootstrap SQL when the database lacks it (hosted and `supabase start`
 * databases already have roles, `auth` and `storage`, and are left alone). Returns whether it ran.
 * A database an older bootstrap prepared, without the Auth API's session tables, gets only the
 * (idempotent) `auth` part again.
 */
export async function bootstrapDatabase(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ present: boolean; sessions: boolean }[]>`
      select to_regclass('storage.objects') is not null
        and to_regclass('auth.users') is not null as present,
        to_regclass('auth.refresh_tokens') is not null as sessions`;
    if (row?.present && row.sessions) return false;
    if (row?.present) {
      const text = await Deno.readTextFile(new URL(AUTH_BOOTSTRAP, BOOTSTRAP_DIR));
      await sql.begin((tx) => tx.unsafe(text));
      return true;
    }
    const files = [...Deno.readDirSync(BOOTSTRAP_DIR)].map((entry) => entry.name)
      .filter((name) => name.endsWith(".sql")).sort();
    for (const file of files) {
      const text = await Deno.readTextFile(new URL(file, BOOTSTRAP_DIR));
      await sql.begin((tx) => tx.unsafe(text));
    }
    return true;
  } finally {
    await sql.end();
  }
}

/** Finds the Supabase CLI: `SUPABASE_CLI`, then PATH. */
export function findSupabaseCli(): string {
  const explicit = Deno.env.get("SUPABASE_CLI");
  if (explicit) return explicit;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const candidate = join(dir, "supabase");
    try {
      if (Deno.statSync(candidate).isFile) return candidate;
    } catch { /* not here */ }
  }
  throw new Error(
    "Cannot find the Supabase CLI: run `bash scripts/setup.sh` (installs the npm package `supabase`)",
  );
}

/**
 * Refuses, with a message saying how to recreate it, a database whose recorded migration history
 * holds versions `supabase/migrations` does not (one built before the squash of 2026-12-06): the
 * CLI would refuse it too, with a message that does not say why or what to do. Never resets it:
 * with DATABASE_URL the database may hold someone's data.
 */
export async function checkMigrationHistory(url: string, rootDir: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [table] = await sql<{ present: boolean }[]>`
      select to_regclass('supabase_migrations.schema_migrations') is not null as present`;
    if (!table?.present) return;
    const rows = await sql<{ version: string }[]>`
      select version from supabase_migrations.schema_migrations`;
    const foreign = foreignVersions(
      rows.map((row) => row.version),
      migrationVersions(projectMigrationFiles(rootDir)),
    );
    if (foreign.length > 0) throw new Error(foreignHistoryMessage(foreign));
  } finally {
    await sql.end();
  }
}

/**
 * Applies `supabase/migrations` with `supabase migration up --remote=<url> --yes`, so
 * `supabase_migrations.schema_migrations` is kept exactly as on a hosted project (after
 * {@linkcode checkMigrationHistory}).
 */
export async function applyMigrations(url: string, rootDir: string): Promise<void> {
  await checkMigrationHistory(url, rootDir);
  const output = await new Deno.Command(findSupabaseCli(), {
    args: ["migration", "up", `--remote=${url}`, "--yes", "--workdir", rootDir],
    cwd: rootDir,
    env: { PGSSLMODE: "disable", DO_NOT_TRACK: "1", SUPABASE_TELEMETRY_DISABLED: "1" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  if (!output.success) {
    const decoder = new TextDecoder();
    const detail = `${decoder.decode(output.stdout)}\n${decoder.decode(output.stderr)}`.trim();
    throw new Error(`Migrations failed (supabase migration up):\n${detail}`);
  }
}
