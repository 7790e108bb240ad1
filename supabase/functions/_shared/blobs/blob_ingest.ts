/**
 * Bytes the server holds in memory (inline files of a sync commit, the body of a files PUT)
 * become committable blobs here, in the order the quota rules ask for (DESIGN decision 7):
 * reserve quota for the owner (all or nothing: `quota_exceeded` leaves no reservation and no
 * blob row), write each object Storage lacks under its content-addressed key, then mark the
 * blobs `stored` as the service role, which only the server may do because only it has hashed
 * the bytes. A later `commit_changes` may then reference them.
 *
 * @module
 */
import { sha256Hex } from "../../../../shared/hash.ts";
import { blobKey, type BlobStore } from "./blob_store.ts";
import type { Caller } from "../edge/caller.ts";
import type { Database, Tx } from "../db/db.ts";
import { forEachLimit } from "./for_each_limit.ts";

/** Bytes and the SHA-256 the server computed over them (never a client's claim). */
export interface HashedBytes {
  readonly sha256: string;
  readonly bytes: Uint8Array;
}

/** What {@linkcode ingestBlobs} needs. */
export interface BlobIngestDeps {
  readonly db: Database;
  readonly blobs: BlobStore;
}

/** What {@linkcode ingestBlobs} stores, and for whom. */
export interface BlobIngest {
  /** Who reserves the quota (the service role reserves on the owner's behalf). */
  readonly caller: Caller;
  /** The owner whose prefix and quota hold the blobs. */
  readonly owner: string;
  readonly items: readonly HashedBytes[];
}

/**
 * What a reservation says of a blob: its object is in Storage (`present`), quota was reserved for
 * it (`reserved`), or, for a caller confined to one workspace, it is not readable there and the
 * answer hides whether the owner has it (`staged`: the server looks for itself).
 */
export type BlobStatus = "present" | "reserved" | "staged";

interface Reservation {
  items: { sha256: string; status: BlobStatus }[];
}

/**
 * In the caller's transaction: reserves quota for the blobs (all or nothing, `quota_exceeded`
 * otherwise; the service role reserves on the owner's behalf) and says which are already in
 * Storage (`present`) and which of those the server has verified (`stored`).
 */
export async function reserveBlobs(
  tx: Tx,
  input: {
    readonly caller: Caller;
    readonly owner: string;
    readonly wanted: readonly { readonly sha256: string; readonly size: number }[];
  },
): Promise<{ status: Map<string, BlobStatus>; stored: Set<string> }> {
  const { caller, owner } = input;
  const wanted = input.wanted.map(({ sha256, size }) => ({ sha256, size }));
  const [row] = await tx<{ result: Reservation }[]>`
    select ${
    caller.kind === "service"
      ? tx`public.service_reserve_quota(${owner}, ${tx.json(wanted)})`
      : tx`public.reserve_quota(${tx.json(wanted)})`
  } as result`;
  const verified = await tx<{ sha256: string }[]>`
    select sha256 from sandsync.blobs
    where owner_id = ${owner} and state = 'stored'
      and sha256 = any(${wanted.map((item) => item.sha256)})`;
  return {
    status: new Map((row?.result.items ?? []).map((item) => [item.sha256, item.status])),
    stored: new Set(verified.map((blob) => blob.sha256)),
  };
}

/**
 * Reserves quota for the items as the caller, stores each blob Storage lacks under the owner's
 * prefix and marks all of them stored.
 *
 * An object already in Storage but not yet vouched for (a client's signed upload that was never
 * committed) is hashed first and replaced when its bytes differ, so marking it stored is true.
 */
export async function ingestBlobs(deps: BlobIngestDeps, input: BlobIngest): Promise<void> {
  const { caller, owner, items } = input;
  const unique = [...new Map(items.map((item) => [item.sha256, item])).values()];
  if (unique.length === 0) return;
  const wanted = unique.map(({ sha256, bytes }) => ({ sha256, size: bytes.byteLength }));
  const { status, stored } = await deps.db.asCaller(
    caller,
    (tx) => reserveBlobs(tx, { caller, owner, wanted }),
  );
  await forEachLimit(unique, STORE_CONCURRENCY, async ({ sha256, bytes }) => {
    const key = blobKey(owner, sha256);
    if (status.get(sha256) !== "reserved") {
      if (stored.has(sha256)) return;
      const digest = await deps.blobs.digest(key);
      if (digest?.sha256 === sha256 && digest.size === bytes.byteLength) return;
      if (digest) await deps.blobs.remove([key]);
    }
    await deps.blobs.put(key, bytes);
  });
  // Service role: only the server may vouch that stored bytes match their hash. One statement
  // for the whole batch (a commit may carry a thousand small files).
  await deps.db.asService((tx) =>
    tx`select public.service_mark_blob_stored(${owner}, b.sha256, b.size)
      from unnest(${unique.map((item) => item.sha256)}::text[],
        ${unique.map((item) => item.bytes.byteLength)}::bigint[]) as b(sha256, size)`
  );
  await grantToScope(deps.db, caller, unique.map((item) => item.sha256));
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

/**
 * Stores bytes the server made itself (merged or uploaded resolution content) as one blob of
 * `ownerId`, reserving quota as `caller`; `quota_exceeded` before any byte is written.
 */
export async function ingestBytes(
  deps: BlobIngestDeps,
  caller: Caller,
  options: { readonly ownerId: string; readonly bytes: Uint8Array },
): Promise<{ sha256: string; size: number }> {
  const sha256 = sha256Hex(options.bytes);
  await ingestBlobs(deps, {
    caller,
    owner: options.ownerId,
    items: [{ sha256, bytes: options.bytes }],
  });
  return { sha256, size: options.bytes.byteLength };
}

/** Storage writes in flight per ingest: many small files, few connections. */
const STORE_CONCURRENCY = 8;
