/**
 * How a client should move each new blob into Storage
 * (docs/decisions/0003-bytes-bypass-functions.md): small files inline in the commit, medium ones
 * with a signed upload URL, large ones resumably over TUS.
 *
 * @module
 */
import { MAX_INLINE_FILE_BYTES, type UploadInstruction } from "../../../shared/protocol/sync.ts";
import type { BlobStore } from "../_shared/blobs/blob_store.ts";
import { blobKey, SYNC_BUCKET } from "../_shared/blobs/blob_store.ts";
import { mapPool } from "../../../shared/pool.ts";

/** Files at or above this size use TUS (Supabase recommends resumable above 6 MB). */
export const RESUMABLE_THRESHOLD = 6 * 1024 * 1024;
/** Supabase's TUS chunk size: 6 MiB, required by hosted Storage. */
export const TUS_CHUNK_SIZE = 6 * 1024 * 1024;

/** One blob the client must upload, and how (the shape is shared with clients). */
export type { UploadInstruction };

/** Plans uploads for blobs Storage lacks; signs URLs with bounded concurrency. */
export async function planUploads(
  blobs: BlobStore,
  options: { readonly ownerId: string; readonly storageUrl: string },
  missing: readonly {
    readonly sha256: string;
    readonly size: number;
    /** Where to upload, when not the blob's own key (a staging key). */
    readonly key?: string | undefined;
  }[],
): Promise<UploadInstruction[]> {
  return await mapPool(missing, SIGN_CONCURRENCY, async ({ sha256, size, key: staging }) => {
    if (size <= MAX_INLINE_FILE_BYTES) return { sha256, size, method: "inline" };
    const key = staging ?? blobKey(options.ownerId, sha256);
    const ticket = await blobs.signUpload(key);
    return size >= RESUMABLE_THRESHOLD
      ? {
        sha256,
        size,
        method: "tus",
        key,
        // The signed route: the token in `x-signature` authorises this one object.
        endpoint: `${options.storageUrl}/storage/v1/upload/resumable/sign`,
        bucket: SYNC_BUCKET,
        signature: ticket.token,
        chunkSize: TUS_CHUNK_SIZE,
      }
      : { sha256, size, method: "signed_url", key, url: ticket.signedUrl };
  });
}

/** Upload URLs signed at once. */
const SIGN_CONCURRENCY = 8;
