// The `quota` Edge Function: usage, the service's consistency check and limits. Wiring only.
import { authenticator } from "../_shared/edge/auth.ts";
import { contextFromEnv } from "../_shared/edge/context.ts";
import { QuotaService } from "./quota_service.ts";
import { createQuotaHandler } from "./handler.ts";

const context = contextFromEnv();
Deno.serve(createQuotaHandler({
  service: new QuotaService(context),
  authenticate: authenticator(context.db),
}));
