// The `conflicts` Edge Function: list, resolve and server-side merge of conflicts. Wiring only.
import { authenticator } from "../_shared/auth.ts";
import { ConflictService } from "../_shared/conflict_service.ts";
import { contextFromEnv } from "../_shared/context.ts";
import { MergeService } from "../_shared/merge_service.ts";
import { createConflictsHandler } from "./handler.ts";

const context = contextFromEnv();
Deno.serve(createConflictsHandler({
  conflicts: new ConflictService(context),
  merges: new MergeService(context),
  authenticate: authenticator(context.db),
}));
