/**
 * Storage quota as the API shows it: the caller's limit, used, reserved and available bytes with
 * the logical size of each workspace (`public.quota_usage`), and for the service role the
 * consistency check of the counters against what Storage holds (`service_recompute_usage`) and
 * per-owner limits (`service_set_quota_limit`).
 *
 * @module
 */
import { errors } from "../../../shared/protocol/errors.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import type { Database } from "../_shared/db/db.ts";
import type {
  OwnerCheck,
  QuotaCheck,
  QuotaLimit,
  QuotaUsage,
} from "../../../shared/protocol/quota.ts";

interface UsageResult {
  owner_id: string;
  limit_bytes: number;
  used_bytes: number;
  reserved_bytes: number;
  workspaces: { workspace_id: string; name: string; logical_bytes: number; files: number }[];
}

interface CheckRow {
  owner_id: string;
  limit_bytes: string;
  used_bytes: string;
  actual_used_bytes: string;
  reserved_bytes: string;
  actual_reserved_bytes: string;
  consistent: boolean;
}

interface QuotaRow {
  owner_id: string;
  limit_bytes: string | null;
  used_bytes: string;
  reserved_bytes: string;
}

/** Quota reads and the service's quota administration. */
export class QuotaService {
  readonly #db: Database;

  constructor(deps: { readonly db: Database }) {
    this.#db = deps.db;
  }

  /** The caller's usage; an agent token sees only its own workspace in the list. */
  async usage(caller: Caller): Promise<QuotaUsage> {
    if (caller.kind === "service") {
      throw errors.badRequest("the service role has no quota of its own: use GET /quota/check");
    }
    const [row] = await this.#db.asCaller(
      caller,
      (tx) => tx<{ result: UsageResult }[]>`select public.quota_usage() as result`,
    );
    const usage = row!.result;
    const [limit, used, reserved] = [usage.limit_bytes, usage.used_bytes, usage.reserved_bytes]
      .map(Number) as [number, number, number];
    const totals = caller.kind === "agent" ? {} : {
      usedBytes: used,
      reservedBytes: reserved,
      availableBytes: Math.max(0, limit - used - reserved),
    };
    return {
      ownerId: usage.owner_id,
      limitBytes: limit,
      ...totals,
      workspaces: usage.workspaces
        .filter((w) => caller.workspaceId === undefined || w.workspace_id === caller.workspaceId)
        .map((w) => ({
          workspaceId: w.workspace_id,
          name: w.name,
          logicalBytes: Number(w.logical_bytes),
          files: Number(w.files),
        })),
    };
  }

  /** Service only: counters vs recomputed usage, for one owner or all. */
  async check(
    caller: Caller,
    query: { readonly ownerId?: string | undefined },
  ): Promise<QuotaCheck> {
    assertService(caller, "quota check");
    const rows = await this.#db.asService((tx) =>
      tx<CheckRow[]>`select * from public.service_recompute_usage(${query.ownerId ?? null}, false)`
    );
    const owners = rows.map((row): OwnerCheck => ({
      ownerId: row.owner_id,
      limitBytes: Number(row.limit_bytes),
      usedBytes: Number(row.used_bytes),
      actualUsedBytes: Number(row.actual_used_bytes),
      reservedBytes: Number(row.reserved_bytes),
      actualReservedBytes: Number(row.actual_reserved_bytes),
      consistent: row.consistent,
    }));
    return { consistent: owners.every((owner) => owner.consistent), owners };
  }

  /** Service only: sets an owner's limit (`null`: back to the default). */
  async setLimit(caller: Caller, ownerId: string, limitBytes: number | null): Promise<QuotaLimit> {
    assertService(caller, "set quota limit");
    const [row] = await this.#db.asService(async (tx) => {
      await tx`select public.service_set_quota_limit(${ownerId}, ${limitBytes})`;
      return tx<(QuotaRow & { effective_limit: string })[]>`
        select owner_id, limit_bytes, used_bytes, reserved_bytes,
          sandsync.effective_limit(limit_bytes) as effective_limit
        from sandsync.quotas where owner_id = ${ownerId}`;
    });
    return {
      ownerId: row!.owner_id,
      limitBytes: row!.limit_bytes === null ? null : Number(row!.limit_bytes),
      effectiveLimitBytes: Number(row!.effective_limit),
      usedBytes: Number(row!.used_bytes),
      reservedBytes: Number(row!.reserved_bytes),
    };
  }
}

function assertService(caller: Caller, operation: string): void {
  if (caller.kind !== "service") throw errors.forbidden("operation", operation);
}
