/**
 * Sandsync's runtime-independent library, imported by the Edge Functions,
 * the agent and a mobile app: version vectors, SHA-256, text and line
 * helpers, diffs, three-way merge, conflict resolution, path rules, the
 * coded error type and the wire schemas.
 *
 * No Deno or Supabase APIs are used. The one `node:` import is
 * `node:crypto` (hash.ts), which Deno, Node and the Supabase Edge Runtime
 * all provide; a bundle for browsers or React Native must alias it to a
 * shim with `createHash("sha256")` (for example `create-hash`).
 *
 * @module
 */
export * from "./merge/conflict.ts";
export * from "./merge/diff.ts";
export * from "./protocol/errors.ts";
export * from "./hash.ts";
export * from "./merge/merge.ts";
export * from "./paths/path_rules.ts";
export * from "./merge/text.ts";
export * from "./version_vector.ts";
export * from "./protocol/common.ts";
export * from "./protocol/sync.ts";
