/**
 * Routes of the `workspaces` function:
 * `POST /workspaces`, `GET /workspaces`, `GET|PATCH|DELETE /workspaces/:id`,
 * `POST /workspaces/:id/replicas`, `POST /workspaces/:id/replicas/:replicaId/heartbeat`,
 * `POST|GET /workspaces/:id/tokens`,
 * `DELETE /workspaces/:id/tokens/:tokenId`.
 *
 * @module
 */
import { z } from "zod";
import { replicaIdSchema } from "../../../shared/protocol/sync.ts";
import { sandboxIdSchema } from "../../../shared/protocol/bridge.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import { createHandler, json, readJson, validate } from "../_shared/edge/http.ts";
import type { WorkspaceService } from "./workspace_service.ts";

const MAX_BODY = 16 * 1024;
const uuid = z.uuid();

const createSchema = z.object({
  name: z.string().trim().min(1).max(200),
  strategy: z.enum(["last_write_wins", "user_intervention", "auto_merge"]).default(
    "last_write_wins",
  ),
  mergeFallback: z.enum(["user_intervention", "last_write_wins"]).default("user_intervention"),
  sandboxId: sandboxIdSchema.optional(),
  conflictCopies: z.boolean().default(true),
});

const updateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  strategy: z.enum(["last_write_wins", "user_intervention", "auto_merge"]).optional(),
  mergeFallback: z.enum(["user_intervention", "last_write_wins"]).optional(),
  sandboxId: sandboxIdSchema.nullable().optional(),
  conflictCopies: z.boolean().optional(),
  /** Sync `.git/` directories (protected otherwise); the owner's user session only. */
  syncGit: z.boolean().optional(),
});

const replicaSchema = z.object({
  replicaId: replicaIdSchema,
  kind: z.enum(["agent", "mobile", "bridge", "cli", "web"]),
  name: z.string().max(200).optional(),
  sandboxInstance: z.string().max(200).optional(),
});

/** A daemon's health (agent/control.ts `DaemonReport`, as the heartbeat sends it). */
const heartbeatSchema = z.object({
  state: z.enum(["starting", "idle", "running", "backoff", "stopping"]),
  lastRunAt: z.iso.datetime({ offset: true }).nullable().default(null),
  lastSuccessAt: z.iso.datetime({ offset: true }).nullable().default(null),
  lastError: z.string().max(1000).nullable().default(null),
  pending: z.int().min(0).max(1e9).nullable().default(null),
  heldDeletes: z.int().min(0).max(1e9).default(0),
  cursor: z.int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().default(null),
});

const tokenSchema = z.object({
  name: z.string().trim().min(1).max(200),
  /** Lifetime in seconds: one minute to one year, default 30 days. */
  ttlSeconds: z.int().min(60).max(366 * 86400).default(30 * 86400),
});

/** The `workspaces` function's request handler. */
export function createWorkspacesHandler(deps: {
  readonly service: WorkspaceService;
  readonly authenticate: (request: Request) => Promise<Caller>;
}): (request: Request) => Promise<Response> {
  const { service } = deps;
  const id = (params: Readonly<Record<string, string>>, key = "id") => validate(uuid, params[key]);
  return createHandler<Caller>({
    name: "workspaces",
    authenticate: deps.authenticate,
    routes: [
      {
        method: "POST",
        pattern: "/",
        handler: async ({ request, caller }) =>
          json(await service.create(caller, await readJson(request, createSchema, MAX_BODY)), 201),
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
              await readJson(request, updateSchema, MAX_BODY),
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
              await readJson(request, replicaSchema, MAX_BODY),
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
              id(params, "replicaId"),
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
              await readJson(request, tokenSchema, MAX_BODY),
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
