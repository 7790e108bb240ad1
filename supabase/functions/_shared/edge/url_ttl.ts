/**
 * How long the signed download URLs a caller receives live. An agent token can be revoked at
 * any time; the URLs it obtained stay valid until they expire, so token callers get short ones.
 *
 * @module
 */
import type { Caller } from "./caller.ts";

/** Lifetime of signed download URLs handed to agent-token callers (10 minutes). */
export const AGENT_URL_TTL_SECONDS = 600;

/** `userTtlSeconds` for users and the service role; at most 10 minutes for agent tokens. */
export function downloadUrlTtl(caller: Caller, userTtlSeconds: number): number {
  return caller.kind === "agent" ? Math.min(userTtlSeconds, AGENT_URL_TTL_SECONDS) : userTtlSeconds;
}
