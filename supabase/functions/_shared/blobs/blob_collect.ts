/**
 * Blob collection, in the three steps of the `collecting` state (see the migration
 * `20261206001200_housekeeping.sql`): mark unreferenced blob rows `collecting` (a commit
 * can no longer reference them, and reservations treat them as absent), remove their objects
 * through Storage (the storage trigger lowers `used_bytes`), then forget the rows that still have
 * no object. Packs are collected and repacked the same way (`blob_pack_collect.ts`). Objects
 * under an owner's prefix that are neither a blob's nor a pack's key are removed too. Every step
 * is per owner when an owner is given, and honours the grace period.
 *
 * @module
 */
import type { BlobStore } from "./blob_store.ts";
import type { Database } from "../db/db.ts";
import { collectPacks, type PackCollectReport } from "./blob_pack_collect.ts";

/** How old an unreferenced blob must be to go, unless housekeeping is told otherwise. */
export const COLLECT_GRACE_SECONDS = 3600;

/** Storage removes at most this many objects per request. */
const REMOVE_BATCH = 500;

/** What one collection removed. */
export interface CollectReport {
  /** Blob rows forgotten (their objects removed). */
  readonly blobs: number;
  /** Loose blob objects removed. */
  readonly objects: number;
  /** Objects removed that were no blob's key. */
  readonly strays: number;
  /** Pack objects removed (dead, or repacked), and packs repacked (blob_pack_collect.ts). */
  readonly packs: PackCollectReport;
}

/**
 * Collects the blobs nothing references (older than the grace), of one owner or of all, and
 * removes stray objects; the service role throughout (garbage collection deletes objects).
 */
export async function collectBlobs(
  deps: { readonly db: Database; readonly blobs: BlobStore },
  options: { readonly graceSeconds: number; readonly ownerId?: string },
): Promise<CollectReport> {
  const owner = options.ownerId ?? null;
  const marked = await deps.db.asService((tx) =>
    tx<{ owner_id: string; sha256: string; storage_key: string; packed: boolean }[]>`
      select c.owner_id, c.sha256, c.storage_key, b.packed
      from public.service_collect_blobs(
        make_interval(secs => ${options.graceSeconds}), ${owner}::uuid) as c
      join sandsync.blobs as b on b.owner_id = c.owner_id and b.sha256 = c.sha256`
  );
  // A packed blob has no object of its own: its bytes go with its pack (below).
  const loose = marked.filter((row) => !row.packed).map((row) => row.storage_key);
  await removeAll(deps.blobs, loose);
  const byOwner = new Map<string, string[]>();
  for (const row of marked) {
    byOwner.set(row.owner_id, [...byOwner.get(row.owner_id) ?? [], row.sha256]);
  }
  let blobs = 0;
  for (const [ownerId, hashes] of byOwner) {
    const [row] = await deps.db.asService((tx) =>
      tx<{ n: number }[]>`select public.service_finish_collect(${ownerId}, ${hashes}) as n`
    );
    blobs += Number(row?.n ?? 0);
  }
  const packs = await collectPacks(deps, options);
  const strays = await deps.db.asService((tx) =>
    tx<{ name: string }[]>`
      select name from public.service_stray_objects(
        make_interval(secs => ${options.graceSeconds}), ${owner}::uuid)`
  );
  await removeAll(deps.blobs, strays.map((row) => row.name));
  return { blobs, objects: loose.length, strays: strays.length, packs };
}

async function removeAll(blobs: BlobStore, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += REMOVE_BATCH) {
    await blobs.remove(keys.slice(i, i + REMOVE_BATCH));
  }
}
