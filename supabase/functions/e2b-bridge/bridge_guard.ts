/**
 * What the bridge checks before it touches a sandbox, on every call and every page, in this
 * order: the caller may use the workspace; the root is an allowed bridge root (input only, no
 * E2B call); the workspace has a bound sandbox and the body names that one (a body cannot
 * point the bridge elsewhere); E2B's own metadata for it (`Sandbox.getInfo`, which neither
 * resumes the sandbox nor reaches its envd) names the workspace's owner, and the workspace
 * when it names one. Only then may the caller go on to `Sandbox.connect`.
 *
 * @module
 */
import { errors } from "../../../shared/protocol/errors.ts";
import { assertWorkspaceScope } from "../_shared/edge/auth.ts";
import { assertBridgeRoot } from "./bridge_roots.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import type { Database } from "../_shared/db/db.ts";
import { type SandboxLookup, verifySandboxOwner } from "../_shared/sandboxes/sandbox_ownership.ts";

/** What the guard needs. */
export interface BridgeGuardDeps {
  readonly db: Database;
  /** Reads a sandbox's E2B metadata. */
  readonly lookup: SandboxLookup;
  /** Allowed root prefixes (`SANDSYNC_BRIDGE_ROOTS`). */
  readonly roots: readonly string[];
}

/** The workspace fields ownership is decided on. */
export interface BoundWorkspace {
  readonly id: string;
  readonly ownerId: string;
  readonly sandboxId: string | null;
}

/** The workspace as the caller sees it (RLS), or `workspace_not_found`. */
export async function boundWorkspace(
  db: Database,
  caller: Caller,
  workspaceId: string,
): Promise<BoundWorkspace> {
  assertWorkspaceScope(caller, workspaceId);
  const [row] = await db.asCaller(
    caller,
    (tx) =>
      tx<{ owner_id: string; sandbox_id: string | null }[]>`
      select owner_id, sandbox_id from sandsync.workspaces where id = ${workspaceId}`,
  );
  if (!row) throw errors.workspaceNotFound(workspaceId);
  return { id: workspaceId, ownerId: row.owner_id, sandboxId: row.sandbox_id };
}

/**
 * Refuses, before any sandbox is reached, unless `request` targets the workspace's bound
 * sandbox under an allowed root and E2B's metadata names the workspace's owner.
 */
export async function guardBridgeTarget(
  deps: BridgeGuardDeps,
  caller: Caller,
  request: { readonly workspaceId: string; readonly sandboxId: string; readonly root: string },
): Promise<void> {
  assertWorkspaceScope(caller, request.workspaceId);
  assertBridgeRoot(request.root, deps.roots);
  const workspace = await boundWorkspace(deps.db, caller, request.workspaceId);
  if (workspace.sandboxId === null) {
    throw errors.sandboxNotOwned(
      request.sandboxId,
      "the workspace has no bound sandbox: create one with e2b-bridge/create",
    );
  }
  if (workspace.sandboxId !== request.sandboxId) {
    throw errors.sandboxNotOwned(request.sandboxId, "it is not the workspace's bound sandbox");
  }
  await verifySandboxOwner(deps.lookup, workspace.sandboxId, {
    ownerId: workspace.ownerId,
    workspaceId: workspace.id,
  });
}
