import assert from "node:assert/strict";
import { errors, SyncError } from "../shared/protocol/errors.ts";
import { errorFromResponse } from "../shared/protocol/errors.ts";
import { backoffDelay, isRetryableError, withRetry } from "./retry.ts";

Deno.test("backoffDelay() doubles up to the cap, with jitter in the upper half", () => {
  const low = { random: () => 0 };
  const high = { random: () => 0.999 };
  assert.equal(backoffDelay(1, low), 100);
  assert.equal(backoffDelay(3, low), 400);
  assert.ok(backoffDelay(3, high) <= 800 && backoffDelay(3, high) > 790);
  assert.equal(backoffDelay(30, { ...low, maxDelayMs: 1000 }), 500);
});

Deno.test("isRetryableError() retries network errors, 429, 5xx and WORKER_LIMIT, never other 4xx", () => {
  assert.equal(isRetryableError(new TypeError("fetch failed")), true);
  assert.equal(isRetryableError(errorFromResponse(429, null)), true);
  assert.equal(isRetryableError(errorFromResponse(503, "<html>")), true);
  assert.equal(isRetryableError(errorFromResponse(546, { code: "WORKER_LIMIT" })), true);
  assert.equal(isRetryableError(errors.validationFailed([])), false);
  assert.equal(isRetryableError(errors.versionConflict("a")), false);
  assert.equal(isRetryableError(errors.quotaExceeded("o", 1, 0)), false);
  assert.equal(isRetryableError(new Error("bug")), false);
});

Deno.test("withRetry() stops at the first non-retryable failure", async () => {
  let calls = 0;
  await assert.rejects(
    withRetry(() => {
      calls++;
      return Promise.reject(errors.unauthorized());
    }, { baseDelayMs: 1 }),
    (error) => error instanceof SyncError && error.code === "unauthorized",
  );
  assert.equal(calls, 1);
});

Deno.test("withRetry() retries transient failures until success, then gives up after attempts", async () => {
  let calls = 0;
  const value = await withRetry(() => {
    calls++;
    return calls < 3 ? Promise.reject(new TypeError("reset")) : Promise.resolve("ok");
  }, { baseDelayMs: 1 });
  assert.equal(value, "ok");
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(
    withRetry(() => {
      calls++;
      return Promise.reject(errorFromResponse(502, null));
    }, { baseDelayMs: 1, attempts: 4 }),
  );
  assert.equal(calls, 4);
});
