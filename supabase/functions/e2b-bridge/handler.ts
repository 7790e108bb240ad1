/**
 * Routes of the `e2b-bridge` function: `POST /e2b-bridge/pull`, `POST /e2b-bridge/restore`,
 * `POST /e2b-bridge/push` (restore onto a live sandbox: the same operation) and
 * `POST /e2b-bridge/snapshot`. Each answers one page; clients call again with `cursor`
 * until `done`. `POST /e2b-bridge/create` makes a sandbox for the workspace and binds it.
 *
 * @module
 */
import {
  createRequestSchema,
  pullRequestSchema,
  restoreRequestSchema,
  snapshotRequestSchema,
} from "../../../shared/protocol/bridge.ts";
import type { BridgeService } from "./bridge_service.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import { createHandler, json, readJson } from "../_shared/edge/http.ts";

/** Largest request body: a few ids, a root and a cursor. */
const MAX_BODY_BYTES = 16 * 1024;

/** What the bridge handler needs. */
export interface BridgeHandlerDeps {
  readonly service: BridgeService;
  readonly authenticate: (request: Request) => Promise<Caller>;
}

/** The `e2b-bridge` function's request handler. */
export function createBridgeHandler(
  deps: BridgeHandlerDeps,
): (request: Request) => Promise<Response> {
  const { service } = deps;
  const restore = async ({ request, caller }: { request: Request; caller: Caller }) =>
    json(
      await service.restore(caller, await readJson(request, restoreRequestSchema, MAX_BODY_BYTES)),
    );
  return createHandler<Caller>({
    name: "e2b-bridge",
    authenticate: deps.authenticate,
    routes: [
      {
        method: "POST",
        pattern: "/create",
        handler: async ({ request, caller }) =>
          json(
            await service.create(
              caller,
              await readJson(request, createRequestSchema, MAX_BODY_BYTES),
            ),
            201,
          ),
      },
      {
        method: "POST",
        pattern: "/pull",
        handler: async ({ request, caller }) =>
          json(
            await service.pull(caller, await readJson(request, pullRequestSchema, MAX_BODY_BYTES)),
          ),
      },
      { method: "POST", pattern: "/restore", handler: restore },
      { method: "POST", pattern: "/push", handler: restore },
      {
        method: "POST",
        pattern: "/snapshot",
        handler: async ({ request, caller }) =>
          json(
            await service.snapshot(
              caller,
              await readJson(request, snapshotRequestSchema, MAX_BODY_BYTES),
            ),
          ),
      },
    ],
  });
}
