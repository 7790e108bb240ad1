/**
 * Fetching a page's packed blobs ahead of applying it (docs/decisions/0014-packs.md): the
 * entries are cut into batches of bounded bytes, and the packed blobs of a batch that this
 * replica has not applied yet are fetched with a few coalesced range requests
 * (`client/pack_download.ts`), verified, in memory. Applying then writes them from memory; an
 * entry whose prefetch failed is downloaded alone, as before.
 *
 * @module
 */
import { fetchPacked, type PackedBlob } from "../../client/pack_download.ts";
import type { ChangeEntry } from "../../client/types.ts";
import { alreadyApplied } from "./apply.ts";
import type { EngineContext } from "./options.ts";

/** Most packed bytes held in memory at once. */
export const PREFETCH_BYTES = 32 * 1024 * 1024;

/** A batch of entries to apply and the packed blobs to fetch for it first. */
export interface PrefetchBatch {
  readonly entries: readonly ChangeEntry[];
  readonly packed: readonly PackedBlob[];
}

/**
 * Cuts `entries` into batches whose packed blobs to fetch stay within `limit` bytes. A packed
 * blob is fetched only for a live entry this replica has not applied (by its recorded vector):
 * a replica's own commits come back in the feed and need no bytes. A restore (an empty or fresh
 * directory) fetches every packed blob whose recorded bytes differ or are absent.
 */
export function prefetchBatches(
  ctx: Pick<EngineContext, "state">,
  entries: readonly ChangeEntry[],
  options: { readonly restore?: boolean; readonly limit?: number } = {},
): PrefetchBatch[] {
  const limit = options.limit ?? PREFETCH_BYTES;
  const batches: PrefetchBatch[] = [];
  let current: ChangeEntry[] = [];
  let packed: PackedBlob[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const blob = wanted(ctx, entry, options.restore ?? false);
    if (blob && bytes + blob.range.length > limit && current.length > 0) {
      batches.push({ entries: current, packed });
      current = [];
      packed = [];
      bytes = 0;
    }
    current.push(entry);
    if (blob) {
      packed.push(blob);
      bytes += blob.range.length;
    }
  }
  if (current.length > 0) batches.push({ entries: current, packed });
  return batches;
}

function wanted(
  ctx: Pick<EngineContext, "state">,
  entry: ChangeEntry,
  restore: boolean,
): PackedBlob | undefined {
  if (entry.kind !== "file" || entry.deleted || !entry.url || !entry.range || !entry.sha256) {
    return undefined;
  }
  const recorded = ctx.state.get(entry.path);
  const blob = { url: entry.url, range: entry.range, sha256: entry.sha256 };
  // A restore brings back files missing here whatever their vector (their bytes are needed).
  if (restore) return blob;
  if (recorded?.sha256 === entry.sha256) return undefined;
  if (alreadyApplied(entry, recorded, { restore: false, missing: false })) return undefined;
  return blob;
}

/** Fetches the blobs (verified); failures are logged and left to the per-file download. */
export async function prefetchPacked(
  ctx: Pick<EngineContext, "log" | "concurrency">,
  blobs: readonly PackedBlob[],
  signal?: AbortSignal,
): Promise<ReadonlyMap<string, Uint8Array>> {
  if (blobs.length === 0) return new Map();
  const { bytes, failed } = await fetchPacked(blobs, {
    signal,
    concurrency: Math.min(ctx.concurrency ?? 4, 4),
  });
  if (failed.size > 0) {
    const [first] = failed.values();
    ctx.log(
      `${failed.size} packed blob(s) not prefetched (fetched one by one): ${
        first instanceof Error ? first.message : String(first)
      }`,
    );
  }
  return bytes;
}
