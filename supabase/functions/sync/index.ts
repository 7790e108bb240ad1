// The `sync` Edge Function: negotiate, commit, changes (long poll), manifest. Wiring only.
import { authenticator } from "../_shared/edge/auth.ts";
import { contextFromEnv } from "../_shared/edge/context.ts";
import { JournalWaiter } from "./journal_waiter.ts";
import { SyncService } from "./sync_service.ts";
import { createSyncHandler } from "./handler.ts";

const context = contextFromEnv();
const service = new SyncService({
  db: context.db,
  blobs: context.blobs,
  waiter: new JournalWaiter(context.listenUrl),
  storageUrl: Deno.env.get("SANDSYNC_PUBLIC_URL") ?? Deno.env.get("SUPABASE_URL") ?? "",
});
Deno.serve(createSyncHandler({ service, authenticate: authenticator(context.db) }));
