/**
 * Retries with exponential backoff and full jitter for the sync API: network errors, 429 and
 * 5xx (Supabase's `WORKER_LIMIT` included) are retried; every other 4xx fails at once, since
 * the same request would fail the same way again.
 *
 * @module
 */
import { isRetryableStatus, SyncError } from "../shared/protocol/errors.ts";

/** How often and how long to retry. */
export interface RetryOptions {
  /** Attempts in total, the first included. Default 6. */
  readonly attempts?: number;
  /** First delay in ms, doubled per attempt. Default 200. */
  readonly baseDelayMs?: number;
  /** Longest delay in ms. Default 10,000. */
  readonly maxDelayMs?: number;
  /** Aborts waiting and further attempts. */
  readonly signal?: AbortSignal;
  /** Called before each wait (for logs and progress). */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Random source in [0, 1), for tests. Default `Math.random`. */
  readonly random?: () => number;
  /** Which failures to retry. Default {@linkcode isRetryableError}. */
  readonly retryable?: (error: unknown) => boolean;
}

/** True for a failure worth retrying: a network error, or a retryable HTTP status. */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof SyncError) {
    const status = (error.details?.status as number | undefined) ?? error.status;
    return isRetryableStatus(status);
  }
  if (error instanceof DOMException && error.name === "AbortError") return false;
  // fetch rejects with TypeError on connection failures; Deno and Node name others by code.
  if (error instanceof TypeError) return true;
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" &&
    /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR_\w+)$/.test(code);
}

/** The wait before retry number `attempt` (1-based): full jitter over an exponential cap. */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 10_000;
  const cap = Math.min(max, base * 2 ** (attempt - 1));
  const random = options.random ?? Math.random;
  // Half fixed, half random: never zero, still spread out.
  return Math.round(cap / 2 + random() * cap / 2);
}

/** Sleeps `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs `work` until it succeeds, a failure is not retryable, or attempts run out. */
export async function withRetry<T>(
  work: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 6;
  for (let attempt = 1;; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const retryable = (options.retryable ?? isRetryableError)(error);
      if (attempt >= attempts || !retryable || options.signal?.aborted) throw error;
      const retryAfter = retryAfterMs(error);
      const delay = Math.max(backoffDelay(attempt, options), retryAfter ?? 0);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}

function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof SyncError)) return undefined;
  const seconds = Number(error.details?.retryAfter);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 60_000) : undefined;
}
