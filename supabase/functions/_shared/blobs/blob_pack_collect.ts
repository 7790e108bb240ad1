/**
 * Pack housekeeping (docs/decisions/0014-packs.md), through the same `collecting` state as
 * blobs: a pack none of whose blobs a version of its workspace still holds is marked
 * `collecting`, its object removed through Storage (the storage trigger lowers `used_bytes` and
 * forgets the pack's rows); a pack whose live share fell under {@linkcode REPACK_BELOW} has its
 * live blobs written into a new pack first (quota reserved like any upload; skipped, not failed,
 * when the owner lacks the headroom), and is then collected. Until then its dead bytes count
 * against the owner's quota.
 *
 * @module
 */
import { isSyncError } from "../../../../shared/protocol/errors.ts";
import { sha256Hex } from "../../../../shared/hash.ts";
import type { Database } from "../db/db.ts";
import type { BlobStore } from "./blob_store.ts";
import { buildPack, rangeHeader, storePack } from "./blob_packs.ts";
import { reserveBlobs } from "./blob_reserve.ts";
import { SERVICE_CALLER } from "../edge/caller.ts";

/** A pack whose live bytes are less than this share of its size is repacked. */
export const REPACK_BELOW = 0.5;

/** What one pack collection did. */
export interface PackCollectReport {
  /** Pack objects removed. */
  readonly packs: number;
  /** Packs whose live blobs moved into a new pack. */
  readonly repacked: number;
  /** Packs left as they are for want of quota headroom to repack. */
  readonly skipped: number;
}

interface PackRow {
  owner_id: string;
  workspace_id: string;
  sha256: string;
  storage_key: string;
  state: string;
  size: string;
  live_bytes: string;
}

/** Collects dead packs and repacks sparse ones (of one owner when given), past the grace. */
export async function collectPacks(
  deps: { readonly db: Database; readonly blobs: BlobStore },
  options: { readonly graceSeconds: number; readonly ownerId?: string },
): Promise<PackCollectReport> {
  const rows = await deps.db.asService((tx) =>
    tx<PackRow[]>`select * from public.service_pack_usage(
      make_interval(secs => ${options.graceSeconds}), ${options.ownerId ?? null}::uuid)`
  );
  let repacked = 0;
  let skipped = 0;
  const doomed: PackRow[] = [];
  for (const row of rows) {
    const live = Number(row.live_bytes);
    if (row.state === "collecting" || live === 0) doomed.push(row);
    else if (live < Number(row.size) * REPACK_BELOW) {
      if (await repack(deps, row)) {
        repacked++;
        doomed.push(row);
      } else skipped++;
    }
  }
  const keys: string[] = [];
  for (const row of doomed) {
    const [marked] = await deps.db.asService((tx) =>
      tx<{ key: string | null }[]>`
        select public.service_collect_pack(${row.workspace_id}, ${row.sha256}) as key`
    );
    if (marked?.key) keys.push(marked.key);
  }
  if (keys.length > 0) {
    await deps.blobs.remove(keys);
    await deps.db.asService((tx) => tx`select public.service_finish_pack_collect(${keys})`);
  }
  return { packs: keys.length, repacked, skipped };
}

/**
 * Writes the live blobs of `pack` into a new pack of its workspace; `false` when the owner lacks
 * the quota headroom (nothing written) or the old pack's bytes no longer verify.
 */
async function repack(
  deps: { readonly db: Database; readonly blobs: BlobStore },
  pack: PackRow,
): Promise<boolean> {
  const entries = await deps.db.asService((tx) =>
    tx<{ sha256: string; pack_offset: string; size: string }[]>`
      select e.sha256, e.pack_offset, e.size from sandsync.pack_entries as e
      where e.workspace_id = ${pack.workspace_id} and e.pack_sha256 = ${pack.sha256}
        and e.size > 0
        and exists (select 1 from sandsync.versions as v
          where v.workspace_id = e.workspace_id and v.sha256 = e.sha256)`
  );
  const items = [];
  for (const entry of entries) {
    const location = { offset: Number(entry.pack_offset), size: Number(entry.size) };
    const response = await deps.blobs.open(pack.storage_key, rangeHeader(location));
    if (!response) return false;
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (sha256Hex(bytes) !== entry.sha256) return false;
    items.push({ sha256: entry.sha256, bytes });
  }
  if (items.length === 0) return true;
  try {
    const wanted = items.map((item) => ({ sha256: item.sha256, size: item.bytes.byteLength }));
    await deps.db.asService((tx) =>
      reserveBlobs(tx, { caller: SERVICE_CALLER, owner: pack.owner_id, wanted })
    );
  } catch (error) {
    if (isSyncError(error, "quota_exceeded")) return false;
    throw error;
  }
  await storePack(deps, {
    owner: pack.owner_id,
    workspaceId: pack.workspace_id,
    pack: buildPack(items),
  });
  return true;
}
