/**
 * Replica ids the server derives for callers that name none (a phone saving one file through
 * the `files` function): stable per workspace and user, so every retry and every later request
 * reuses the same version-vector key instead of growing the vector with a new one each time.
 *
 * @module
 */
import { createHash } from "node:crypto";

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

/** The `web` replica a user writes through when naming none (`"service"` for the service role). */
export function defaultReplicaId(workspaceId: string, userId: string | undefined): string {
  return uuidV5(REPLICA_NAMESPACE, `web:${workspaceId.toLowerCase()}:${userId ?? "service"}`);
}
