/**
 * What GoTrue does when a revoked refresh token comes back (supabase/auth,
 * `internal/tokens/service.go` `RefreshTokenGrant`, refresh tokens of version 1): a pure decision,
 * so that the clock-dependent rule is tested with a table.
 *
 * @module
 */

/** The outcome for a refresh token presented again. */
export type ReuseDecision =
  /** The token is the parent of the session's active token: answer with the active token. */
  | "return_active"
  /** Revoked less than the reuse interval ago: issue a new child of it. */
  | "swap"
  /** Revoked longer ago: possible theft; revoke the session's tokens and refuse. */
  | "already_used";

/**
 * Decides for a revoked token. The parent of the active token is always accepted (the client
 * most likely lost the answer to its last refresh), whatever its age; any other revoked token only
 * within `reuseIntervalSeconds` of its revocation (`updated_at`).
 */
export function decideRevokedReuse(input: {
  readonly token: string;
  readonly revokedAt: Date;
  readonly activeParent: string | null | undefined;
  readonly now: Date;
  readonly reuseIntervalSeconds: number;
}): ReuseDecision {
  if (input.activeParent === input.token) return "return_active";
  const reuseUntil = input.revokedAt.getTime() + input.reuseIntervalSeconds * 1000;
  return input.now.getTime() > reuseUntil ? "already_used" : "swap";
}
