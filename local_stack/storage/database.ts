/**
 * The database adapter: every statement runs in a transaction that first switches to the
 * caller's role and JWT claims (`set local role`, `request.jwt.claims`), exactly as
 * supabase/storage does, so storage RLS policies and triggers see what they see on hosted
 * Supabase. {@linkcode StorageDatabase.check} runs statements and always rolls them back: the
 * permission probe of an upload.
 *
 * @module
 */
import postgres from "postgres";
import { type Caller, serviceCaller } from "./auth.ts";
import { fromDatabaseError, type ResourceKind } from "./database_errors.ts";
import { Queries } from "./queries.ts";

/** Names the resource a transaction works on, for error messages. */
export interface ResourceHint {
  readonly kind: ResourceKind;
  readonly name: string;
}

const ROLLBACK = Symbol("rollback");

/** Transactions as a caller over one connection pool. */
export class StorageDatabase {
  readonly #sql: postgres.Sql;

  constructor(url: string) {
    this.#sql = postgres(url, {
      max: 10,
      onnotice: () => {},
      connection: { application_name: "sandsync-storage" },
    });
  }

  /** Runs `work` in a transaction as `caller`; database errors become Storage errors. */
  async as<T>(
    caller: Caller,
    work: (queries: Queries) => Promise<T>,
    hint?: ResourceHint,
  ): Promise<T> {
    try {
      return await this.#sql.begin(async (tx) => {
        await this.#become(tx, caller);
        return await work(new Queries(tx));
      }) as T;
    } catch (error) {
      throw fromDatabaseError(error, hint);
    }
  }

  /** Runs `work` as the service role (the final write of an upload, bucket lookups). */
  asService<T>(work: (queries: Queries) => Promise<T>, hint?: ResourceHint): Promise<T> {
    return this.as(serviceCaller(), work, hint);
  }

  /**
   * Runs `work` as `caller` and rolls it back whatever happens: a permission probe. Row
   * triggers on the probed table fire too, as they do on hosted Supabase.
   */
  async check(
    caller: Caller,
    work: (queries: Queries) => Promise<unknown>,
    hint?: ResourceHint,
  ): Promise<void> {
    try {
      await this.#sql.begin(async (tx) => {
        await this.#become(tx, caller);
        await work(new Queries(tx));
        throw ROLLBACK;
      });
    } catch (error) {
      if (error !== ROLLBACK) throw fromDatabaseError(error, hint);
    }
  }

  async #become(tx: postgres.TransactionSql, caller: Caller): Promise<void> {
    // The role comes from a closed list (auth.ts), so it is safe to splice into the statement.
    await tx.unsafe(`set local role ${caller.role}`);
    await tx`select
      set_config('request.jwt.claims', ${JSON.stringify(caller.claims)}, true),
      set_config('request.jwt.claim.sub', ${caller.owner ?? ""}, true),
      set_config('request.jwt.claim.role', ${caller.role}, true),
      set_config('request.jwt', ${caller.token}, true)`;
  }

  /** Closes the pool. */
  async close(): Promise<void> {
    await this.#sql.end({ timeout: 5 });
  }
}
