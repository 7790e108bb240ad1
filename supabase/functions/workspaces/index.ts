// The `workspaces` Edge Function: workspaces, replicas, agent tokens. Wiring only.
import { authenticator } from "../_shared/edge/auth.ts";
import { contextFromEnv } from "../_shared/edge/context.ts";
import { e2bSettingsFromEnv, sandboxMetadata } from "../_shared/sandboxes/e2b_connect.ts";
import { WorkspaceService } from "./workspace_service.ts";
import { createWorkspacesHandler } from "./handler.ts";

const context = contextFromEnv();
// Attaching a sandbox reads its E2B metadata (E2B_API_KEY etc., as for e2b-bridge).
const e2b = e2bSettingsFromEnv();
Deno.serve(createWorkspacesHandler({
  service: new WorkspaceService(
    context.db,
    context.blobs,
    (sandboxId) => sandboxMetadata(e2b, sandboxId),
  ),
  authenticate: authenticator(context.db),
}));
