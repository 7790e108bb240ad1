/**
 * The quota API (`GET quota`, and for the service role `GET quota/check` and
 * `PUT quota/:ownerId`): queries and bodies as zod schemas, and the answers, defined once.
 *
 * @module
 */
import { z } from "zod";
import { uuidSchema } from "./common.ts";

/** `GET quota/check[?ownerId=]`: one owner, or all. */
export const quotaCheckQuerySchema = z.object({ ownerId: uuidSchema.optional() });

/** `PUT quota/:ownerId`: a limit in bytes, or `null` for the default. */
export const setLimitSchema = z.object({
  limitBytes: z.int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
});

/** A set-limit body. */
export type SetLimitRequest = z.infer<typeof setLimitSchema>;

/** The answer of `GET quota`: the caller's quota. */
export interface QuotaUsage {
  readonly ownerId: string;
  readonly limitBytes: number;
  /**
   * Owner totals: users only. An agent token gets none of them (a total that moves, or not,
   * with a commit would tell whether content existed elsewhere): negotiate says whether a
   * write fits (`quota_exceeded`).
   */
  readonly usedBytes?: number;
  readonly reservedBytes?: number;
  /** `limit - used - reserved`, never below 0: what new uploads may still take. */
  readonly availableBytes?: number;
  readonly workspaces: readonly {
    readonly workspaceId: string;
    readonly name: string;
    /** Sum of the sizes of the current (not deleted) files: what the workspace holds. */
    readonly logicalBytes: number;
    readonly files: number;
  }[];
}

/** One owner's counters next to their recomputed values. */
export interface OwnerCheck {
  readonly ownerId: string;
  readonly limitBytes: number;
  readonly usedBytes: number;
  readonly actualUsedBytes: number;
  readonly reservedBytes: number;
  readonly actualReservedBytes: number;
  readonly consistent: boolean;
}

/** The answer of `GET quota/check`. */
export interface QuotaCheck {
  readonly consistent: boolean;
  readonly owners: readonly OwnerCheck[];
}

/** The answer of `PUT quota/:ownerId`. */
export interface QuotaLimit {
  readonly ownerId: string;
  /** The owner's own limit; `null`: the default applies. */
  readonly limitBytes: number | null;
  readonly effectiveLimitBytes: number;
  readonly usedBytes: number;
  readonly reservedBytes: number;
}
