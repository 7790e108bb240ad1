/**
 * Blobs whose bytes stream through the function from elsewhere (the e2b-bridge reading sandbox
 * files), in the order the quota rules ask for (docs/decisions/0007-quota-by-trigger.md), like
 * `blob_ingest.ts` but never holding a file in memory: reserve quota for the owner (all or nothing;
 * the one reservation of `_shared/blobs/blob_reserve.ts`), stream each blob Storage lacks under its
 * content-addressed key while hashing it, remove it again when the bytes are not what was announced
 * (the file changed since it was hashed), then mark the good ones `stored` as the service role (the
 * checks of `_shared/blobs/blob_check.ts`), which only the server may do because only it has hashed
 * the bytes. A later `commit_changes` may then reference them.
 *
 * @module
 */
import { createSha256 } from "../../../shared/hash.ts";
import { blobKey, type BlobStore, stagingKey } from "../_shared/blobs/blob_store.ts";
import { agentTokenId, type Caller } from "../_shared/edge/caller.ts";
import type { Database } from "../_shared/db/db.ts";
import { grantToScope, keepIfValid, markStored, sameBlob } from "../_shared/blobs/blob_check.ts";
import { reserveBlobs } from "../_shared/blobs/blob_reserve.ts";
import { mapPool } from "../../../shared/pool.ts";
import { adoptStaged } from "../_shared/blobs/staged_blobs.ts";

/** A blob to fetch: what it should hash to, and how to open its bytes. */
export interface StreamedBlob {
  readonly sha256: string;
  readonly size: number;
  readonly open: () => Promise<ReadableStream<Uint8Array>>;
}

/** What became of one blob. */
export interface StreamedOutcome {
  /** Stored and verified (or already stored). */
  readonly ok: boolean;
  /** Bytes streamed into Storage for it (0 when Storage had it). */
  readonly bytes: number;
}

/** Thrown when the source of a blob (not Storage) failed while streaming. */
export class SourceError extends Error {
  constructor(cause: unknown) {
    super("Reading the blob's source failed", { cause });
    this.name = "SourceError";
  }
}

/** What {@linkcode ingestStreamedBlobs} stores, and for whom. */
export interface StreamedIngest {
  readonly caller: Caller;
  readonly owner: string;
  readonly items: readonly StreamedBlob[];
  /** Blobs streamed at once (default 4). */
  readonly concurrency?: number;
}

/**
 * Reserves, streams, verifies and marks the blobs; resolves with an outcome per SHA-256.
 * Throws {@linkcode SourceError} when a source fails (nothing is marked stored then), and
 * `quota_exceeded` before any byte moves when the blobs do not fit.
 */
export async function ingestStreamedBlobs(
  deps: { readonly db: Database; readonly blobs: BlobStore },
  input: StreamedIngest,
): Promise<Map<string, StreamedOutcome>> {
  const { caller, owner } = input;
  const unique = [...new Map(input.items.map((item) => [item.sha256, item])).values()];
  const outcomes = new Map<string, StreamedOutcome>();
  if (unique.length === 0) return outcomes;
  const reserved = await deps.db.asCaller(
    caller,
    (tx) => reserveBlobs(tx, { caller, owner, wanted: unique }),
  );
  const verified: StreamedBlob[] = [];
  const tokenId = agentTokenId(caller);
  await mapPool(unique, input.concurrency ?? 4, async (item) => {
    const key = blobKey(owner, item.sha256);
    const { status, state } = reserved.get(item.sha256) ?? { status: undefined, state: null };
    if (status === "staged" && tokenId) {
      // Not readable in the caller's workspace: the hash it announced proves nothing, so the
      // bytes are read and hashed in full (into the staging key), then one copy is kept.
      const staged = stagingKey(owner, tokenId, item.sha256);
      await deps.blobs.remove([staged]);
      const streamed = await streamInto(deps.blobs, staged, item);
      if (!sameBlob(streamed, item)) {
        await deps.blobs.remove([staged]);
        outcomes.set(item.sha256, { ok: false, bytes: streamed.size });
        return;
      }
      await adoptStaged(deps.blobs, { owner, staged, blob: item, state: state ?? undefined });
      verified.push(item);
      outcomes.set(item.sha256, { ok: true, bytes: streamed.size });
      return;
    }
    if (status !== "reserved") {
      if (state === "stored") {
        outcomes.set(item.sha256, { ok: true, bytes: 0 });
        return;
      }
      // An object nobody vouched for yet (an abandoned client upload): keep it if it is right.
      if ((await keepIfValid(deps.blobs, key, item)).valid) {
        verified.push(item);
        outcomes.set(item.sha256, { ok: true, bytes: 0 });
        return;
      }
    }
    const streamed = await streamInto(deps.blobs, key, item);
    if (sameBlob(streamed, item)) {
      verified.push(item);
      outcomes.set(item.sha256, { ok: true, bytes: streamed.written ? streamed.size : 0 });
    } else if (streamed.written) {
      // Bad bytes never stay: removing them frees the quota they took.
      await deps.blobs.remove([key]);
      outcomes.set(item.sha256, { ok: false, bytes: streamed.size });
    } else {
      outcomes.set(item.sha256, { ok: false, bytes: 0 });
    }
  });
  // Service role: only the server may vouch that stored bytes match their hash (one statement
  // for the page, not one round trip per blob).
  await markStored(deps.db, owner, verified);
  await grantToScope(deps.db, caller, verified.map((blob) => blob.sha256));
  return outcomes;
}

/** Streams `item` into `key`, hashing on the way; a failing source is a {@linkcode SourceError}. */
async function streamInto(
  blobs: BlobStore,
  key: string,
  item: StreamedBlob,
): Promise<{ sha256: string; size: number; written: boolean }> {
  let source: ReadableStream<Uint8Array>;
  try {
    source = await item.open();
  } catch (error) {
    throw new SourceError(error);
  }
  const hash = createSha256();
  let size = 0;
  let failed: unknown;
  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        hash.update(value);
        size += value.byteLength;
        controller.enqueue(value);
      } catch (error) {
        failed = error;
        controller.error(error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  let written: boolean;
  try {
    written = await blobs.putStream(key, body);
  } catch (error) {
    throw failed === undefined ? error : new SourceError(failed);
  }
  if (failed !== undefined) throw new SourceError(failed);
  if (!written) {
    // Someone stored this key meanwhile: judge the object Storage holds, not our partial read.
    await reader.cancel().catch(() => {});
    const digest = await blobs.digest(key);
    return { sha256: digest?.sha256 ?? "", size: digest?.size ?? 0, written: false };
  }
  return { sha256: hash.digestHex(), size, written: true };
}
