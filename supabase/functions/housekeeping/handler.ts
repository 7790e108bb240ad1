/**
 * Routes of the `housekeeping` function: `POST /housekeeping` `{ graceSeconds? }`, for the
 * service role only (a scheduler calls it).
 *
 * @module
 */
import { z } from "zod";
import type { Caller } from "../_shared/edge/caller.ts";
import type { HousekeepingService } from "./housekeeping_service.ts";
import { errors } from "../../../shared/protocol/errors.ts";
import { createHandler, json, readBody, validate } from "../_shared/edge/http.ts";

/** The body: how old (seconds) an unreferenced blob must be before it is collected. */
export const housekeepingSchema = z.object({
  graceSeconds: z.int().min(0).max(30 * 86400).default(3600),
});

/** The `housekeeping` function's request handler. */
export function createHousekeepingHandler(deps: {
  readonly service: HousekeepingService;
  readonly authenticate: (request: Request) => Promise<Caller>;
}): (request: Request) => Promise<Response> {
  return createHandler<Caller>({
    name: "housekeeping",
    authenticate: deps.authenticate,
    routes: [{
      method: "POST",
      pattern: "/",
      handler: async ({ request, caller }) => {
        // An empty body means the defaults (a scheduler need not send one).
        const bytes = await readBody(request, 1024);
        const text = new TextDecoder().decode(bytes).trim();
        let value: unknown = {};
        try {
          if (text !== "") value = JSON.parse(text);
        } catch (cause) {
          throw errors.invalidJson(cause);
        }
        return json(await deps.service.run(caller, validate(housekeepingSchema, value)));
      },
    }],
  });
}
