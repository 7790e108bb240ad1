/**
 * Staged blobs: bytes a caller confined to one workspace (an agent token) sent for a blob its
 * workspace could not read yet. They went to a staging key (`stagingKey`), whether or not the
 * owner already had the blob, so that no answer tells existing content from new; once the server
 * has hashed them (proof of possession), one copy is kept under the blob's own key.
 *
 * @module
 */
import { errors } from "../../../../shared/protocol/errors.ts";
import { blobKey, type BlobStore } from "./blob_store.ts";
import { type BlobId, keepIfValid } from "./blob_check.ts";

/**
 * Keeps one copy of a staged blob whose bytes were verified: the staged object becomes the blob
 * (moved to its key), or is removed when the blob's key already holds the right bytes. An object
 * at the blob's key that nobody vouched for and that holds other bytes is replaced.
 */
export async function adoptStaged(
  blobs: BlobStore,
  options: {
    readonly owner: string;
    readonly staged: string;
    readonly blob: BlobId;
    /** The blob row's state, when there is one (`stored`: its object is known good). */
    readonly state: string | undefined;
  },
): Promise<void> {
  const { owner, staged, blob } = options;
  const key = blobKey(owner, blob.sha256);
  if (options.state !== "stored") {
    if (await blobs.move(staged, key)) return;
    if (!(await keepIfValid(blobs, key, blob)).valid) {
      if (await blobs.move(staged, key)) return;
      throw errors.blobMissing(blob.sha256);
    }
  }
  await blobs.remove([staged]);
}
