/**
 * What every Sandsync function needs, built once per function instance from the environment a
 * hosted (or local) function receives.
 *
 * @module
 */
import { type BlobStore, createBlobStore } from "../blobs/blob_store.ts";
import { createDatabase, type Database } from "../db/db.ts";

/** The dependencies of the sync services. */
export interface FunctionContext {
  readonly db: Database;
  readonly blobs: BlobStore;
  /** A direct or session-mode URL for LISTEN (the transaction pooler cannot LISTEN). */
  readonly listenUrl: string;
}

function required(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/** Reads `SUPABASE_URL`, `SUPABASE_SERVICE_ROLE_KEY`, `SUPABASE_DB_URL` (and optional overrides). */
export function contextFromEnv(): FunctionContext {
  const dbUrl = required("SUPABASE_DB_URL");
  return {
    db: createDatabase(dbUrl),
    blobs: createBlobStore({
      url: required("SUPABASE_URL"),
      serviceRoleKey: required("SUPABASE_SERVICE_ROLE_KEY"),
      publicUrl: Deno.env.get("SANDSYNC_PUBLIC_URL") ?? undefined,
    }),
    listenUrl: Deno.env.get("SANDSYNC_LISTEN_DB_URL") ?? dbUrl,
  };
}
