/**
 * The periodic jobs Supabase would run with pg_cron, as one service-only operation: release
 * expired upload reservations, prune history beyond each workspace's retention, and collect blobs
 * nothing references (see {@linkcode collectBlobs}) and stray objects. The local stack calls it on
 * a timer; hosted projects schedule the `housekeeping` function (see docs/operations.md).
 *
 * @module
 */
import { errors } from "../../../shared/protocol/errors.ts";
import type { BlobStore } from "../_shared/blobs/blob_store.ts";
import { collectBlobs } from "../_shared/blobs/blob_collect.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import type { Database } from "../_shared/db/db.ts";

/** What one run did. */
export interface HousekeepingReport {
  readonly expiredReservations: number;
  readonly prunedVersions: number;
  readonly collectedBlobs: number;
  readonly strayObjects: number;
  /** Pack objects removed (dead, or after a repack). */
  readonly collectedPacks: number;
  /** Sparse packs whose live blobs moved into a new pack. */
  readonly repackedPacks: number;
  readonly durationMs: number;
}

/** The housekeeping jobs over the functions' database and Storage. */
export class HousekeepingService {
  readonly #db: Database;
  readonly #blobs: BlobStore;

  constructor(deps: { readonly db: Database; readonly blobs: BlobStore }) {
    this.#db = deps.db;
    this.#blobs = deps.blobs;
  }

  /** Runs every job once; `graceSeconds` is how old an unreferenced blob must be to go. */
  async run(caller: Caller, options: { graceSeconds: number }): Promise<HousekeepingReport> {
    if (caller.kind !== "service") throw errors.forbidden("operation", "housekeeping");
    const started = performance.now();
    // Service role throughout: these jobs span every owner by design.
    const { expired, pruned } = await this.#db.asService(async (tx) => {
      const [expiredRow] = await tx<{ n: number }[]>`
        select public.service_expire_reservations() as n`;
      const [prunedRow] = await tx<{ n: number }[]>`select public.service_prune_history() as n`;
      return { expired: Number(expiredRow?.n ?? 0), pruned: Number(prunedRow?.n ?? 0) };
    });
    const collected = await collectBlobs(
      { db: this.#db, blobs: this.#blobs },
      { graceSeconds: options.graceSeconds },
    );
    return {
      expiredReservations: expired,
      prunedVersions: pruned,
      collectedBlobs: collected.blobs,
      strayObjects: collected.strays,
      collectedPacks: collected.packs.packs,
      repackedPacks: collected.packs.repacked,
      durationMs: Math.round(performance.now() - started),
    };
  }
}
