/**
 * Bytes the server holds in memory (inline files of a sync commit, the body of a files PUT) become
 * committable blobs here, in the order the quota rules ask for
 * (docs/decisions/0007-quota-by-trigger.md): reserve quota for the owner (`blob_reserve.ts`: all or
 * nothing, `quota_exceeded` leaves no reservation and no blob row), write each object Storage lacks
 * under its content-addressed key, then mark the blobs `stored` as the service role
 * (`blob_check.ts`), which only the server may do because only it has hashed the bytes. A later
 * `commit_changes` may then reference them.
 *
 * @module
 */
import { sha256Hex } from "../../../../shared/hash.ts";
import { blobKey, type BlobStore } from "./blob_store.ts";
import type { Caller } from "../edge/caller.ts";
import type { Database } from "../db/db.ts";
import { mapPool } from "../../../../shared/pool.ts";
import { grantToScope, keepIfValid, markStored } from "./blob_check.ts";
import { reserveBlobs } from "./blob_reserve.ts";
import { buildPack, locateBlobs, storePack } from "./blob_packs.ts";
import { MAX_INLINE_FILE_BYTES } from "../../../../shared/protocol/sync.ts";

/** Bytes and the SHA-256 the server computed over them (never a client's claim). */
export interface HashedBytes {
  readonly sha256: string;
  readonly bytes: Uint8Array;
}

/** What {@linkcode ingestBlobs} needs. */
export interface BlobIngestDeps {
  readonly db: Database;
  readonly blobs: BlobStore;
}

/** What {@linkcode ingestBlobs} stores, and for whom. */
export interface BlobIngest {
  /** Who reserves the quota (the service role reserves on the owner's behalf). */
  readonly caller: Caller;
  /** The owner whose prefix and quota hold the blobs. */
  readonly owner: string;
  readonly items: readonly HashedBytes[];
  /**
   * The workspace the bytes are for. With it, small blobs (non-empty, at most
   * {@linkcode MAX_INLINE_FILE_BYTES}) rest in one pack of that workspace (`blob_packs.ts`)
   * instead of an object each; blobs the workspace already has in a stored pack are skipped.
   */
  readonly workspaceId?: string;
}

/**
 * Reserves quota for the items as the caller, stores each blob Storage lacks under the owner's
 * prefix and marks all of them stored; answers the SHA-256 of the blobs whose bytes it wrote
 * (into a pack or an object of their own).
 *
 * An object already in Storage but not yet vouched for (a client's signed upload that was never
 * committed) is hashed first and replaced when its bytes differ, so marking it stored is true.
 */
export async function ingestBlobs(deps: BlobIngestDeps, input: BlobIngest): Promise<Set<string>> {
  const { caller, owner, workspaceId } = input;
  const all = [...new Map(input.items.map((item) => [item.sha256, item])).values()];
  const written = new Set<string>();
  if (all.length === 0) return written;
  // Bytes the workspace already reads from one of its packs need no second copy.
  const located = workspaceId === undefined
    ? new Map()
    : await deps.db.asService((tx) => locateBlobs(tx, workspaceId, all.map((item) => item.sha256)));
  const unique = all.filter((item) => !located.has(item.sha256));
  const wanted = unique.map(({ sha256, bytes }) => ({ sha256, size: bytes.byteLength }));
  const reserved = await deps.db.asCaller(
    caller,
    (tx) => reserveBlobs(tx, { caller, owner, wanted }),
  );
  const packable = (item: HashedBytes) =>
    workspaceId !== undefined && item.bytes.byteLength > 0 &&
    item.bytes.byteLength <= MAX_INLINE_FILE_BYTES;
  // A loose object the server verified serves every workspace of the owner: nothing to write.
  const loose = (item: HashedBytes) => {
    const blob = reserved.get(item.sha256);
    return blob?.status !== "reserved" && blob?.state === "stored" && !blob.packed;
  };
  const packed = unique.filter((item) => packable(item) && !loose(item));
  const inPack = new Set(packed);
  const single = unique.filter((item) => !inPack.has(item));
  await mapPool(single, STORE_CONCURRENCY, async ({ sha256, bytes }) => {
    const key = blobKey(owner, sha256);
    const blob = reserved.get(sha256);
    if (blob?.status !== "reserved") {
      if (blob?.state === "stored" && !blob.packed) return;
      if ((await keepIfValid(deps.blobs, key, { sha256, size: bytes.byteLength })).valid) return;
    }
    await deps.blobs.put(key, bytes);
    written.add(sha256);
  });
  await markStored(
    deps.db,
    owner,
    single.map(({ sha256, bytes }) => ({ sha256, size: bytes.byteLength })),
  );
  if (packed.length > 0 && workspaceId !== undefined) {
    await storePack(deps, { owner, workspaceId, pack: buildPack(packed) });
    for (const item of packed) written.add(item.sha256);
  }
  await grantToScope(deps.db, caller, all.map((item) => item.sha256));
  return written;
}

/**
 * Stores bytes the server made itself (merged or uploaded resolution content) as one blob of
 * `ownerId`, reserving quota as `caller`; `quota_exceeded` before any byte is written.
 */
export async function ingestBytes(
  deps: BlobIngestDeps,
  caller: Caller,
  options: { readonly ownerId: string; readonly bytes: Uint8Array },
): Promise<{ sha256: string; size: number }> {
  const sha256 = sha256Hex(options.bytes);
  await ingestBlobs(deps, {
    caller,
    owner: options.ownerId,
    items: [{ sha256, bytes: options.bytes }],
  });
  return { sha256, size: options.bytes.byteLength };
}

/** Storage writes in flight per ingest: many small files, few connections. */
const STORE_CONCURRENCY = 8;
