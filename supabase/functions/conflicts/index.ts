// The `conflicts` Edge Function: list, resolve and server-side merge of conflicts. Wiring only.
import { authenticator } from "../_shared/edge/auth.ts";
import { ConflictService } from "./conflict_service.ts";
import { contextFromEnv } from "../_shared/edge/context.ts";
import { MergeService } from "../_shared/conflicts/merge_service.ts";
import { createConflictsHandler } from "./handler.ts";

const context = contextFromEnv();
Deno.serve(createConflictsHandler({
  conflicts: new ConflictService(context),
  merges: new MergeService(context),
  authenticate: authenticator(context.db),
}));
