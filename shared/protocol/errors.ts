/**
 * The one error vocabulary of the sync API (docs/decisions/0012-one-contract.md): a closed set of
 * codes, so that the functions, SQL and clients name every failure alike, each with exactly one
 * HTTP status; the {@linkcode SyncError} class; the `errors` factories, which keep one message
 * style (sentence case, no trailing period, quoted values in JSON string quoting, a colon before
 * detail); rendering for the functions; decoding for clients. The database raises the same codes as
 * HINT (`sandsync.error_codes`, mapped in `_shared/db/db_errors.ts`).
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
 * @example
 * ```ts
 * throw errors.fileTooLarge("src/a.ts", 52428801, 52428800);
 * // Cannot upload "src/a.ts": size 52428801 exceeds limit 52428800
 * ```
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

  /** Prefer the `errors` factories below, which keep the message style. */
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

/** One problem found while validating a request body. */
export interface ValidationIssue {
  /** Where, as a dotted path (`changes.0.sha256`); `""` for the whole body. */
  path: string;
  /** What is wrong. */
  message: string;
}

const q = (value: unknown): string => JSON.stringify(String(value));

/** The factory table: one function per way a request can fail. */
export const errors = {
  /** A request that is wrong in a way no other code describes. */
  badRequest: (detail: string): SyncError => new SyncError("bad_request", `Bad request: ${detail}`),
  /** The body is not parseable JSON. */
  invalidJson: (cause?: unknown): SyncError =>
    new SyncError("invalid_json", "Request body is not valid JSON", { cause }),
  /** The body or query failed its schema; all issues go in `details.issues`. */
  validationFailed: (issues: ValidationIssue[]): SyncError => {
    const first = issues[0];
    const where = first?.path ? ` at ${q(first.path)}` : "";
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    return new SyncError(
      "validation_failed",
      `Invalid request${where}: ${first?.message ?? "unknown problem"}${more}`,
      { details: { issues } },
    );
  },
  /** A path breaks the path rules; `problem` is path_rules' code. */
  invalidPath: (path: string, reason: string, problem?: string): SyncError =>
    new SyncError("invalid_path", `Invalid path ${q(path)}: ${reason}`, {
      details: problem === undefined ? { path } : { path, problem },
    }),
  /** A new path differs only in case from an existing one. */
  pathCaseConflict: (path: string, existing: string): SyncError =>
    new SyncError(
      "path_case_conflict",
      `Cannot create ${q(path)}: ${q(existing)} differs only in case`,
      {
        details: { path, existing },
      },
    ),
  /** The request body is over the limit. */
  payloadTooLarge: (size: number | undefined, limit: number): SyncError =>
    new SyncError(
      "payload_too_large",
      size === undefined
        ? `Request body too large: limit ${limit}`
        : `Request body too large: size ${size} exceeds limit ${limit}`,
      { details: { size, limit } },
    ),
  /** One file is over the per-file limit. */
  fileTooLarge: (path: string, size: number, limit: number): SyncError =>
    new SyncError(
      "payload_too_large",
      `Cannot upload ${q(path)}: size ${size} exceeds limit ${limit}`,
      {
        details: { path, size, limit },
      },
    ),
  /** A files PUT over the inline limit: big files go through sync/negotiate and Storage. */
  uploadTooLarge: (path: string, size: number | undefined, limit: number): SyncError =>
    new SyncError(
      "payload_too_large",
      `Cannot upload ${q(path)} inline: ${
        size === undefined ? "body" : `size ${size}`
      } exceeds limit ${limit}, use sync/negotiate for large files`,
      { details: { path, size, limit } },
    ),
  /** A `Range` that starts at or beyond the end of the content. */
  rangeNotSatisfiable: (range: string, size: number): SyncError =>
    new SyncError(
      "range_not_satisfiable",
      `Range ${q(range)} not satisfiable: the content has ${size} bytes`,
      { details: { range, size } },
    ),
  /** A diff asked of a version that is not text. */
  binaryDiff: (path: string, versionId: string): SyncError =>
    new SyncError(
      "diff_unavailable",
      `Cannot diff ${q(path)}: version ${q(versionId)} is binary`,
      { details: { path, versionId, reason: "binary" } },
    ),
  /** A diff asked of a version too large to diff within the function's limits. */
  diffTooLarge: (path: string, size: number, limit: number): SyncError =>
    new SyncError(
      "diff_unavailable",
      `Cannot diff ${q(path)}: size ${size} exceeds limit ${limit}`,
      { details: { path, size, limit, reason: "too_large" } },
    ),
  /** A diff that ran out of its time budget. */
  diffTimeout: (path: string, timeoutMs: number): SyncError =>
    new SyncError(
      "diff_unavailable",
      `Cannot diff ${q(path)}: no diff within ${timeoutMs} ms`,
      { details: { path, timeoutMs, reason: "timeout" } },
    ),
  /** No valid credentials. */
  unauthorized: (detail = "missing or invalid credentials"): SyncError =>
    new SyncError("unauthorized", `Unauthorized: ${detail}`),
  /** Valid credentials without access to the resource. */
  forbidden: (kind: string, id: string): SyncError =>
    new SyncError("forbidden", `Access denied to ${kind} ${q(id)}`),
  /** An unknown route or resource without a more specific code. */
  notFound: (kind: string, id: string): SyncError =>
    new SyncError("not_found", `${capitalise(kind)} ${q(id)} not found`),
  /** The workspace does not exist or is not visible to the caller. */
  workspaceNotFound: (id: string): SyncError =>
    new SyncError("workspace_not_found", `Workspace ${q(id)} not found`),
  /** No current file at the path. */
  fileNotFound: (path: string): SyncError =>
    new SyncError("file_not_found", `File ${q(path)} not found`),
  /** No such version id. */
  versionNotFound: (versionId: string): SyncError =>
    new SyncError("version_not_found", `Version ${q(versionId)} not found`),
  /** No such conflict, or it is already resolved. */
  conflictNotFound: (id: string): SyncError =>
    new SyncError("conflict_not_found", `Conflict ${q(id)} not found`),
  /** The replica is not registered in the workspace. */
  replicaNotFound: (id: string): SyncError =>
    new SyncError("replica_not_found", `Replica ${q(id)} not found`),
  /** The conflict was resolved already. */
  conflictClosed: (id: string): SyncError =>
    new SyncError("conflict_closed", `Cannot resolve conflict ${q(id)}: it is already resolved`),
  /** An idempotency key was reused for a different change set. */
  idempotencyConflict: (key: string): SyncError =>
    new SyncError(
      "idempotency_conflict",
      `Cannot commit: idempotency key ${q(key)} was used for a different change set`,
    ),
  /** The method is not served on this route. */
  methodNotAllowed: (method: string, allowed: string[]): SyncError =>
    new SyncError(
      "method_not_allowed",
      `Method ${q(method)} not allowed: use ${allowed.join(", ")}`,
      {
        details: { allowed },
      },
    ),
  /** `If-Match` names a version that is no longer current. */
  preconditionFailed: (path: string, expected: string, current: string): SyncError =>
    new SyncError(
      "precondition_failed",
      `Cannot update ${q(path)}: version ${q(expected)} is not the current version ${q(current)}`,
      { details: { path, expected, current } },
    ),
  /** A conflict resolution was based on a state that has changed since. */
  staleResolution: (conflictId: string): SyncError =>
    new SyncError(
      "precondition_failed",
      `Cannot resolve conflict ${q(conflictId)}: it changed since it was read`,
      {
        details: { conflictId },
      },
    ),
  /** A commit's base is concurrent with the current version. */
  versionConflict: (path: string, details?: Record<string, unknown>): SyncError =>
    new SyncError("version_conflict", `Cannot commit ${q(path)}: a concurrent version exists`, {
      details: { path, ...details },
    }),
  /** The owner's quota cannot hold the new bytes. */
  quotaExceeded: (owner: string, needed: number, available: number): SyncError =>
    new SyncError(
      "quota_exceeded",
      `Quota exceeded for ${q(owner)}: needs ${needed} bytes, ${available} available`,
      { details: { owner, needed, available } },
    ),
  /** Stored bytes do not match the declared SHA-256 or size. */
  hashMismatch: (subject: string, expected: string, actual: string): SyncError =>
    new SyncError(
      "hash_mismatch",
      `Hash mismatch for ${q(subject)}: expected ${q(expected)}, got ${q(actual)}`,
      {
        details: { subject, expected, actual },
      },
    ),
  /** A committed version whose bytes Storage no longer holds (its entry, GET or diff). */
  bytesMissing: (sha256: string): SyncError =>
    new SyncError(
      "blob_missing",
      `The bytes of blob ${q(sha256)} are missing from Storage; this version cannot be downloaded`,
      { details: { sha256 } },
    ),
  /** A commit names a blob that Storage does not hold (yet). */
  blobMissing: (sha256: string): SyncError =>
    new SyncError(
      "blob_missing",
      `Blob ${q(sha256)} not found in storage: upload it before committing`,
      {
        details: { sha256 },
      },
    ),
  /** A paging cursor that is malformed or belongs to another operation. */
  invalidCursor: (detail: string): SyncError =>
    new SyncError("invalid_cursor", `Invalid cursor: ${detail}`),
  /** A sandbox path the bridge will not follow (a symlinked root, a path climbing out). */
  sandboxPathRefused: (path: string, reason: string): SyncError =>
    new SyncError("sandbox_path_refused", `Refused sandbox path ${q(path)}: ${reason}`, {
      details: { path, reason },
    }),
  /**
   * The bridge will not act on this sandbox: it is not the workspace's bound sandbox, or E2B's
   * metadata for it does not name the workspace's owner (and workspace, when set).
   */
  sandboxNotOwned: (sandboxId: string, reason: string): SyncError =>
    new SyncError("sandbox_not_owned", `Cannot use sandbox ${q(sandboxId)}: ${reason}`, {
      details: { sandboxId },
    }),
  /** E2B knows no sandbox with this id. */
  sandboxNotFound: (sandboxId: string, cause?: unknown): SyncError =>
    new SyncError("sandbox_not_found", `Sandbox ${q(sandboxId)} not found`, {
      details: { sandboxId },
      cause,
    }),
  /** The sandbox stopped answering (or vanished) during an operation; nothing was committed. */
  sandboxUnavailable: (sandboxId: string, cause?: unknown): SyncError =>
    new SyncError(
      "sandbox_unavailable",
      `Sandbox ${q(sandboxId)} is unavailable: it stopped answering, nothing was committed`,
      { details: { sandboxId }, cause },
    ),
  /** The sandbox root holds no files (or is missing): a pull would delete everything. */
  sandboxEmpty: (sandboxId: string, root: string): SyncError =>
    new SyncError(
      "sandbox_empty",
      `Cannot pull sandbox ${q(sandboxId)}: ${
        q(root)
      } holds no files, nothing was deleted; restore it from the workspace instead`,
      { details: { sandboxId, root, suggestion: "restore" } },
    ),
  /** A checkpoint with this name exists in the workspace. */
  checkpointExists: (name: string): SyncError =>
    new SyncError("checkpoint_exists", `Checkpoint ${q(name)} already exists`, {
      details: { name },
    }),
  /** No checkpoint, version or time that a restore can start from. */
  restorePointNotFound: (at: string): SyncError =>
    new SyncError("restore_point_not_found", `Restore point ${q(at)} not found`, {
      details: { at },
    }),
  /** Too many requests; `retryAfter` in seconds. */
  rateLimited: (retryAfter?: number): SyncError =>
    new SyncError(
      "rate_limited",
      retryAfter === undefined
        ? "Too many requests"
        : `Too many requests: retry after ${retryAfter} s`,
      { details: retryAfter === undefined ? undefined : { retryAfter } },
    ),
  /** An unexpected failure; the cause is for logs only. */
  internal: (cause?: unknown): SyncError =>
    new SyncError("internal_error", "Internal error", { cause }),
  /** A dependency is down or overloaded; clients retry with backoff. */
  serviceUnavailable: (detail = "try again later", cause?: unknown): SyncError =>
    new SyncError("service_unavailable", `Service unavailable: ${detail}`, { cause }),
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
