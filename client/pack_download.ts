/**
 * Downloads of packed blobs by range (docs/decisions/0014-packs.md): blobs of one pack that lie
 * near each other are fetched with one HTTP `Range` request on the pack's signed URL, a bounded
 * number of spans in flight. Each blob is verified by SHA-256 before anyone sees it, so a damaged
 * byte is never handed on (nor written to disk); a span cut mid-way resumes from the first blob
 * it had not finished.
 *
 * @module
 */
import { errorFromResponse, errors, isSyncError } from "../shared/protocol/errors.ts";
import { type ByteSpan, spanHeader } from "../shared/protocol/common.ts";
import { sha256Hex } from "../shared/hash.ts";
import { mapPool } from "../shared/pool.ts";
import { isRetryableError, type RetryOptions, withRetry } from "./retry.ts";
import { stallGuard, TRANSFER_IDLE_MS } from "./stall_guard.ts";

/** One blob to fetch from a pack. */
export interface PackedBlob {
  /** The pack's signed URL. */
  readonly url: string;
  readonly range: ByteSpan;
  readonly sha256: string;
}

/** One request: a span of one pack holding several blobs, in offset order. */
export interface PackSpan {
  readonly url: string;
  readonly offset: number;
  readonly length: number;
  readonly blobs: readonly PackedBlob[];
}

/** How blobs are grouped into spans. */
export interface SpanLimits {
  /** Unwanted bytes between two blobs that still share a request (default 64 KiB). */
  readonly maxGap?: number;
  /** Longest span (default 8 MiB; a span is held in memory while it is split). */
  readonly maxSpan?: number;
}

const DEFAULT_GAP = 64 * 1024;
const DEFAULT_SPAN = 8 * 1024 * 1024;

/** Groups blobs into spans per pack URL: neighbours within `maxGap`, each span ≤ `maxSpan`. */
export function planSpans(blobs: readonly PackedBlob[], limits: SpanLimits = {}): PackSpan[] {
  const maxGap = limits.maxGap ?? DEFAULT_GAP;
  const maxSpan = limits.maxSpan ?? DEFAULT_SPAN;
  const byPack = new Map<string, PackedBlob[]>();
  const seen = new Set<string>();
  for (const blob of blobs) {
    const id = `${blob.url}\n${blob.sha256}`;
    if (blob.range.length === 0 || seen.has(id)) continue;
    seen.add(id);
    byPack.set(blob.url, [...byPack.get(blob.url) ?? [], blob]);
  }
  const spans: PackSpan[] = [];
  for (const [url, members] of byPack) {
    members.sort((a, b) => a.range.offset - b.range.offset);
    let group: PackedBlob[] = [];
    let start = 0;
    let end = 0;
    const flush = () => {
      if (group.length > 0) spans.push({ url, offset: start, length: end - start, blobs: group });
      group = [];
    };
    for (const blob of members) {
      const blobEnd = blob.range.offset + blob.range.length;
      const fits = group.length > 0 && blob.range.offset - end <= maxGap &&
        Math.max(end, blobEnd) - start <= maxSpan;
      if (!fits) {
        flush();
        start = blob.range.offset;
        end = blobEnd;
      } else {
        end = Math.max(end, blobEnd);
      }
      group.push(blob);
    }
    flush();
  }
  return spans;
}

/** Options of {@linkcode fetchPacked}. */
export interface FetchPackedOptions extends SpanLimits {
  /** Spans in flight (default 4). */
  readonly concurrency?: number;
  readonly retry?: RetryOptions;
  readonly signal?: AbortSignal;
  /** A response that sends no byte for this long is failed and resumed (default 30 s). */
  readonly idleMs?: number;
}

/**
 * Fetches the blobs, verified, into memory: SHA-256 → bytes. A blob whose bytes never verify (or
 * whose span keeps failing) is left out of the answer and its error returned beside it; the caller
 * fetches it alone or retries later. Aborting `signal` rejects.
 */
export async function fetchPacked(
  blobs: readonly PackedBlob[],
  options: FetchPackedOptions = {},
): Promise<{ bytes: Map<string, Uint8Array>; failed: Map<string, unknown> }> {
  const bytes = new Map<string, Uint8Array>();
  const failed = new Map<string, unknown>();
  await mapPool(planSpans(blobs, options), options.concurrency ?? 4, async (span) => {
    try {
      await fetchSpan(span, bytes, options);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      for (const blob of span.blobs) if (!bytes.has(blob.sha256)) failed.set(blob.sha256, error);
    }
  });
  return { bytes, failed };
}

/**
 * One span, resumed after a cut from the first blob not yet verified; a blob whose bytes arrive
 * whole but wrong fails the attempt (retried: damage in transit) and, at the end, the span.
 */
async function fetchSpan(
  span: PackSpan,
  into: Map<string, Uint8Array>,
  options: FetchPackedOptions,
): Promise<void> {
  await withRetry(async () => {
    const rest = span.blobs.filter((blob) => !into.has(blob.sha256));
    if (rest.length === 0) return;
    const offset = Math.min(...rest.map((blob) => blob.range.offset));
    const end = Math.max(...rest.map((blob) => blob.range.offset + blob.range.length));
    const buffer = new Uint8Array(end - offset);
    let received = 0;
    const damaged = new Map<string, string>();
    // Hands on every blob that arrived whole and hashes right; remembers the others.
    const settle = () => {
      for (const blob of rest) {
        const from = blob.range.offset - offset;
        const to = from + blob.range.length;
        if (to > received || into.has(blob.sha256) || damaged.has(blob.sha256)) continue;
        const part = buffer.slice(from, to);
        const actual = sha256Hex(part);
        if (actual === blob.sha256) into.set(blob.sha256, part);
        else damaged.set(blob.sha256, actual);
      }
    };
    const guard = stallGuard(options.idleMs ?? TRANSFER_IDLE_MS, options.signal);
    try {
      const response = await fetch(span.url, {
        signal: guard.signal,
        headers: { range: spanHeader({ offset, length: end - offset }) },
      });
      if (response.status !== 206 || !response.body) {
        const body = await response.json().catch(() => null);
        throw response.ok
          ? errors.hashMismatch(span.url.split("?")[0]!, "a range", `status ${response.status}`)
          : errorFromResponse(response.status, body);
      }
      for await (const chunk of response.body) {
        guard.progress();
        const room = Math.min(chunk.byteLength, buffer.byteLength - received);
        buffer.set(chunk.subarray(0, room), received);
        received += room;
        settle();
      }
    } catch (error) {
      // What arrived whole and right is kept: the retry asks only for the rest.
      settle();
      throw guard.failure(error);
    } finally {
      guard.done();
    }
    settle();
    const [bad] = damaged;
    if (bad) throw errors.hashMismatch(span.url.split("?")[0]!, bad[0], bad[1]);
    const missing = rest.find((blob) => !into.has(blob.sha256));
    if (missing) throw errors.hashMismatch(span.url.split("?")[0]!, missing.sha256, "short span");
  }, {
    ...options.retry,
    signal: options.signal,
    retryable: (error) => isRetryableError(error) || isSyncError(error, "hash_mismatch"),
  });
}
