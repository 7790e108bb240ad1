/**
 * Database access for Edge Functions: one postgres.js pool per function instance on
 * `SUPABASE_DB_URL`, with `prepare: false` so it also runs through Supabase's transaction pooler.
 * Every unit of work is a transaction that first takes on a role: the caller's (RLS applies,
 * `auth.uid()` answers) or, explicitly and by name, the service role.
 *
 * @module
 */
import postgres from "postgres";
import type { Caller } from "../edge/caller.ts";
import { fromDatabaseError } from "./db_errors.ts";

/** A transaction handle, as postgres.js passes it to `begin`. */
export type Tx = postgres.TransactionSql<Record<string, unknown>>;

/** The functions' view of Postgres. */
export interface Database {
  /** Runs `work` in one transaction as `caller`: their role and JWT claims, so RLS applies. */
  asCaller<T>(caller: Caller, work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs `work` in one transaction as `service_role` (bypasses RLS): name why at each use. */
  asService<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Closes the pool. */
  close(): Promise<void>;
}

/** Options of {@linkcode createDatabase}. */
export interface DatabaseOptions {
  /** Connections in the pool (default 4: functions are many, Postgres connections few). */
  readonly max?: number;
}

/** Connects to `url` (a direct or transaction-pooler URL). */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const sql = postgres(url, {
    prepare: false,
    max: options.max ?? 4,
    idle_timeout: 20,
    onnotice: () => {},
    connection: { application_name: "sandsync-functions" },
  });
  const run = async <T>(
    role: string,
    claims: Record<string, unknown>,
    work: (tx: Tx) => Promise<T>,
  ) => {
    try {
      return await sql.begin(async (tx) => {
        await tx`select set_config('role', ${role}, true),
          set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
          set_config('request.jwt.claim.sub', ${String(claims.sub ?? "")}, true),
          set_config('request.jwt.claim.role', ${role}, true)`;
        return await work(tx as unknown as Tx);
      }) as T;
    } catch (error) {
      throw fromDatabaseError(error);
    }
  };
  return {
    asCaller: (caller, work) => run(caller.role, caller.claims, work),
    asService: (work) => run("service_role", { role: "service_role" }, work),
    close: () => sql.end({ timeout: 5 }),
  };
}
