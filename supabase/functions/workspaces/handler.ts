/**
 * Routes of the `workspaces` function:
 * `POST /workspaces`, `GET /workspaces`, `GET|PATCH|DELETE /workspaces/:id`,
 * `POST /workspaces/:id/replicas`, `POST /workspaces/:id/replicas/:replicaId/heartbeat`,
 * `POST|GET /workspaces/:id/tokens`,
 * `DELETE /workspaces/:id/tokens/:tokenId`.
 *
 * @module
 */
import { replicaIdSchema, uuidSchema } from "../../../shared/protocol/common.ts";
import {
  createWorkspaceSchema,
  heartbeatSchema,
  issueTokenSchema,
  registerReplicaSchema,
  updateWorkspaceSchema,
} from "../../../shared/protocol/workspaces.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import { createHandler, json, readJson, validate } from "../_shared/edge/http.ts";
import type { WorkspaceService } from "./workspace_service.ts";

const MAX_BODY = 16 * 1024;

/** The `workspaces` function's request handler. */
export function createWorkspacesHandler(deps: {
  readonly service: WorkspaceService;
  readonly authenticate: (request: Request) => Promise<Caller>;
}): (request: Request) => Promise<Response> {
  const { service } = deps;
  const id = (params: Readonly<Record<string, string>>, key = "id") =>
    validate(uuidSchema, params[key]);
  return createHandler<Caller>({
    name: "workspaces",
    authenticate: deps.authenticate,
    routes: [
      {
        method: "POST",
        pattern: "/",
        handler: async ({ request, caller }) =>
          json(
            await service.create(caller, await readJson(request, createWorkspaceSchema, MAX_BODY)),
            201,
          ),
      },
      {
        method: "GET",
        pattern: "/",
        handler: async ({ caller }) => json({ workspaces: await service.list(caller) }),
      },
      {
        method: "GET",
        pattern: "/:id",
        handler: async ({ params, caller }) => json(await service.get(caller, id(params))),
      },
      {
        method: "PATCH",
        pattern: "/:id",
        handler: async ({ request, params, caller }) =>
          json(
            await service.update(
              caller,
              id(params),
              await readJson(request, updateWorkspaceSchema, MAX_BODY),
            ),
          ),
      },
      {
        method: "DELETE",
        pattern: "/:id",
        handler: async ({ params, caller }) => json(await service.delete(caller, id(params))),
      },
      {
        method: "POST",
        pattern: "/:id/replicas",
        handler: async ({ request, params, caller }) =>
          json(
            await service.registerReplica(
              caller,
              id(params),
              await readJson(request, registerReplicaSchema, MAX_BODY),
            ),
          ),
      },
      {
        method: "POST",
        pattern: "/:id/replicas/:replicaId/heartbeat",
        handler: async ({ request, params, caller }) =>
          json(
            await service.reportHealth(
              caller,
              id(params),
              validate(replicaIdSchema, params.replicaId),
              await readJson(request, heartbeatSchema, MAX_BODY),
            ),
          ),
      },
      {
        method: "POST",
        pattern: "/:id/tokens",
        handler: async ({ request, params, caller }) =>
          json(
            await service.issueToken(
              caller,
              id(params),
              await readJson(request, issueTokenSchema, MAX_BODY),
            ),
            201,
          ),
      },
      {
        method: "GET",
        pattern: "/:id/tokens",
        handler: async ({ params, caller }) =>
          json({ tokens: await service.listTokens(caller, id(params)) }),
      },
      {
        method: "DELETE",
        pattern: "/:id/tokens/:tokenId",
        handler: async ({ params, caller }) =>
          json(await service.revokeToken(caller, id(params), id(params, "tokenId"))),
      },
    ],
  });
}
