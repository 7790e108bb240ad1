/**
 * Routes of the `sync` function:
 * `POST /sync/negotiate`, `POST /sync/commit`, `GET /sync/changes`, `GET /sync/manifest`.
 *
 * @module
 */
import {
  changesQuerySchema,
  commitRequestSchema,
  manifestQuerySchema,
  MAX_INLINE_TOTAL_BYTES,
  negotiateRequestSchema,
} from "../../../shared/protocol/sync.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import { createHandler, json, readJson, readQuery } from "../_shared/edge/http.ts";
import type { SyncService } from "./sync_service.ts";

/** Largest negotiate body: 10,000 changes of well under 1 KiB each. */
const MAX_NEGOTIATE_BYTES = 8 * 1024 * 1024;
/** Largest commit body: the changes plus the inline bytes, base64-encoded (4/3). */
const MAX_COMMIT_BYTES = MAX_NEGOTIATE_BYTES + Math.ceil(MAX_INLINE_TOTAL_BYTES * 4 / 3) + 1024;

/** What the sync handler needs. */
export interface SyncHandlerDeps {
  readonly service: SyncService;
  readonly authenticate: (request: Request) => Promise<Caller>;
}

/** The `sync` function's request handler. */
export function createSyncHandler(deps: SyncHandlerDeps): (request: Request) => Promise<Response> {
  const { service } = deps;
  return createHandler<Caller>({
    name: "sync",
    authenticate: deps.authenticate,
    routes: [
      {
        method: "POST",
        pattern: "/negotiate",
        handler: async ({ request, caller }) =>
          json(
            await service.negotiate(
              caller,
              await readJson(request, negotiateRequestSchema, MAX_NEGOTIATE_BYTES),
            ),
          ),
      },
      {
        method: "POST",
        pattern: "/commit",
        handler: async ({ request, caller }) =>
          json(
            await service.commit(
              caller,
              await readJson(request, commitRequestSchema, MAX_COMMIT_BYTES),
            ),
          ),
      },
      {
        method: "GET",
        pattern: "/changes",
        handler: async ({ url, caller }) =>
          json(await service.changes(caller, readQuery(url, changesQuerySchema))),
      },
      {
        method: "GET",
        pattern: "/manifest",
        handler: async ({ url, caller }) =>
          json(await service.manifest(caller, readQuery(url, manifestQuerySchema))),
      },
    ],
  });
}
