/**
 * Routes of the `conflicts` function:
 * `GET /conflicts?workspaceId=<uuid>[&status=open|all]`, `POST /conflicts/:id/resolve`,
 * `POST /conflicts/:id/merge`.
 *
 * @module
 */
import { z } from "zod";
import { replicaIdSchema } from "../../../shared/protocol/sync.ts";
import { errors } from "../../../shared/protocol/errors.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import { type ConflictService, MAX_RESOLVE_CONTENT_BYTES } from "./conflict_service.ts";
import {
  createHandler,
  json,
  readBody,
  readJson,
  readQuery,
  validate,
} from "../_shared/edge/http.ts";
import type { MergeService } from "../_shared/conflicts/merge_service.ts";

/** Largest resolve body: the merged content base64-encoded (4/3) plus a little JSON. */
const MAX_RESOLVE_BODY = Math.ceil(MAX_RESOLVE_CONTENT_BYTES * 4 / 3) + 16 * 1024;
const MAX_MERGE_BODY = 16 * 1024;

const listQuerySchema = z.object({
  workspaceId: z.uuid(),
  status: z.enum(["open", "all"]).default("open"),
});

/** `POST /conflicts/:id/resolve`. */
export const resolveRequestSchema = z.object({
  replicaId: replicaIdSchema,
  resolution: z.enum(["current", "incoming", "merged"]),
  /** Merged bytes, base64 (only with `merged`). */
  content: z.base64().max(Math.ceil(MAX_RESOLVE_CONTENT_BYTES * 4 / 3)).optional(),
  mode: z.int().min(0).max(0o777).optional(),
  expectedCurrentVersionId: z.uuid().optional(),
}).superRefine((body, ctx) => {
  if ((body.resolution === "merged") !== (body.content !== undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["content"],
      message: body.resolution === "merged"
        ? 'required with resolution "merged"'
        : 'only allowed with resolution "merged"',
    });
  }
  if (body.mode !== undefined && body.resolution !== "merged") {
    ctx.addIssue({
      code: "custom",
      path: ["mode"],
      message: 'only allowed with resolution "merged"',
    });
  }
});

/** `POST /conflicts/:id/merge` (the body is optional). */
export const mergeRequestSchema = z.object({
  replicaId: replicaIdSchema.optional(),
  expectedCurrentVersionId: z.uuid().optional(),
});

/** What the conflicts handler needs. */
export interface ConflictsHandlerDeps {
  readonly conflicts: ConflictService;
  readonly merges: MergeService;
  readonly authenticate: (request: Request) => Promise<Caller>;
}

/** The `conflicts` function's request handler. */
export function createConflictsHandler(
  deps: ConflictsHandlerDeps,
): (request: Request) => Promise<Response> {
  const id = (params: Readonly<Record<string, string>>) => validate(z.uuid(), params.id);
  return createHandler<Caller>({
    name: "conflicts",
    authenticate: deps.authenticate,
    routes: [
      {
        method: "GET",
        pattern: "/",
        handler: async ({ url, caller }) =>
          json(await deps.conflicts.list(caller, readQuery(url, listQuerySchema))),
      },
      {
        method: "POST",
        pattern: "/:id/resolve",
        handler: async ({ request, params, caller }) => {
          const conflictId = id(params);
          const body = await readJson(request, resolveRequestSchema, MAX_RESOLVE_BODY);
          return json(
            await deps.conflicts.resolve(caller, conflictId, {
              replicaId: body.replicaId,
              resolution: body.resolution,
              content: body.content === undefined ? undefined : decodeBase64(body.content),
              mode: body.mode,
              expectedCurrentVersionId: body.expectedCurrentVersionId,
            }),
          );
        },
      },
      {
        method: "POST",
        pattern: "/:id/merge",
        handler: async ({ request, params, caller }) => {
          const conflictId = id(params);
          const bytes = await readBody(request, MAX_MERGE_BODY);
          const body = bytes.byteLength === 0
            ? {}
            : validate(mergeRequestSchema, parseJson(new TextDecoder().decode(bytes)));
          return json(await deps.merges.merge(caller, conflictId, body));
        },
      },
    ],
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw errors.invalidJson(cause);
  }
}

function decodeBase64(data: string): Uint8Array {
  return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
}
