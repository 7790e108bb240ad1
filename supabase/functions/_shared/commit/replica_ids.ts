/**
 * Replica ids the server derives for callers that name none (a phone saving one file through
 * the `files` function): stable per workspace and user, so every retry and every later request
 * reuses the same version-vector key instead of growing the vector with a new one each time.
 * Derived ids are keyed with a server secret (`SANDSYNC_REPLICA_SECRET`, else the service-role
 * key): replica ids are global, and an id anyone could compute could be registered first in
 * another workspace, breaking the `files` API of the workspace it was derived for.
 *
 * @module
 */
import { createHash, createHmac } from "node:crypto";

/** The namespace of Sandsync's derived replica ids (a random, fixed UUID). */
export const REPLICA_NAMESPACE = "3a7c1f52-9d84-4b0e-a6e1-5c2f0d8b7e94";

/**
 * A name-based (version 5, RFC 9562) UUID of `name` in `namespace`: the same inputs always give
 * the same id.
 */
export function uuidV5(namespace: string, name: string): string {
  const ns = Uint8Array.from(namespace.replaceAll("-", "").match(/../g)!, (h) => parseInt(h, 16));
  const hash = createHash("sha1").update(ns).update(new TextEncoder().encode(name)).digest();
  const bytes = Uint8Array.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/** The secret derived replica ids are keyed with (read from the function's environment). */
export function replicaSecret(): string {
  return Deno.env.get("SANDSYNC_REPLICA_SECRET") || Deno.env.get("SUPABASE_SERVICE_ROLE_KEY") ||
    "";
}

/**
 * A replica id derived from `name` that only the server can compute: a version-5 UUID of the
 * HMAC-SHA256 of `name` under `secret`.
 */
export function derivedReplicaId(name: string, secret: string = replicaSecret()): string {
  return uuidV5(REPLICA_NAMESPACE, createHmac("sha256", secret).update(name).digest("hex"));
}

/** The `web` replica a user writes through when naming none (`"service"` for the service role). */
export function defaultReplicaId(
  workspaceId: string,
  userId: string | undefined,
  secret: string = replicaSecret(),
): string {
  return derivedReplicaId(`web:${workspaceId.toLowerCase()}:${userId ?? "service"}`, secret);
}
