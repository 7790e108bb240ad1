/**
 * A transfer that stops moving bytes is failed, not waited on forever: a Storage connection can
 * stall without closing (a proxy, a half-open TCP connection, a server stuck on one request), and
 * an agent awaiting it would stop syncing in both directions without a word. The guard aborts the
 * request after `idleMs` without progress; the failure is a retryable network error, so the
 * transfer's own retries take over.
 *
 * @module
 */
import type * as tus from "tus-js-client";

/** How long a Storage transfer may go without a byte before it is failed and retried. */
export const TRANSFER_IDLE_MS = 30_000;

/** Thrown (and retried) when a transfer made no progress for too long. */
export class TransferStalledError extends TypeError {
  constructor(readonly idleMs: number) {
    super(`Storage transfer stalled: no progress for ${Math.round(idleMs / 1000)} s`);
    this.name = "TransferStalledError";
  }
}

/** An abort signal that fires after `idleMs` without {@linkcode StallGuard.progress}. */
export interface StallGuard {
  readonly signal: AbortSignal;
  /** Bytes moved: the idle clock starts again. */
  progress(): void;
  /** The error to throw for `error` (a stall becomes {@linkcode TransferStalledError}). */
  failure(error: unknown): unknown;
  /** Stops the clock (call in `finally`). */
  done(): void;
}

/** Starts a guard; `parent` (the caller's own signal) still aborts the request as before. */
export function stallGuard(idleMs: number, parent?: AbortSignal): StallGuard {
  const controller = new AbortController();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort(new TransferStalledError(idleMs));
    }, idleMs);
  };
  arm();
  const signal = parent ? AbortSignal.any([parent, controller.signal]) : controller.signal;
  return {
    signal,
    progress: arm,
    failure: (error) => stalled && !parent?.aborted ? new TransferStalledError(idleMs) : error,
    done: () => clearTimeout(timer),
  };
}

/**
 * A TUS request (tus-js-client's `HttpRequest`) that is aborted after `idleMs` without progress:
 * no byte sent and no answer. tus-js-client then retries it (from the server's offset) like any
 * network failure; without this, a stalled PATCH kept a large upload waiting forever.
 */
export function idleAbortingRequest(request: tus.HttpRequest, idleMs: number): tus.HttpRequest {
  let progress: ((bytesSent: number) => void) | undefined;
  return {
    getMethod: () => request.getMethod(),
    getURL: () => request.getURL(),
    setHeader: (header, value) => request.setHeader(header, value),
    getHeader: (header) => request.getHeader(header),
    setProgressHandler: (handler) => void (progress = handler),
    getUnderlyingObject: () => request.getUnderlyingObject(),
    abort: () => request.abort(),
    async send(body) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      // The stack's own abort does not always settle its send (Node's http under Deno): the
      // stall is reported here, and the request is aborted behind it.
      const stalled = new Promise<never>((_, reject) => {
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            reject(new TransferStalledError(idleMs));
            void request.abort().catch(() => {});
          }, idleMs);
        };
        request.setProgressHandler((bytesSent) => {
          arm();
          progress?.(bytesSent);
        });
        arm();
      });
      try {
        return await Promise.race([request.send(body), stalled]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
