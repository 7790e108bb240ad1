/**
 * Where a workspace's blob rests in Storage, for tests that look at objects themselves: a stored
 * pack of the workspace (its key and the blob's span) or the blob's own loose key.
 *
 * @module
 */
import type { Sql } from "postgres";
import { sha256Hex } from "../../shared/hash.ts";
import type { BlobStore } from "../../supabase/functions/_shared/blobs/blob_store.ts";

/** The object holding a blob, and the blob's span in it when it is a pack. */
export interface BlobObject {
  readonly key: string;
  readonly span?: { readonly offset: number; readonly size: number };
}

/** The object holding `sha256` for `workspaceId` (a pack first, else the loose key). */
export async function blobObject(
  sql: Sql,
  where: { readonly workspaceId: string; readonly owner: string; readonly sha256: string },
): Promise<BlobObject> {
  const [packed] = await sql<{ key: string; offset: string; size: string }[]>`
    select p.storage_key as key, e.pack_offset as offset, e.size
    from sandsync.pack_entries as e
    join sandsync.packs as p on p.workspace_id = e.workspace_id and p.sha256 = e.pack_sha256
    where e.workspace_id = ${where.workspaceId} and e.sha256 = ${where.sha256}
      and p.state = 'stored'
    limit 1`;
  if (packed) {
    return { key: packed.key, span: { offset: Number(packed.offset), size: Number(packed.size) } };
  }
  return { key: `${where.owner}/${where.sha256.slice(0, 2)}/${where.sha256}` };
}

/** What the stored bytes of a workspace's blob hash to; `undefined` when they are gone. */
export async function blobDigest(
  sql: Sql,
  store: BlobStore,
  where: { readonly workspaceId: string; readonly owner: string; readonly sha256: string },
): Promise<{ sha256: string; size: number } | undefined> {
  const object = await blobObject(sql, where);
  if (!object.span) return await store.digest(object.key);
  const { offset, size } = object.span;
  const response = await store.open(object.key, `bytes=${offset}-${offset + size - 1}`);
  if (!response) return undefined;
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { sha256: sha256Hex(bytes), size: bytes.byteLength };
}
