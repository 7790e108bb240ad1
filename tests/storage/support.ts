/**
 * Helpers for the Storage integration tests: supabase-js clients for the stack's keys and for
 * fresh users, unique bucket names, a postgres.js client, and snapshots of the Storage data
 * directory (to prove that refused requests leave nothing behind).
 *
 * @module
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import postgres from "postgres";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createUser } from "../../local_stack/users.ts";
import { loadStackEnv, parseEnvFile, type StackEnv } from "../support/stack_env.ts";

/** The stack under test. */
export const env: StackEnv = loadStackEnv();

/** A supabase-js client acting with `key` (an API key or a user's access token). */
export function client(key: string, apikey = env.anonKey): SupabaseClient {
  return createClient(env.apiUrl, apikey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { headers: { Authorization: `Bearer ${key}` } },
  });
}

/** The service-role client. */
export const service: SupabaseClient = client(env.serviceRoleKey, env.serviceRoleKey);

/** The anon client. */
export const anon: SupabaseClient = client(env.anonKey);

/** A new user, its id, token and client. */
export async function newUser(label: string) {
  const email = `${label}-${crypto.randomUUID().slice(0, 8)}@storage.test`;
  const user = await createUser(env.dbUrl, email, { jwtSecret: env.jwtSecret });
  return { ...user, client: client(user.accessToken) };
}

/** A bucket name no other test uses. */
export function uniqueBucket(label: string): string {
  return `t-${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Creates a bucket as the service role; returns its id. */
export async function makeBucket(
  label: string,
  options: { public?: boolean; fileSizeLimit?: number | string; allowedMimeTypes?: string[] } = {},
): Promise<string> {
  const id = uniqueBucket(label);
  const { error } = await service.storage.createBucket(id, { public: false, ...options });
  if (error) throw error;
  return id;
}

/** Runs `work` with a postgres.js client, always closing it. */
export async function withSql<T>(work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(env.dbUrl, { max: 1, onnotice: () => {} });
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}

/** Rows of `storage.objects` in `bucket`. */
export async function objectRows(bucket: string) {
  const rows = await withSql((sql) =>
    sql<
      {
        name: string;
        owner: string | null;
        owner_id: string | null;
        version: string;
        metadata: Record<string, unknown>;
        id: string;
      }[]
    >`
      select id, name, owner::text, owner_id, version, metadata from storage.objects
      where bucket_id = ${bucket} order by name`
  );
  return [...rows];
}

/** The Storage data directory of the stack (`STORAGE_DIR` in its env file). */
export function storageDir(): string {
  const file = Deno.env.get("SANDSYNC_ENV_FILE") ??
    fileURLToPath(new URL("../../.local/stack.env", import.meta.url));
  const values = parseEnvFile(Deno.readTextFileSync(file));
  const dir = Deno.env.get("SANDSYNC_STORAGE_DIR") ?? values.STORAGE_DIR;
  if (!dir) throw new Error("The stack's env file lacks STORAGE_DIR");
  return dir;
}

/** Every file (not directory) under the Storage data directory. */
export async function filesUnder(dir = storageDir()): Promise<Set<string>> {
  const files = new Set<string>();
  const walk = async (path: string) => {
    for await (const entry of Deno.readDir(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) await walk(child);
      else files.add(child);
    }
  };
  await walk(dir);
  return files;
}

/** Files that appeared under the data directory since `before`. */
export async function newFiles(before: Set<string>): Promise<string[]> {
  return [...await filesUnder()].filter((file) => !before.has(file));
}

/** Random bytes (the Web Crypto limit is 64 KiB per call). */
export function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65536)));
  }
  return bytes;
}

/** SHA-256 of bytes, hex. */
export async function sha256(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A raw request to the Storage API (for what supabase-js cannot send). */
export function storageFetch(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (!headers.has("authorization")) {
    headers.set("authorization", `Bearer ${init.token ?? env.serviceRoleKey}`);
  }
  return fetch(`${env.apiUrl}/storage/v1${path}`, { ...init, headers });
}
