/**
 * The one quota reservation before bytes move (docs/decisions/0007-quota-by-trigger.md), for a
 * client about to upload (the sync function's negotiate) and for the server about to store bytes
 * itself (inline and server-made bytes, `blob_ingest.ts`; bytes streamed from a sandbox, the
 * bridge): all or nothing (`quota_exceeded` leaves no reservation and no blob row), as the caller
 * (the service role reserves on the owner's behalf), together with each blob row's state as the
 * caller sees it, so callers can tell verified bytes (`stored`) and bytes about to be removed
 * (`collecting`) from the rest.
 *
 * @module
 */
import type { Caller } from "../edge/caller.ts";
import type { Tx } from "../db/db.ts";
import type { BlobId } from "./blob_check.ts";

/**
 * What a reservation says of a blob: its object is in Storage (`present`), quota was reserved for
 * it (`reserved`), or, for a caller confined to one workspace, it is not readable there and the
 * answer hides whether the owner has it (`staged`: the server looks for itself).
 */
export type BlobStatus = "present" | "reserved" | "staged";

/** A blob row's state (`sandsync.blobs.state`). */
export type BlobState = "pending" | "stored" | "collecting";

/** One blob of a reservation. */
export interface ReservedBlob extends BlobId {
  /** What `reserve_quota` answered. */
  readonly status: BlobStatus;
  /** The blob row's state as the caller sees it; `null` when it sees none. */
  readonly state: BlobState | null;
  /** The blob's bytes live only in packs (`sandsync.blobs.packed`): no object of its own. */
  readonly packed: boolean;
}

interface Reservation {
  items: { sha256: string; size: number; status: BlobStatus }[];
}

/**
 * In the caller's transaction: reserves quota for `owner`'s blobs `wanted` (all or nothing,
 * `quota_exceeded` otherwise; the service role reserves on the owner's behalf) and reads their
 * rows' states. The answer is keyed by SHA-256, in the order the reservation answered; nothing
 * is asked for an empty `wanted`.
 */
export async function reserveBlobs(
  tx: Tx,
  input: {
    readonly caller: Caller;
    readonly owner: string;
    readonly wanted: readonly BlobId[];
  },
): Promise<Map<string, ReservedBlob>> {
  const { caller, owner } = input;
  const reserved = new Map<string, ReservedBlob>();
  if (input.wanted.length === 0) return reserved;
  const wanted = input.wanted.map(({ sha256, size }) => ({ sha256, size }));
  const [row] = await tx<{ result: Reservation }[]>`
    select ${
    caller.kind === "service"
      ? tx`public.service_reserve_quota(${owner}, ${tx.json(wanted)})`
      : tx`public.reserve_quota(${tx.json(wanted)})`
  } as result`;
  const rows = await tx<{ sha256: string; state: BlobState; packed: boolean }[]>`
    select sha256, state, packed from sandsync.blobs
    where owner_id = ${owner} and sha256 = any(${wanted.map((item) => item.sha256)})`;
  const blobs = new Map(rows.map((blob) => [blob.sha256, blob]));
  for (const item of row?.result.items ?? []) {
    const { sha256, size, status } = item;
    const blob = blobs.get(sha256);
    reserved.set(sha256, {
      sha256,
      size,
      status,
      state: blob?.state ?? null,
      packed: blob?.packed ?? false,
    });
  }
  return reserved;
}

/**
 * What to tell a client that uploads the bytes itself: a `collecting` blob's object is about to
 * be removed, so it counts as absent and the client uploads afresh.
 */
export function uploadStatus(blob: ReservedBlob): BlobStatus {
  return blob.status === "present" && blob.state === "collecting" ? "reserved" : blob.status;
}
