// The `e2b-bridge` Edge Function: pull, restore/push and snapshot of E2B sandboxes. Wiring only.
// E2B settings are function secrets (E2B_API_KEY, E2B_DOMAIN, or E2B_API_URL + E2B_SANDBOX_URL
// for a local fake E2B); SANDSYNC_BRIDGE_ROOTS limits the roots, SANDSYNC_E2B_TEMPLATE is
// create's default template.
import { authenticator } from "../_shared/edge/auth.ts";
import { DEFAULT_LIMITS } from "./bridge_pull.ts";
import { bridgeRootsFromEnv } from "./bridge_roots.ts";
import { BridgeService } from "./bridge_service.ts";
import { BridgeStore } from "./bridge_store.ts";
import { contextFromEnv } from "../_shared/edge/context.ts";
import {
  connectSandbox,
  createSandbox,
  e2bSettingsFromEnv,
  killSandbox,
  sandboxMetadata,
} from "../_shared/sandboxes/e2b_connect.ts";
import { CommitService } from "../_shared/commit/commit_service.ts";
import { createBridgeHandler } from "./handler.ts";

const context = contextFromEnv();
// Page size can be lowered (tests use it to exercise paging with small trees).
const pageFiles = Number(Deno.env.get("SANDSYNC_BRIDGE_PAGE_FILES") ?? "");
const e2b = e2bSettingsFromEnv();
const sync = new CommitService({ db: context.db, blobs: context.blobs });
const service = new BridgeService({
  db: context.db,
  blobs: context.blobs,
  sync,
  store: new BridgeStore(context.db),
  connect: (sandboxId) => connectSandbox(e2b, sandboxId),
  lookup: (sandboxId) => sandboxMetadata(e2b, sandboxId),
  createSandbox: (template, metadata) => createSandbox(e2b, template, metadata),
  killSandbox: (sandboxId) => killSandbox(e2b, sandboxId),
  roots: bridgeRootsFromEnv(),
  defaultTemplate: Deno.env.get("SANDSYNC_E2B_TEMPLATE") || undefined,
  limits: pageFiles > 0 ? { ...DEFAULT_LIMITS, pageFiles, pageDeletes: pageFiles } : DEFAULT_LIMITS,
});
Deno.serve(createBridgeHandler({ service, authenticate: authenticator(context.db) }));
