/**
 * Sandsync's client library, for Deno, Node and apps: the typed sync API client, uploads and
 * downloads as negotiate says (inline, signed URL, TUS), batched commits, the
 * `FileSyncService` and the shared `ConflictResolver`. Uses `fetch`, `node:crypto` and
 * tus-js-client only (no Deno-only API).
 *
 * @module
 */
export * from "./conflict_resolver.ts";
export * from "./conflicts_api.ts";
export * from "./file_sync_service.ts";
export * from "./files_api.ts";
export * from "../shared/pool.ts";
export * from "./push.ts";
export * from "./retry.ts";
export * from "./sync_api.ts";
export * from "./transfer.ts";
export * from "./types.ts";
