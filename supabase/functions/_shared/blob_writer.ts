/**
 * Bytes the server makes itself (merged or uploaded resolution content) stored as a blob the way
 * inline uploads are: quota reserved first (so they count against concurrent uploads), bytes
 * written under their content-addressed key, then marked stored by the service, which has just
 * hashed them. Kept apart from the sync service's inline path on purpose: this module holds only
 * what conflict resolution needs.
 *
 * @module
 */
import { sha256Hex } from "../../../shared/hash.ts";
import { blobKey, type BlobStore } from "./blob_store.ts";
import type { Caller } from "./caller.ts";
import type { Database } from "./db.ts";

/** A stored blob's identity. */
export interface StoredBlob {
  readonly sha256: string;
  readonly size: number;
}

/**
 * Stores `bytes` as a blob of `owner`, reserving quota as `caller` (the service role reserves on
 * the owner's behalf). Throws `quota_exceeded` before any byte is written when they do not fit.
 */
export async function storeServerBlob(
  deps: { readonly db: Database; readonly blobs: BlobStore },
  caller: Caller,
  options: { readonly ownerId: string; readonly bytes: Uint8Array },
): Promise<StoredBlob> {
  const { ownerId, bytes } = options;
  const blob = { sha256: sha256Hex(bytes), size: bytes.byteLength };
  const [row] = await deps.db.asCaller(
    caller,
    (tx) =>
      tx<{ result: { items: { status: "present" | "reserved" }[] } }[]>`
      select ${
        caller.kind === "service"
          ? tx`public.service_reserve_quota(${ownerId}, ${tx.json([blob])})`
          : tx`public.reserve_quota(${tx.json([blob])})`
      } as result`,
  );
  if (row?.result.items[0]?.status !== "present") {
    await deps.blobs.put(blobKey(ownerId, blob.sha256), bytes);
  }
  // Service role: only the server may vouch that stored bytes match their hash.
  await deps.db.asService((tx) =>
    tx`select public.service_mark_blob_stored(${ownerId}, ${blob.sha256}, ${blob.size})`
  );
  return blob;
}
