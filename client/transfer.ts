/**
 * Moving bytes to and from Storage as negotiate says
 * (docs/decisions/0003-bytes-bypass-functions.md): small blobs inline in the commit (base64),
 * medium ones with one `PUT` to a signed upload URL, large ones resumably over TUS (tus-js-client,
 * 6 MiB chunks, `x-signature`), and downloads from signed URLs. SHA-256 is computed while the bytes
 * stream, so a file that changed under the upload is caught before the commit names it.
 *
 * @module
 */
import { encodeBase64 } from "../shared/base64.ts";
import type { BlobSource } from "../shared/sandbox_fs.ts";
import { Buffer } from "node:buffer";
import * as tus from "tus-js-client";
import {
  errorFromResponse,
  errors,
  isRetryableStatus,
  isSyncError,
} from "../shared/protocol/errors.ts";
import { createSha256 } from "../shared/hash.ts";
import { isRetryableError, type RetryOptions, withRetry } from "./retry.ts";
import { idleAbortingRequest, stallGuard, TRANSFER_IDLE_MS } from "./stall_guard.ts";
import { rebaseStorageUrl, storageBase } from "./storage_url.ts";
import type { UploadInstruction } from "./types.ts";
import { type ByteSpan, spanHeader } from "../shared/protocol/common.ts";

/** Random-access bytes of one blob (a buffer, a local file, a sandbox file). */
export type { BlobSource };

/** A {@linkcode BlobSource} over bytes in memory. */
export function bytesSource(bytes: Uint8Array): BlobSource {
  return {
    size: bytes.byteLength,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
  };
}

/** Thrown when the bytes read do not hash to what was declared (the file changed). */
export class ContentChangedError extends Error {
  constructor(readonly expected: string, readonly actual: string) {
    super(`Content changed while uploading: expected sha256 ${expected}, read ${actual}`);
    this.name = "ContentChangedError";
  }
}

/** Options of an upload. */
export interface UploadOptions {
  /** Sent to Storage (its gateway wants an `apikey`). */
  readonly anonKey?: string;
  readonly retry?: RetryOptions;
  readonly signal?: AbortSignal;
  /** Bytes sent so far of this blob. */
  readonly onProgress?: (bytes: number, total: number) => void;
  /** TUS: an upload URL to resume (from an earlier, interrupted run). */
  readonly resumeUrl?: string;
  /** TUS: told the upload URL once the server created it (store it to resume later). */
  readonly onUploadUrl?: (url: string) => void;
  /**
   * A signed PUT without an answer for this long (plus time for its bytes), or a TUS request
   * without progress for this long, is retried. Default 30 s.
   */
  readonly idleMs?: number;
}

const READ_CHUNK = 1024 * 1024;

/** Reads a whole source, checking its SHA-256; for inline and signed-URL uploads. */
export async function readVerified(source: BlobSource, sha256: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(source.size);
  const hash = createSha256();
  for (let offset = 0; offset < source.size; offset += READ_CHUNK) {
    const length = Math.min(READ_CHUNK, source.size - offset);
    const chunk = await source.read(offset, length, bytes.subarray(offset, offset + length));
    if (chunk.buffer !== bytes.buffer || chunk.byteOffset !== offset) bytes.set(chunk, offset);
    hash.update(chunk);
  }
  const actual = hash.digestHex();
  if (actual !== sha256) throw new ContentChangedError(sha256, actual);
  return bytes;
}

/**
 * Uploads one blob as `instruction` says; `inline` returns the base64 to put in the commit's
 * `inline` map, the others return `undefined` once Storage holds the bytes.
 */
export async function uploadBlob(
  instruction: UploadInstruction,
  source: BlobSource,
  options: UploadOptions = {},
): Promise<string | undefined> {
  switch (instruction.method) {
    case "inline":
      return encodeBase64(await readVerified(source, instruction.sha256));
    case "signed_url":
      await putSigned(instruction.url, await readVerified(source, instruction.sha256), options);
      options.onProgress?.(instruction.size, instruction.size);
      return undefined;
    case "tus":
      await uploadTus(instruction, source, options);
      return undefined;
  }
}

async function putSigned(url: string, bytes: Uint8Array, options: UploadOptions): Promise<void> {
  await withRetry(async () => {
    // The body's progress is not observable: the whole PUT gets the idle time plus its bytes at
    // a slow 64 KiB/s (a signed PUT carries at most 6 MiB).
    const guard = stallGuard(
      (options.idleMs ?? TRANSFER_IDLE_MS) + bytes.byteLength / 64,
      options.signal,
    );
    const response = await fetch(url, {
      method: "PUT",
      headers: {
        "content-type": "application/octet-stream",
        "x-upsert": "false",
        ...(options.anonKey ? { apikey: options.anonKey } : {}),
      },
      body: bytes as Uint8Array<ArrayBuffer>,
      signal: guard.signal,
    }).catch((error) => {
      throw guard.failure(error);
    }).finally(() => guard.done());
    if (response.ok) return void await response.body?.cancel();
    const body = await response.json().catch(() => null) as { statusCode?: string } | null;
    // Content-addressed keys: an object already there holds these very bytes (the commit
    // verifies them anyway). Real Storage says 409 in the body of a 400.
    if (response.status === 409 || body?.statusCode === "409") return;
    const status = Number(body?.statusCode) || response.status;
    throw errorFromResponse(status, body);
  }, { ...options.retry, signal: options.signal });
}

function uploadTus(
  instruction: Extract<UploadInstruction, { method: "tus" }>,
  source: BlobSource,
  options: UploadOptions,
): Promise<void> {
  // Hash the chunks as they are read in order; a re-read after a retry is not hashed twice,
  // and the part a resumed upload skips (already on the server) is read and hashed first, so
  // the whole content is always checked against the declared hash.
  const hash = createSha256();
  let hashed = 0;
  // Reads go into reused buffers (memory stays flat for a file of any size): one for skipped
  // bytes, and two for chunks in turn, since tus-js-client asks for a chunk only once the
  // previous one is sent (the one before that is no longer referenced).
  const skipBuffer = new Uint8Array(READ_CHUNK);
  const chunkBuffers: Uint8Array[] = [];
  let turn = 0;
  const chunkBuffer = (length: number) => {
    turn = 1 - turn;
    const reusable = chunkBuffers[turn];
    if (reusable && reusable.byteLength >= length) return reusable;
    return (chunkBuffers[turn] = new Uint8Array(length));
  };
  const fileReader = {
    openFile: () =>
      Promise.resolve({
        size: source.size,
        async slice(start: number, end: number) {
          while (hashed < start) {
            const skipped = await source.read(
              hashed,
              Math.min(READ_CHUNK, start - hashed),
              skipBuffer,
            );
            if (skipped.byteLength === 0) break;
            hash.update(skipped);
            hashed += skipped.byteLength;
          }
          const stop = Math.min(end, source.size);
          const bytes = await source.read(start, stop - start, chunkBuffer(stop - start));
          if (start <= hashed && start + bytes.byteLength > hashed) {
            hash.update(bytes.subarray(hashed - start));
            hashed = start + bytes.byteLength;
          }
          const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          // tus-js-client reads a chunk's length from `size`, as its own BufferSource sets it.
          Object.assign(value, { size: value.length });
          return { value, done: stop >= source.size };
        },
        close() {},
      }),
  };
  // The upload URLs TUS answers with carry the server's own address: keep every request on
  // the endpoint's (see storage_url.ts).
  const base = storageBase(instruction.endpoint);
  const inner = new tus.DefaultHttpStack({});
  const httpStack: tus.HttpStack = {
    getName: () => inner.getName(),
    createRequest: (method, url) =>
      idleAbortingRequest(
        inner.createRequest(method, base ? rebaseStorageUrl(url, base) : url),
        options.idleMs ?? TRANSFER_IDLE_MS,
      ),
  };
  return new Promise<void>((resolve, reject) => {
    // The input only reaches our fileReader; tus-js-client's own readers never see it.
    const upload = new tus.Upload(source as unknown as Blob, {
      endpoint: instruction.endpoint,
      uploadUrl: options.resumeUrl ?? null,
      chunkSize: instruction.chunkSize,
      retryDelays: [0, 500, 1500, 3000, 6000, 10000],
      uploadDataDuringCreation: false,
      removeFingerprintOnSuccess: true,
      headers: {
        "x-signature": instruction.signature,
        "x-upsert": "false",
        ...(options.anonKey
          ? { apikey: options.anonKey, authorization: `Bearer ${options.anonKey}` }
          : {}),
      },
      metadata: {
        bucketName: instruction.bucket,
        objectName: instruction.key,
        contentType: "application/octet-stream",
        cacheControl: "3600",
      },
      fileReader,
      httpStack,
      onShouldRetry: (error) => {
        const status = error.originalResponse?.getStatus() ?? 0;
        return status === 0 || isRetryableStatus(status) || status === 409 || status === 423;
      },
      onUploadUrlAvailable: () => upload.url && options.onUploadUrl?.(upload.url),
      onProgress: (sent, total) => options.onProgress?.(sent, total),
      onError: (error) => {
        const status = (error as tus.DetailedError).originalResponse?.getStatus();
        const body = (error as tus.DetailedError).originalResponse?.getBody();
        // An object already under this content-addressed key holds these bytes.
        if (status === 409 || (body ?? "").includes('"409"')) return resolve();
        reject(error);
      },
      onSuccess: () => {
        if (hashed === source.size) {
          const actual = hash.digestHex();
          if (actual !== instruction.sha256) {
            return reject(new ContentChangedError(instruction.sha256, actual));
          }
        }
        resolve();
      },
    });
    options.signal?.addEventListener("abort", () => {
      upload.abort().catch(() => {});
      reject(options.signal?.reason);
    }, { once: true });
    upload.start();
  });
}

/** Options of a download. */
export interface DownloadOptions {
  readonly retry?: RetryOptions;
  readonly signal?: AbortSignal;
  /** A response that sends no byte for this long is failed and retried (default 30 s). */
  readonly idleMs?: number;
  readonly onProgress?: (bytes: number, total: number) => void;
}

/**
 * Streams the bytes at a signed download URL to `write`, hashing on the way; throws
 * `hash_mismatch` when they do not hash to `sha256`. Retries restart from the beginning
 * (`reset` is called first so the sink can truncate). Bytes that arrive whole but wrong are
 * retried too: the blob is content-addressed, so bad bytes were damaged in transit (a proxy,
 * a cache), and another attempt may well get the right ones.
 */
export async function downloadBlob(
  url: string,
  expected: {
    sha256: string;
    size: number;
    /** The blob rests in a pack: `url` is the pack's, the blob is this span of it. */
    range?: ByteSpan;
  },
  sink: { write(chunk: Uint8Array): Promise<void> | void; reset(): Promise<void> | void },
  options: DownloadOptions = {},
): Promise<void> {
  await withRetry(async (attempt) => {
    if (attempt > 1) await sink.reset();
    const guard = stallGuard(options.idleMs ?? TRANSFER_IDLE_MS, options.signal);
    const hash = createSha256();
    let size = 0;
    try {
      const { range } = expected;
      const response = await fetch(url, {
        signal: guard.signal,
        ...(range ? { headers: { range: spanHeader(range) } } : {}),
      });
      if (!response.ok || !response.body) {
        const body = await response.json().catch(() => null);
        throw errorFromResponse(response.status, body);
      }
      if (range && response.status !== 206) {
        await response.body.cancel();
        throw errors.hashMismatch(
          url.split("?")[0]!,
          expected.sha256,
          "a whole pack (range ignored)",
        );
      }
      for await (const chunk of bodyChunks(response.body)) {
        guard.progress();
        hash.update(chunk);
        size += chunk.byteLength;
        await sink.write(chunk);
        options.onProgress?.(size, expected.size);
      }
    } catch (error) {
      throw guard.failure(error);
    } finally {
      guard.done();
    }
    const actual = hash.digestHex();
    if (actual !== expected.sha256 || size !== expected.size) {
      throw errors.hashMismatch(url.split("?")[0]!, expected.sha256, `${actual} (${size} bytes)`);
    }
  }, {
    ...options.retry,
    signal: options.signal,
    retryable: (error) => isRetryableError(error) || isSyncError(error, "hash_mismatch"),
  });
}

const BODY_BUFFER = 256 * 1024;

/**
 * A response body's chunks, read into one reused buffer where the runtime offers a BYOB reader
 * (Deno does): a chunk is valid until the next one is asked for, so a 1 GiB download leaves no
 * trail of garbage chunks for the collector to catch up with (peak RSS stays flat).
 */
async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = body.getReader({ mode: "byob" });
  } catch {
    yield* body;
    return;
  }
  try {
    let buffer = new Uint8Array(BODY_BUFFER);
    for (;;) {
      const { done, value } = await reader.read(buffer);
      if (done || !value) return;
      yield value;
      buffer = new Uint8Array(value.buffer);
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Downloads a blob into memory, verified. */
export async function downloadBytes(
  url: string,
  expected: { sha256: string; size: number; range?: ByteSpan },
  options: DownloadOptions = {},
): Promise<Uint8Array> {
  let chunks: Uint8Array[] = [];
  await downloadBlob(url, expected, {
    // Chunks are views of a reused buffer (bodyChunks): keep copies.
    write: (chunk) => void chunks.push(chunk.slice()),
    reset: () => void (chunks = []),
  }, options);
  const out = new Uint8Array(expected.size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
