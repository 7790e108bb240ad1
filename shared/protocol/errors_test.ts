import assert from "node:assert/strict";
import {
  ERROR_STATUS,
  errorFromResponse,
  errors,
  errorStatus,
  isErrorCode,
  isRetryableStatus,
  isSyncError,
  SyncError,
  toErrorBody,
} from "./errors.ts";

const SAMPLES: SyncError[] = [
  errors.badRequest('missing query parameter "cursor"'),
  errors.invalidJson(new SyntaxError("Unexpected token")),
  errors.validationFailed([{ path: "changes.0.sha256", message: "expected 64 hex characters" }]),
  errors.invalidPath("a/../b", "dot segment", "path_dot_segment"),
  errors.pathCaseConflict("Readme.md", "README.md"),
  errors.payloadTooLarge(5_000_000, 4_194_304),
  errors.fileTooLarge("src/a.ts", 52428801, 52428800),
  errors.uploadTooLarge("big.bin", 16777217, 16777216),
  errors.uploadTooLarge("big.bin", undefined, 16777216),
  errors.rangeNotSatisfiable("bytes=10-20", 5),
  errors.binaryDiff("logo.png", "v1"),
  errors.diffTooLarge("big.txt", 2000000, 1048576),
  errors.diffTimeout("big.txt", 500),
  errors.unauthorized(),
  errors.forbidden("workspace", "w1"),
  errors.notFound("route", "GET /nope"),
  errors.workspaceNotFound("w1"),
  errors.fileNotFound("src/a.ts"),
  errors.versionNotFound("v9"),
  errors.conflictNotFound("c1"),
  errors.replicaNotFound("r1"),
  errors.conflictClosed("c1"),
  errors.idempotencyConflict("k1"),
  errors.methodNotAllowed("PATCH", ["GET", "PUT"]),
  errors.preconditionFailed("src/a.ts", "v1", "v2"),
  errors.staleResolution("c1"),
  errors.versionConflict("src/a.ts"),
  errors.quotaExceeded("user-1", 1234, 100),
  errors.hashMismatch("src/a.ts", "aa", "bb"),
  errors.blobMissing("ab".repeat(32)),
  errors.rateLimited(5),
  errors.invalidCursor("not base64url JSON"),
  errors.sandboxPathRefused("/home/user/link", "the root is a symlink"),
  errors.sandboxNotFound("sbx-1"),
  errors.sandboxNotOwned("sbx-1", "it is not the workspace's bound sandbox"),
  errors.sandboxUnavailable("sbx-1", new Error("connection refused")),
  errors.sandboxEmpty("sbx-1", "/home/user/project"),
  errors.checkpointExists("before-refactor"),
  errors.restorePointNotFound("before-refactor"),
  errors.internal(new Error("db down")),
  errors.serviceUnavailable(),
];

Deno.test("errors factories cover every code", () => {
  const covered = new Set(SAMPLES.map((e) => e.code));
  assert.deepEqual([...covered].sort(), Object.keys(ERROR_STATUS).sort());
});

Deno.test("errors factories write messages in the one message style", () => {
  for (const error of SAMPLES) {
    assert.match(error.message, /^[A-Z]/, error.message);
    assert.doesNotMatch(error.message, /[.\s]$/, error.message);
    assert.equal(error.status, ERROR_STATUS[error.code]);
    assert.ok(error instanceof Error);
    assert.equal(error.name, "SyncError");
  }
  assert.equal(
    errors.fileTooLarge("src/a.ts", 52428801, 52428800).message,
    'Cannot upload "src/a.ts": size 52428801 exceeds limit 52428800',
  );
});

Deno.test("errors.validationFailed() names the first issue and keeps all", () => {
  const error = errors.validationFailed([
    { path: "changes.0.sha256", message: "expected 64 hex characters" },
    { path: "workspaceId", message: "invalid UUID" },
  ]);
  assert.equal(
    error.message,
    'Invalid request at "changes.0.sha256": expected 64 hex characters (and 1 more)',
  );
  assert.equal((error.details?.issues as unknown[]).length, 2);
});

Deno.test("ERROR_STATUS fixes the documented statuses", () => {
  assert.equal(ERROR_STATUS.quota_exceeded, 507);
  assert.equal(ERROR_STATUS.payload_too_large, 413);
  assert.equal(ERROR_STATUS.validation_failed, 400);
  assert.equal(ERROR_STATUS.hash_mismatch, 422);
  assert.equal(ERROR_STATUS.precondition_failed, 412);
  assert.equal(ERROR_STATUS.blob_missing, 409);
  assert.equal(ERROR_STATUS.range_not_satisfiable, 416);
  assert.equal(ERROR_STATUS.diff_unavailable, 422);
});

Deno.test("toErrorBody() renders a SyncError with its code, message and details", () => {
  const error = errors.quotaExceeded("user-1", 1234, 100);
  assert.deepEqual(toErrorBody(error), {
    code: "quota_exceeded",
    message: 'Quota exceeded for "user-1": needs 1234 bytes, 100 available',
    details: { owner: "user-1", needed: 1234, available: 100 },
  });
  assert.deepEqual(toErrorBody(errors.fileNotFound("x")), {
    code: "file_not_found",
    message: 'File "x" not found',
  });
  assert.equal(errorStatus(error), 507);
});

Deno.test("toErrorBody() hides unknown errors behind a generic 500", () => {
  for (const thrown of [new Error("password=hunter2"), "boom", null, { code: "forbidden" }]) {
    assert.deepEqual(toErrorBody(thrown), { code: "internal_error", message: "Internal error" });
    assert.equal(errorStatus(thrown), 500);
  }
  const internal = errors.internal(new Error("secret detail"));
  assert.deepEqual(toErrorBody(internal), { code: "internal_error", message: "Internal error" });
  assert.equal((internal.cause as Error).message, "secret detail");
});

Deno.test("isSyncError() checks the class and optionally the code", () => {
  assert.ok(isSyncError(errors.unauthorized()));
  assert.ok(isSyncError(errors.unauthorized(), "unauthorized"));
  assert.ok(!isSyncError(errors.unauthorized(), "forbidden"));
  assert.ok(!isSyncError(new Error("x")));
  assert.ok(isErrorCode("quota_exceeded"));
  assert.ok(!isErrorCode("toString"));
});

Deno.test("errorFromResponse() rebuilds known bodies and classifies the rest by status", () => {
  const body = toErrorBody(errors.blobMissing("ab".repeat(32)));
  const rebuilt = errorFromResponse(409, body);
  assert.equal(rebuilt.code, "blob_missing");
  assert.equal(rebuilt.message, body.message);
  assert.deepEqual(rebuilt.details, body.details);
  const cases: [number, unknown, string][] = [
    [546, { code: "WORKER_LIMIT", message: "Worker limit" }, "service_unavailable"],
    [502, "<html>bad gateway</html>", "service_unavailable"],
    [429, null, "rate_limited"],
    [401, { msg: "jwt expired" }, "unauthorized"],
    [416, "", "range_not_satisfiable"],
    [418, {}, "bad_request"],
    [501, {}, "internal_error"],
  ];
  for (const [status, responseBody, code] of cases) {
    const error = errorFromResponse(status, responseBody);
    assert.equal(error.code, code, String(status));
    assert.equal(error.details?.status, status);
  }
});

Deno.test("isRetryableStatus() retries 429 and transient 5xx, never other 4xx", () => {
  for (const status of [429, 500, 502, 503, 504, 546]) {
    assert.ok(isRetryableStatus(status), `${status}`);
  }
  for (const status of [200, 304, 400, 401, 403, 404, 409, 412, 413, 422, 501, 505, 507, 600]) {
    assert.ok(!isRetryableStatus(status), `${status}`);
  }
});
