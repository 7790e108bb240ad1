/**
 * Postgres errors mapped to API errors in one place: the sync core raises a closed set of
 * errors with a stable SQLSTATE and the API's own error code as HINT (`sandsync.error_codes`
 * lists them, and tests check that list against `ERROR_STATUS`), so a hint that is a known code
 * is that code. RLS and the quota trigger raise 42501. Anything else is an internal error, its
 * cause logged, never sent.
 *
 * @module
 */
import { isErrorCode, SyncError } from "../../../../shared/protocol/errors.ts";

interface PostgresError {
  readonly code?: string;
  readonly hint?: string;
  readonly message?: string;
  readonly detail?: string;
  /** The violated constraint (postgres.js: `constraint_name`). */
  readonly constraint_name?: string;
}

function isPostgresError(error: unknown): error is PostgresError & Error {
  return error instanceof Error && typeof (error as PostgresError).code === "string" &&
    /^[0-9A-Z]{5}$/.test((error as PostgresError).code ?? "");
}

/** Turns a thrown database error into a {@linkcode SyncError}; passes SyncErrors through. */
export function fromDatabaseError(error: unknown): unknown {
  if (error instanceof SyncError || !isPostgresError(error)) return error;
  const code = error.hint;
  if (isErrorCode(code)) {
    const details = parseDetail(error.detail);
    return new SyncError(code, error.message ?? "Database error", {
      cause: error,
      ...(details ? { details } : {}),
    });
  }
  if (error.code === "42501") {
    return new SyncError("forbidden", `Access denied: ${error.message}`, { cause: error });
  }
  // Class 22 (data exception: 22P02 a malformed uuid, 22003 a number out of range, 22007 a bad
  // date, ...) can only come from a value the caller sent that slipped past the schema: their
  // input, refused with 400 and no retry, never a 500 that clients retry six times.
  if (error.code?.startsWith("22")) {
    return new SyncError("validation_failed", `Invalid request: ${error.message}`, {
      cause: error,
    });
  }
  // A version whose blob row housekeeping forgot between the commit's check and its insert (the
  // blob was unreferenced then): the bytes are gone, so the client sends them again.
  if (error.code === "23503" && error.constraint_name === "versions_owner_id_sha256_fkey") {
    return new SyncError("blob_missing", "The bytes were collected meanwhile: send them again", {
      cause: error,
    });
  }
  if (error.code === "40001" || error.code === "40P01" || error.code === "57014") {
    return new SyncError("service_unavailable", "Service unavailable: try again", { cause: error });
  }
  return error;
}

/** The sync core's DETAIL is `key=value` pairs (`item=3 rule=dot_segment`). */
function parseDetail(detail: string | undefined): Record<string, string> | undefined {
  if (!detail) return undefined;
  const pairs = [...detail.matchAll(/(\w+)=(\S+)/g)];
  if (pairs.length === 0) return undefined;
  return Object.fromEntries(pairs.map((match) => [match[1], match[2]]));
}
