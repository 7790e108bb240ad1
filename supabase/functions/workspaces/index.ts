// The `workspaces` Edge Function: workspaces, replicas, agent tokens. Wiring only.
import { authenticator } from "../_shared/auth.ts";
import { contextFromEnv } from "../_shared/context.ts";
import { WorkspaceService } from "../_shared/workspace_service.ts";
import { createWorkspacesHandler } from "./handler.ts";

const context = contextFromEnv();
Deno.serve(createWorkspacesHandler({
  service: new WorkspaceService(context.db, context.blobs),
  authenticate: authenticator(context.db),
}));
