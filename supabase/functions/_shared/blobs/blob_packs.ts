/**
 * Packs (docs/decisions/0014-packs.md): small blobs the server holds in memory rest in one
 * immutable Storage object per batch, `<owner>/packs/<workspace>/<sha256 of the pack>`, holding
 * the blobs of one workspace only. Postgres records where each blob sits
 * (`sandsync.pack_entries`); this module builds a pack, writes it in the order the quota rules ask
 * for (entries recorded, object written, both verified, then `stored`), and finds where a
 * workspace's blobs live.
 *
 * @module
 */
import { sha256Hex } from "../../../../shared/hash.ts";
import { spanHeader } from "../../../../shared/protocol/common.ts";
import type { Database, Tx } from "../db/db.ts";
import type { BlobStore } from "./blob_store.ts";
import type { BlobId } from "./blob_check.ts";

/** The key of a pack: under its owner (quota), apart from blob keys, per workspace. */
export function packKey(ownerId: string, workspaceId: string, sha256: string): string {
  return `${ownerId}/packs/${workspaceId}/${sha256}`;
}

/** Where a blob sits in a pack. */
export interface PackLocation {
  /** The pack object's key. */
  readonly key: string;
  /** First byte of the blob in the pack. */
  readonly offset: number;
  readonly size: number;
}

/** A pack in memory: its bytes, their SHA-256 and its entries. */
export interface BuiltPack {
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly entries: readonly (BlobId & { readonly offset: number })[];
}

/**
 * Concatenates the blobs in the order given, each once. A commit gives them in its changes' path
 * order, the order replicas read the journal and the manifest in, so neighbours a replica wants
 * together sit together (one range request); the same request makes the same pack, so a retried
 * commit finds its pack already written.
 */
export function buildPack(items: readonly { sha256: string; bytes: Uint8Array }[]): BuiltPack {
  const unique = [...new Map(items.map((item) => [item.sha256, item])).values()];
  const size = unique.reduce((sum, item) => sum + item.bytes.byteLength, 0);
  const bytes = new Uint8Array(size);
  const entries = [];
  let offset = 0;
  for (const item of unique) {
    bytes.set(item.bytes, offset);
    entries.push({ sha256: item.sha256, size: item.bytes.byteLength, offset });
    offset += item.bytes.byteLength;
  }
  return { bytes, sha256: sha256Hex(bytes), entries };
}

/**
 * Writes `pack` for `workspaceId` of `owner` and marks it and its blobs stored, as the service
 * role. The entries are recorded before the object lands, so its landing settles their blobs'
 * reservations (the storage trigger); the object is the server's own bytes under a key only the
 * server writes, so one that is already there (a retried commit) is the same pack. Empty packs
 * are not written (an empty blob needs no bytes: it is stored as a loose object instead).
 */
export async function storePack(
  deps: { readonly db: Database; readonly blobs: BlobStore },
  input: { readonly owner: string; readonly workspaceId: string; readonly pack: BuiltPack },
): Promise<void> {
  const { owner, workspaceId, pack } = input;
  if (pack.bytes.byteLength === 0) return;
  const entries = pack.entries.map(({ sha256, size, offset }) => ({ sha256, size, offset }));
  await deps.db.asService((tx) =>
    tx`select public.service_begin_pack(${owner}, ${workspaceId}, ${pack.sha256},
      ${pack.bytes.byteLength}, ${tx.json(entries)})`
  );
  await deps.blobs.put(packKey(owner, workspaceId, pack.sha256), pack.bytes);
  await deps.db.asService((tx) =>
    tx`select public.service_finish_pack(${workspaceId}, ${pack.sha256})`
  );
}

/**
 * Where `workspaceId` can read each of `sha256s` from a stored pack (blobs with no such entry are
 * absent from the map: loose, or not readable there). Runs in the given transaction, whoever it
 * belongs to (RLS lets owners read their own packs).
 */
export async function locateBlobs(
  tx: Tx,
  workspaceId: string,
  sha256s: readonly string[],
): Promise<Map<string, PackLocation>> {
  const found = new Map<string, PackLocation>();
  if (sha256s.length === 0) return found;
  const rows = await tx<{ sha256: string; key: string; offset: string; size: string }[]>`
    select distinct on (e.sha256) e.sha256, p.storage_key as key, e.pack_offset as offset, e.size
    from sandsync.pack_entries as e
    join sandsync.packs as p on p.workspace_id = e.workspace_id and p.sha256 = e.pack_sha256
    join sandsync.blobs as b on b.owner_id = e.owner_id and b.sha256 = e.sha256
    where e.workspace_id = ${workspaceId} and e.sha256 = any(${[...new Set(sha256s)]}::text[])
      and p.state = 'stored' and b.state = 'stored'
    order by e.sha256, p.stored_at desc, p.sha256`;
  for (const row of rows) {
    found.set(row.sha256, { key: row.key, offset: Number(row.offset), size: Number(row.size) });
  }
  return found;
}

/** The HTTP `Range` header for a location (`spanHeader` of the shared protocol). */
export function rangeHeader(location: { readonly offset: number; readonly size: number }): string {
  return spanHeader({ offset: location.offset, length: location.size });
}
