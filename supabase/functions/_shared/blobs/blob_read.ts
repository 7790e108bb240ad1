/**
 * Reading a workspace's blob bytes wherever they rest (docs/decisions/0014-packs.md): a stored pack
 * of that workspace (a `Range` of the pack object) or the blob's own loose object (large files,
 * and every blob written before packs). The one place the server decides where bytes are read.
 *
 * @module
 */
import type { Database } from "../db/db.ts";
import { blobKey, type BlobStore } from "./blob_store.ts";
import { locateBlobs, type PackLocation, rangeHeader } from "./blob_packs.ts";

/** What reading needs. */
export interface BlobReadDeps {
  readonly db: Database;
  readonly blobs: BlobStore;
}

/** One blob of one workspace. */
export interface WorkspaceBlob {
  readonly owner: string;
  readonly workspaceId: string;
  readonly sha256: string;
}

/** A signed download of one blob: the URL and, for a packed blob, where in the pack it sits. */
export interface SignedBlob {
  readonly url: string;
  readonly range?: { readonly offset: number; readonly length: number };
}

/**
 * Streams a blob's bytes (optionally bytes `start`..`end` of it, inclusive); `undefined` when
 * neither a pack of the workspace nor a loose object holds it. A packed read answers 206.
 */
export async function openBlob(
  deps: BlobReadDeps,
  blob: WorkspaceBlob,
  range?: { readonly start: number; readonly end: number },
): Promise<Response | undefined> {
  const located = await deps.db.asService((tx) => locateBlobs(tx, blob.workspaceId, [blob.sha256]));
  const place = located.get(blob.sha256);
  if (place === undefined) {
    const key = blobKey(blob.owner, blob.sha256);
    return await deps.blobs.open(key, range ? `bytes=${range.start}-${range.end}` : undefined);
  }
  if (place.size === 0) return new Response(new Uint8Array());
  const inner = range
    ? {
      offset: place.offset + range.start,
      size: Math.min(range.end, place.size - 1) - range.start + 1,
    }
    : place;
  return await deps.blobs.open(place.key, rangeHeader(inner));
}

/**
 * Signed download URLs for the blobs `sha256s` of a workspace, in one Storage call: a packed blob
 * gets its pack's URL and its range, a loose one its own URL; a blob with neither is absent.
 */
export async function signBlobs(
  deps: BlobReadDeps,
  input: {
    readonly owner: string;
    readonly workspaceId: string;
    readonly sha256s: readonly string[];
    readonly expiresInSeconds: number;
  },
): Promise<Map<string, SignedBlob>> {
  const unique = [...new Set(input.sha256s)];
  const signed = new Map<string, SignedBlob>();
  if (unique.length === 0) return signed;
  const located: Map<string, PackLocation> = await deps.db.asService((tx) =>
    locateBlobs(tx, input.workspaceId, unique)
  );
  const keyOf = (sha256: string) => located.get(sha256)?.key ?? blobKey(input.owner, sha256);
  const keys = [...new Set(unique.map(keyOf))];
  const urls = await deps.blobs.signDownloads(keys, input.expiresInSeconds);
  const urlByKey = new Map(keys.map((key, i) => [key, urls[i]]));
  for (const sha256 of unique) {
    const url = urlByKey.get(keyOf(sha256));
    if (url === undefined) continue;
    const place = located.get(sha256);
    signed.set(
      sha256,
      place ? { url, range: { offset: place.offset, length: place.size } } : { url },
    );
  }
  return signed;
}
