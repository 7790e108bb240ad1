/**
 * Routes of the `conflicts` function:
 * `GET /conflicts?workspaceId=<uuid>[&status=open|all]`, `POST /conflicts/:id/resolve`,
 * `POST /conflicts/:id/merge`.
 *
 * @module
 */
import { errors } from "../../../shared/protocol/errors.ts";
import { decodeBase64 } from "../../../shared/base64.ts";
import { uuidSchema } from "../../../shared/protocol/common.ts";
import {
  listConflictsQuerySchema,
  MAX_RESOLVE_CONTENT_BYTES,
  mergeRequestSchema,
  resolveRequestSchema,
} from "../../../shared/protocol/conflicts.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import type { ConflictService } from "./conflict_service.ts";
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
  const id = (params: Readonly<Record<string, string>>) => validate(uuidSchema, params.id);
  return createHandler<Caller>({
    name: "conflicts",
    authenticate: deps.authenticate,
    routes: [
      {
        method: "GET",
        pattern: "/",
        handler: async ({ url, caller }) =>
          json(await deps.conflicts.list(caller, readQuery(url, listConflictsQuerySchema))),
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
