/**
 * The one error type of the sync API (STYLE rule 6): a closed set of codes,
 * each with exactly one HTTP status. Build errors with the factories of
 * errors.ts, which keep one message style (sentence case, no trailing
 * period, quoted values, a colon before detail).
 *
 * Status choices:
 * - Every malformed input is 400: bad syntax (`invalid_json`), a body that
 *   fails its schema (`validation_failed`), a bad path (`invalid_path`).
 *   422 means the request was well formed but the content cannot serve it:
 *   `hash_mismatch` (the uploaded bytes contradict what it declared) and
 *   `diff_unavailable` (a version is binary, or too large to diff in time).
 * - `range_not_satisfiable` is 416: a `Range` that starts beyond the end of
 *   the file (the response names the size in `Content-Range`).
 * - `quota_exceeded` is 507 Insufficient Storage: 413 means the request body
 *   itself is too large (`payload_too_large`), which is a different fix.
 * - `blob_missing` is 409: the commit names bytes Storage does not hold yet;
 *   upload them and retry. `version_conflict` and `path_case_conflict` are
 *   409 too; a stale `If-Match` or a stale conflict resolution is 412.
 * - The e2b-bridge's sandbox errors: `sandbox_empty` is 409 (the sandbox's
 *   state contradicts the workspace's: pulling it would delete everything, so
 *   nothing is deleted; restore it instead), `sandbox_unavailable` is 502
 *   (the sandbox, a dependency upstream of the function, stopped answering or
 *   vanished mid-operation; nothing was committed, retry or restore),
 *   `sandbox_not_found` is 404 (E2B knows no such sandbox),
 *   `sandbox_path_refused` is 400 (a root that is a symlink or climbs out, or outside the
 *   configured bridge roots), and `sandbox_not_owned` is 403 (the sandbox is not the
 *   workspace's bound sandbox, or E2B's metadata for it does not name the workspace's owner).
 *
 * @module
 */

/** Every error code with its HTTP status. */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  invalid_path: 400,
  invalid_cursor: 400,
  sandbox_path_refused: 400,
  unauthorized: 401,
  forbidden: 403,
  sandbox_not_owned: 403,
  not_found: 404,
  workspace_not_found: 404,
  file_not_found: 404,
  version_not_found: 404,
  conflict_not_found: 404,
  replica_not_found: 404,
  sandbox_not_found: 404,
  restore_point_not_found: 404,
  method_not_allowed: 405,
  path_case_conflict: 409,
  version_conflict: 409,
  blob_missing: 409,
  conflict_closed: 409,
  idempotency_conflict: 409,
  sandbox_empty: 409,
  checkpoint_exists: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  range_not_satisfiable: 416,
  hash_mismatch: 422,
  diff_unavailable: 422,
  rate_limited: 429,
  internal_error: 500,
  sandbox_unavailable: 502,
  service_unavailable: 503,
  quota_exceeded: 507,
} as const satisfies Record<string, number>;

/** A sync API error code. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The JSON body of every error response. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** Options of a {@linkcode SyncError}. */
export interface SyncErrorOptions {
  /** Machine-readable extras sent to the client (no secrets). */
  details?: Record<string, unknown>;
  /** The underlying error, for logs; never sent to the client. */
  cause?: unknown;
}

/** An error with a stable code and its HTTP status. */
export class SyncError extends Error {
  /** The stable code clients branch on. */
  readonly code: ErrorCode;
  /** The HTTP status, fixed by the code. */
  readonly status: number;
  /** Extras sent with the message. */
  readonly details?: Record<string, unknown>;

  /** Prefer the `errors` factories (errors.ts), which keep the message style. */
  constructor(code: ErrorCode, message: string, options: SyncErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "SyncError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    if (options.details !== undefined) this.details = options.details;
  }
}

/** True when `value` is a {@linkcode SyncError}, optionally with the given code. */
export function isSyncError(value: unknown, code?: ErrorCode): value is SyncError {
  return value instanceof SyncError && (code === undefined || value.code === code);
}

/** True when `value` is one of the closed set of codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_STATUS, value);
}

/**
 * Renders any thrown value as the response body. A {@linkcode SyncError}
 * keeps its code, message and details; anything else becomes a generic
 * `internal_error` so no internal text leaks. Logging the cause is the
 * caller's job (this module has no side effects).
 */
export function toErrorBody(error: unknown): ErrorBody {
  if (!(error instanceof SyncError)) return { code: "internal_error", message: "Internal error" };
  const body: ErrorBody = { code: error.code, message: error.message };
  if (error.details !== undefined) body.details = error.details;
  return body;
}

/** The HTTP status for any thrown value: a {@linkcode SyncError}'s, else 500. */
export function errorStatus(error: unknown): number {
  return error instanceof SyncError ? error.status : 500;
}

/**
 * For clients: rebuilds a {@linkcode SyncError} from an error response. A
 * body with a known code keeps it; anything else (a proxy's HTML page, the
 * platform's `WORKER_LIMIT`) is classified by `status`, with the status and
 * body kept in `details`.
 */
export function errorFromResponse(status: number, body: unknown): SyncError {
  if (typeof body === "object" && body !== null) {
    const { code, message, details } = body as Record<string, unknown>;
    if (isErrorCode(code) && typeof message === "string") {
      const extra = typeof details === "object" && details !== null
        ? { details: details as Record<string, unknown> }
        : {};
      return new SyncError(code, message, extra);
    }
  }
  const code = codeForStatus(status);
  return new SyncError(code, `Request failed: HTTP status ${status}`, {
    details: { status, body },
  });
}

/**
 * True when a request that got `status` may be retried (with backoff): 429
 * and server errors. Never a 4xx other than 429; not 501 (not implemented),
 * 505 (HTTP version) or 507 (`quota_exceeded`), which fail the same way
 * again. Supabase's `WORKER_LIMIT` (546) is retryable.
 */
export function isRetryableStatus(status: number): boolean {
  if (status === 429) return true;
  return status >= 500 && status <= 599 && status !== 501 && status !== 505 && status !== 507;
}

function codeForStatus(status: number): ErrorCode {
  const known: Record<number, ErrorCode> = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    412: "precondition_failed",
    413: "payload_too_large",
    416: "range_not_satisfiable",
    429: "rate_limited",
    507: "quota_exceeded",
  };
  if (known[status]) return known[status];
  if (isRetryableStatus(status)) return "service_unavailable";
  return status >= 500 ? "internal_error" : "bad_request";
}
