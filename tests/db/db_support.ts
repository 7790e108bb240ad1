/**
 * Helpers for the database integration tests: real postgres.js connections to the stack's
 * database, users in `auth.users`, verified blobs, and running SQL as a user (role
 * `authenticated` plus JWT claims, as PostgREST and the Edge Functions do) so RLS applies.
 *
 * @module
 */
import postgres from "postgres";
import { createHash } from "node:crypto";
import { loadStackEnv } from "../support/stack_env.ts";

/** A postgres.js client. */
export type Sql = postgres.Sql;
/** A postgres.js transaction. */
export type Tx = postgres.TransactionSql;

/** Opens a pool on the stack's database (the superuser URL of the local stack). */
export function connect(max = 4): Sql {
  return postgres(loadStackEnv().dbUrl, { max, onnotice: () => {}, prepare: false });
}

/** Hex SHA-256 of a string's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Creates a user with a unique email; returns its id. */
export async function createUser(sql: Sql, label: string): Promise<string> {
  const id = crypto.randomUUID();
  await sql`insert into auth.users (id, email, aud, role)
    values (${id}, ${`${label}-${id}@test.local`}, 'authenticated', 'authenticated')`;
  return id;
}

/** Records a verified blob of `content` for an owner (as the service would after checking). */
export async function storedBlob(sql: Sql, ownerId: string, content: string): Promise<string> {
  const sha = sha256Hex(content);
  await sql`select public.service_mark_blob_stored(${ownerId}, ${sha}, ${
    new TextEncoder().encode(content).length
  })`;
  return sha;
}

/** Runs `fn` in a transaction acting as the user (role authenticated, JWT claims set). */
export function asUser<T>(sql: Sql, userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return asRole(sql, "authenticated", { sub: userId, role: "authenticated" }, fn);
}

/** Runs `fn` in a transaction acting as the service role. */
export function asService<T>(sql: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return asRole(sql, "service_role", { role: "service_role" }, fn);
}

async function asRole<T>(
  sql: Sql,
  role: string,
  claims: Record<string, string>,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  return await sql.begin(async (tx) => {
    await tx`select set_config('role', ${role}, true),
      set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return await fn(tx);
  }) as T;
}

/** One item of a change set, as `public.commit_changes` takes it. */
export interface CommitItem {
  path: string;
  sha256?: string;
  size?: number;
  deleted?: boolean;
  base?: Record<string, number>;
  mode?: number;
  mtime?: string;
}

/** Per-item result of `public.commit_changes`. */
export interface ItemResult {
  index: number;
  path: string;
  outcome: "applied" | "merged" | "superseded" | "conflict" | "rejected";
  version_id?: string;
  current_version_id?: string;
  vector?: Record<string, number>;
  conflict_id?: string;
  code?: string;
}

/** Result of `public.commit_changes`. */
export interface CommitResult {
  change_set_id: string;
  replayed: boolean;
  cursor: number;
  items: ItemResult[];
}

/** Calls `public.commit_changes` inside the given transaction. */
export async function commit(
  tx: Tx,
  workspaceId: string,
  replicaId: string,
  key: string,
  items: CommitItem[],
): Promise<CommitResult> {
  const [row] = await tx<{ r: CommitResult }[]>`select public.commit_changes(
    ${workspaceId}, ${replicaId}, ${key}, ${tx.json(items as unknown as postgres.JSONValue)}) as r`;
  if (!row) throw new Error("commit_changes returned no row");
  return row.r;
}

/** Creates a workspace and registers `replicas` new replicas; returns their ids. */
export async function setupWorkspace(
  sql: Sql,
  ownerId: string,
  strategy: string,
  replicas: number,
): Promise<{ workspaceId: string; replicaIds: string[] }> {
  return await asUser(sql, ownerId, async (tx) => {
    const [ws] = await tx<{ id: string }[]>`select id from public.create_workspace(
      ${`ws-${strategy}`}, ${strategy})`;
    if (!ws) throw new Error("create_workspace returned no row");
    const replicaIds = Array.from({ length: replicas }, () => crypto.randomUUID());
    for (const id of replicaIds) {
      await tx`select public.register_replica(${ws.id}, ${id}, 'agent')`;
    }
    return { workspaceId: ws.id, replicaIds };
  });
}
