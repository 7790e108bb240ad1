// The `housekeeping` Edge Function: the periodic jobs, for a scheduler. Wiring only.
import { authenticator } from "../_shared/edge/auth.ts";
import { contextFromEnv } from "../_shared/edge/context.ts";
import { HousekeepingService } from "./housekeeping_service.ts";
import { createHousekeepingHandler } from "./handler.ts";

const context = contextFromEnv();
Deno.serve(createHousekeepingHandler({
  service: new HousekeepingService(context),
  authenticate: authenticator(context.db),
}));
