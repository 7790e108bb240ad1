/**
 * Verification of uploaded bytes before a commit references them: each new blob's object is
 * hashed where it lies (its blob key, or for an agent token's unreadable blob its staging key,
 * adopted into the blob key: proof of possession), bad bytes are removed (freeing their quota),
 * and good ones are marked stored by the service role, the only role that may vouch for bytes
 * (the checks of `blob_check.ts`, which every path that stores bytes shares).
 *
 * @module
 */
import { agentTokenId, type Caller } from "../edge/caller.ts";
import type { Database } from "../db/db.ts";
import { blobKey, type BlobStore, stagingKey } from "./blob_store.ts";
import { checkObject, grantToScope, markStored } from "./blob_check.ts";
import { adoptStaged } from "./staged_blobs.ts";

/** Verifies and marks stored the blobs a commit needs that the owner does not hold as stored. */
export async function verifyUploadedBlobs(
  deps: { readonly db: Database; readonly blobs: BlobStore },
  options: {
    readonly caller: Caller;
    readonly owner: string;
    readonly needed: readonly { readonly sha256: string; readonly size: number }[];
  },
): Promise<void> {
  const { caller, owner, needed } = options;
  if (needed.length === 0) return;
  const hashes = needed.map((blob) => blob.sha256);
  const known = await deps.db.asCaller(
    caller,
    (tx) =>
      tx<{ sha256: string; size: string; state: string }[]>`
        select sha256, size, state from sandsync.blobs
        where owner_id = ${owner} and sha256 = any(${hashes})`,
  );
  // What a workspace-scoped caller may reuse without sending the bytes (everything else must
  // have been uploaded to its staging key): the database's own rule, sandsync.readable_blob.
  const workspace = caller.workspaceId;
  const readable = workspace === undefined
    ? undefined
    : await deps.db.asService((tx) =>
      tx<{ sha256: string }[]>`
        select h.sha256 from unnest(${hashes}::text[]) as h (sha256)
        where sandsync.readable_blob(${workspace}, ${owner}, h.sha256)`
    );
  const state = new Map(known.map((row) => [row.sha256, row]));
  const mayReuse = readable && new Set(readable.map((row) => row.sha256));
  const tokenId = agentTokenId(caller);
  const staged: string[] = [];
  for (const blob of needed) {
    const row = state.get(blob.sha256);
    if (mayReuse && !mayReuse.has(blob.sha256) && tokenId) {
      // Proof of possession: the staged upload is hashed like any other, then one copy kept.
      const key = stagingKey(owner, tokenId, blob.sha256);
      await checkObject(deps.blobs, key, blob);
      await adoptStaged(deps.blobs, { owner, staged: key, blob, state: row?.state });
      await markStored(deps.db, owner, [blob]);
      staged.push(blob.sha256);
      continue;
    }
    if (row?.state === "stored") continue;
    await checkObject(deps.blobs, blobKey(owner, blob.sha256), blob);
    // Marked one by one: a later blob's failure must not undo what this one proved.
    await markStored(deps.db, owner, [blob]);
  }
  await grantToScope(deps.db, caller, staged);
}
