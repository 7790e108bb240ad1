/**
 * Names of API endpoints for request counts: a method and a route with the ids, object keys,
 * bucket names and query strings left out, so that 5,000 downloads of 5,000 different objects
 * count as one endpoint (`GET storage/object/sign`), not 5,000.
 *
 * - Edge Functions, `/functions/v1/<name>/<route>`: `functions/<name>/<route>`, each segment of
 *   the route kept when it is a word (`negotiate`, `replicas`, `heartbeat`) and `:id` when it
 *   is not (a UUID, a number, anything with a digit or a dot); the `files` function's file path
 *   after the workspace becomes `*`.
 * - Storage, `/storage/v1/...`: the route's fixed words up to the first bucket, key or upload
 *   id: `storage/object/sign`, `storage/object/upload/sign`, `storage/upload/resumable/sign`.
 * - Anything else: its first two segments (`auth/v1`), ids replaced the same way.
 *
 * @module
 */

/** Words of Storage routes before the bucket, key or upload id (supabase/storage's routes). */
const STORAGE_WORDS = new Set([
  "object",
  "bucket",
  "upload",
  "resumable",
  "sign",
  "public",
  "authenticated",
  "info",
  "list",
  "copy",
  "move",
  "render",
  "image",
]);

/** Functions whose route ends in a free-form path, and how many segments come before it. */
const PATH_AFTER: Readonly<Record<string, number>> = { files: 1 };

const WORD = /^[a-z]+(?:[-_][a-z]+)*$/;

const segment = (part: string) => WORD.test(part) || /^v\d+$/.test(part) ? part : ":id";

/** The endpoint a request counts under: `"<METHOD> <route>"`, e.g. `POST functions/sync/commit`. */
export function endpointName(method: string, pathname: string): string {
  const parts = pathname.split("/").filter(Boolean);
  return `${method.toUpperCase()} ${routeName(parts)}`;
}

function routeName(parts: string[]): string {
  const [area, version, ...rest] = parts;
  if (area === "functions" && version === "v1" && rest.length > 0) {
    const [name, ...route] = rest as [string, ...string[]];
    const fixed = PATH_AFTER[name];
    const kept = route.slice(0, fixed ?? route.length).map(segment);
    if (fixed !== undefined && route.length > fixed) kept.push("*");
    return ["functions", name, ...kept].join("/");
  }
  if (area === "storage" && version === "v1") {
    const words: string[] = [];
    for (const part of rest) {
      if (!STORAGE_WORDS.has(part)) break;
      words.push(part);
    }
    return ["storage", ...words].join("/");
  }
  return parts.slice(0, 2).map(segment).join("/") || "/";
}
