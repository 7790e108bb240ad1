/**
 * The one check of stored bytes against their blob, and the one way to vouch for them: every
 * path that puts bytes into Storage (inline and server-made bytes, `blob_ingest.ts`; uploads a
 * commit references, `blob_verify.ts`; staged uploads, `staged_blobs.ts`; bytes streamed from a
 * sandbox, the bridge) hashes the object where it lies, compares (SHA-256, size) with what the
 * blob says, removes bad bytes at once (freeing their quota and letting the bytes be sent
 * again), and marks good ones `stored` as the service role, the only role that may vouch for
 * bytes because only the server has hashed them.
 *
 * @module
 */
import { errors } from "../../../../shared/protocol/errors.ts";
import type { Caller } from "../edge/caller.ts";
import type { Database } from "../db/db.ts";
import type { BlobDigest, BlobStore } from "./blob_store.ts";

/** What a blob is: its SHA-256 and size in bytes. */
export interface BlobId {
  readonly sha256: string;
  readonly size: number;
}

/** True when `digest` (what bytes hashed to; `undefined`/`null` for none) is exactly `blob`. */
export function sameBlob(digest: BlobDigest | null | undefined, blob: BlobId): boolean {
  return digest?.sha256 === blob.sha256 && digest.size === blob.size;
}

/**
 * Hashes the object at `key`: `true` when it holds exactly `blob`; otherwise a wrong object is
 * removed (bad bytes never stay) and `found` says whether there was one.
 */
export async function keepIfValid(
  blobs: BlobStore,
  key: string,
  blob: BlobId,
): Promise<{ readonly valid: boolean; readonly found: BlobDigest | undefined }> {
  const digest = await blobs.digest(key);
  if (sameBlob(digest, blob)) return { valid: true, found: digest };
  if (digest) await blobs.remove([key]);
  return { valid: false, found: digest };
}

/**
 * {@linkcode keepIfValid} for bytes a client claims to have uploaded: `blob_missing` when there
 * is no object, `hash_mismatch` (and the object removed) when it holds other bytes.
 */
export async function checkObject(blobs: BlobStore, key: string, blob: BlobId): Promise<void> {
  const { valid, found } = await keepIfValid(blobs, key, blob);
  if (valid) return;
  if (!found) throw errors.blobMissing(blob.sha256);
  throw errors.hashMismatch(
    blob.sha256,
    `${blob.sha256} (${blob.size} bytes)`,
    `${found.sha256} (${found.size} bytes)`,
  );
}

/**
 * Marks the blobs of `owner` stored, as the service role (the server vouches for bytes it has
 * just hashed), in one statement however many there are (a commit may carry a thousand files).
 */
export async function markStored(
  db: Database,
  owner: string,
  items: readonly BlobId[],
): Promise<void> {
  if (items.length === 0) return;
  await db.asService((tx) =>
    tx`select public.service_mark_blob_stored(${owner}, b.sha256, b.size)
      from unnest(${items.map((item) => item.sha256)}::text[],
        ${items.map((item) => item.size)}::bigint[]) as b (sha256, size)`
  );
}

/**
 * A caller confined to one workspace (an agent token) that sent bytes the server hashed may
 * reuse them from then on: the blobs are granted to its workspace (proof of possession).
 */
export async function grantToScope(
  db: Database,
  caller: Caller,
  hashes: readonly string[],
): Promise<void> {
  if (caller.workspaceId === undefined || hashes.length === 0) return;
  await db.asService((tx) =>
    tx`select public.service_grant_blobs(${caller.workspaceId!}, ${[...hashes]}::text[])`
  );
}
