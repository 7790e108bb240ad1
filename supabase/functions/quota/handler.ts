/**
 * Routes of the `quota` function: `GET /quota` (the caller's usage), and for the service role
 * `GET /quota/check[?ownerId=]` and `PUT /quota/:ownerId` `{ limitBytes }`.
 *
 * @module
 */
import { quotaCheckQuerySchema, setLimitSchema } from "../../../shared/protocol/quota.ts";
import { uuidSchema } from "../../../shared/protocol/common.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import { createHandler, json, readJson, readQuery, validate } from "../_shared/edge/http.ts";
import type { QuotaService } from "./quota_service.ts";

const MAX_BODY = 4 * 1024;

/** The `quota` function's request handler. */
export function createQuotaHandler(deps: {
  readonly service: QuotaService;
  readonly authenticate: (request: Request) => Promise<Caller>;
}): (request: Request) => Promise<Response> {
  const { service } = deps;
  return createHandler<Caller>({
    name: "quota",
    authenticate: deps.authenticate,
    routes: [
      {
        method: "GET",
        pattern: "/",
        handler: async ({ caller }) => json(await service.usage(caller)),
      },
      {
        method: "GET",
        pattern: "/check",
        handler: async ({ url, caller }) =>
          json(await service.check(caller, readQuery(url, quotaCheckQuerySchema))),
      },
      {
        method: "PUT",
        pattern: "/:ownerId",
        handler: async ({ request, params, caller }) => {
          const ownerId = validate(uuidSchema, params.ownerId);
          const body = await readJson(request, setLimitSchema, MAX_BODY);
          return json(await service.setLimit(caller, ownerId, body.limitBytes));
        },
      },
    ],
  });
}
