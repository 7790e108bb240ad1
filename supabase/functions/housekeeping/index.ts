// The `housekeeping` Edge Function: the periodic jobs, for a scheduler. Wiring only.
import { authenticator } from "../_shared/auth.ts";
import { contextFromEnv } from "../_shared/context.ts";
import { HousekeepingService } from "../_shared/housekeeping_service.ts";
import { createHousekeepingHandler } from "./handler.ts";

const context = contextFromEnv();
Deno.serve(createHousekeepingHandler({
  service: new HousekeepingService(context),
  authenticate: authenticator(context.db),
}));
