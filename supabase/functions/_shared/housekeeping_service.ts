/**
 * The periodic jobs Supabase would run with pg_cron, as one service-only operation: release
 * expired upload reservations, prune history beyond each workspace's retention, and collect blobs
 * nothing references (their rows go in SQL; their objects are removed through Storage, so the
 * storage trigger moves the owners' `used_bytes`). The local stack calls it on a timer; hosted
 * projects schedule the `housekeeping` function (see docs/operations.md).
 *
 * @module
 */
import { errors } from "../../../shared/errors.ts";
import type { BlobStore } from "./blob_store.ts";
import type { Caller } from "./caller.ts";
import type { Database } from "./db.ts";

/** What one run did. */
export interface HousekeepingReport {
  readonly expiredReservations: number;
  readonly prunedVersions: number;
  readonly collectedBlobs: number;
  readonly durationMs: number;
}

/** Storage removes at most this many objects per request. */
const REMOVE_BATCH = 500;

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
    const { expired, pruned, keys } = await this.#db.asService(async (tx) => {
      const [expiredRow] = await tx<{ n: number }[]>`
        select public.service_expire_reservations() as n`;
      const [prunedRow] = await tx<{ n: number }[]>`select public.service_prune_history() as n`;
      const collected = await tx<{ storage_key: string }[]>`
        select storage_key from public.service_collect_blobs(
          make_interval(secs => ${options.graceSeconds}))`;
      return {
        expired: Number(expiredRow?.n ?? 0),
        pruned: Number(prunedRow?.n ?? 0),
        keys: collected.map((row) => row.storage_key),
      };
    });
    for (let i = 0; i < keys.length; i += REMOVE_BATCH) {
      await this.#blobs.remove(keys.slice(i, i + REMOVE_BATCH));
    }
    return {
      expiredReservations: expired,
      prunedVersions: pruned,
      collectedBlobs: keys.length,
      durationMs: Math.round(performance.now() - started),
    };
  }
}
