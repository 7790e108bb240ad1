/**
 * SQL and TypeScript share one error vocabulary: `sandsync.error_codes` and the hints of every
 * function the database runs are the API's codes (`ERROR_STATUS`), with the API's statuses.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  ERROR_STATUS,
  type ErrorCode,
  isErrorCode,
  isSyncError,
} from "../../shared/protocol/errors.ts";
import { fromDatabaseError } from "../../supabase/functions/_shared/db/db_errors.ts";
import { asUser, connect, createUser, type Sql } from "./db_support.ts";

interface ErrorCodeRow {
  code: string;
  sqlstate: string;
  http_status: number;
}

interface Raise {
  fn: string;
  sqlstate: string;
  hint: string;
}

async function withSql<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = connect(1);
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

function errorCodes(sql: Sql): Promise<ErrorCodeRow[]> {
  return sql<ErrorCodeRow[]>`select code, sqlstate, http_status from sandsync.error_codes`;
}

/** Every `errcode = ..., hint = ...` in the functions the database runs now (the catalogue). */
function liveRaises(sql: Sql): Promise<Raise[]> {
  return sql<Raise[]>`
    select p.oid::regprocedure::text as fn, m[1] as sqlstate, m[2] as hint
    from pg_proc as p
    join pg_namespace as n on n.oid = p.pronamespace
    cross join lateral regexp_matches(
      p.prosrc, 'errcode\\s*=\\s*''(\\w{5})''\\s*,\\s*hint\\s*=\\s*''([^'']*)''', 'g') as m
    where n.nspname in ('public', 'sandsync')`;
}

Deno.test("sandsync.error_codes lists API codes with the API's HTTP status", async () => {
  const rows = await withSql(errorCodes);
  assert.ok(rows.length > 0);
  for (const row of rows) {
    assert.ok(isErrorCode(row.code), `${row.sqlstate}: ${row.code} is not an API code`);
    assert.equal(row.http_status, ERROR_STATUS[row.code], `${row.sqlstate} ${row.code}`);
  }
  assert.equal(new Set(rows.map((row) => row.sqlstate)).size, rows.length);
});

Deno.test("every code a live SQL function raises is in sandsync.error_codes under its SQLSTATE", async () => {
  const [rows, raises] = await withSql((sql) => Promise.all([errorCodes(sql), liveRaises(sql)]));
  assert.ok(raises.length > 40, `only ${raises.length} raises found`);
  const byState = new Map(rows.map((row) => [row.sqlstate, row.code]));
  const codes = new Set(rows.map((row) => row.code));
  for (const { fn, sqlstate, hint } of raises) {
    const where = `${fn}: ${sqlstate} ${hint}`;
    assert.ok(isErrorCode(hint), `${where}: the hint is not an API code`);
    assert.ok(codes.has(hint), `${where}: the code is not in sandsync.error_codes`);
    assert.ok(byState.has(sqlstate), `${where}: the SQLSTATE is not in sandsync.error_codes`);
    // A Sandsync SQLSTATE means one code; 42501 is Postgres' own, which a hint may refine.
    if (sqlstate.startsWith("SS")) assert.equal(hint, byState.get(sqlstate), where);
  }
});

Deno.test("every row of sandsync.error_codes is raised by a live SQL function", async () => {
  const [rows, raises] = await withSql((sql) => Promise.all([errorCodes(sql), liveRaises(sql)]));
  const raised = new Set(raises.map((raise) => `${raise.sqlstate} ${raise.hint}`));
  const unused = rows.map((row) => `${row.sqlstate} ${row.code}`).filter((key) => !raised.has(key));
  assert.deepEqual(unused, []);
});

Deno.test("a refusal from SQL reaches the API as its code and status", async () => {
  await withSql(async (sql) => {
    const rows = await errorCodes(sql);
    const expect = async (code: ErrorCode, run: () => Promise<unknown>) => {
      const thrown = await run().then(() => undefined, (error: unknown) => error);
      const error = fromDatabaseError(thrown);
      assert.ok(isSyncError(error, code), `expected ${code}, got ${String(thrown)}`);
      const row = rows.find((row) => row.sqlstate === (thrown as { code?: string }).code);
      assert.equal(row?.code, code);
      assert.equal(error.status, row?.http_status);
    };
    // No user: auth.uid() is null for the superuser's own session.
    await expect("unauthorized", () => sql`select public.reserve_quota('[]'::jsonb)`);
    const user = await createUser(sql, "error-codes");
    await expect(
      "validation_failed",
      () =>
        asUser(
          sql,
          user,
          (tx) => tx`select public.reserve_quota(${sql.json([{ sha256: "xyz", size: 1 }])})`,
        ),
    );
  });
});
