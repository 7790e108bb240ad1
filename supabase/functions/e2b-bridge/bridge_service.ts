/**
 * The e2b-bridge's operations behind one class: pull (a sandbox into the workspace), restore
 * and push (the workspace, or its state at a restore point, into a sandbox) and snapshot (a
 * pull that ends by recording a named checkpoint). Each call does one page and answers a
 * cursor while more remain; every call first passes {@linkcode guardBridgeTarget} (bound
 * sandbox, E2B metadata naming the owner, allowed root), before any sandbox is connected.
 * `create` makes a new sandbox carrying the ownership metadata and binds it to the workspace.
 * Services see no HTTP; the handler validates the bodies.
 *
 * @module
 */
import type {
  CreateAnswer,
  CreateRequest,
  PullAnswer,
  PullRequest,
  RestoreAnswer,
  RestoreRequest,
  SnapshotAnswer,
  SnapshotRequest,
} from "../../../shared/protocol/bridge.ts";
import { errors } from "../../../shared/protocol/errors.ts";
import { boundWorkspace, type BridgeGuardDeps, guardBridgeTarget } from "./bridge_guard.ts";
import { type BridgeDeps, pullPage } from "./bridge_pull.ts";
import { restorePage } from "./bridge_restore.ts";
import { logPage } from "./page_usage.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import { ownershipMetadata, type SandboxCreator } from "../_shared/sandboxes/sandbox_ownership.ts";

/** The template `create` uses unless the request names one. */
export const DEFAULT_TEMPLATE = "base";

/** What the bridge service needs: the operations' deps, the guard's, and a sandbox creator. */
export interface BridgeServiceDeps extends BridgeDeps, BridgeGuardDeps {
  readonly createSandbox: SandboxCreator;
  /** Kills a sandbox `create` made but could not bind (best effort). */
  readonly killSandbox?: (sandboxId: string) => Promise<void>;
  /** Template for `create` without one (`SANDSYNC_E2B_TEMPLATE`, else `base`). */
  readonly defaultTemplate?: string;
}

/** Pull, restore/push and snapshot, one page per call; create-and-bind. */
export class BridgeService {
  readonly #deps: BridgeServiceDeps;

  constructor(deps: BridgeServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Creates a sandbox whose E2B metadata names the workspace's owner and the workspace, and
   * binds it to the workspace. Only the owner's own session may: agent tokens and the service
   * role are refused.
   */
  async create(caller: Caller, request: CreateRequest): Promise<CreateAnswer> {
    if (caller.kind !== "user") throw errors.forbidden("operation", "create sandbox");
    const workspace = await boundWorkspace(this.#deps.db, caller, request.workspaceId);
    if (workspace.ownerId !== caller.userId) throw errors.workspaceNotFound(workspace.id);
    const template = request.template ?? this.#deps.defaultTemplate ?? DEFAULT_TEMPLATE;
    const sandboxId = await this.#deps.createSandbox(
      template,
      ownershipMetadata(workspace.ownerId, workspace.id),
    );
    await this.#deps.db.asCaller(
      caller,
      (tx) =>
        tx`select 1 from public.update_workspace(${workspace.id},
        ${tx.json({ sandbox_id: sandboxId })})`,
    );
    return { workspaceId: workspace.id, sandboxId, template };
  }

  /** One page of a pull of the sandbox root into the workspace (as the bridge replica). */
  pull(caller: Caller, request: PullRequest): Promise<PullAnswer> {
    return logPage(pageFields("pull", request), async () => {
      await guardBridgeTarget(this.#deps, caller, request);
      return await pullPage(this.#deps, caller, request);
    }, pullSummary);
  }

  /** One page of writing the workspace (at `at`, else now) into the sandbox root. */
  restore(caller: Caller, request: RestoreRequest): Promise<RestoreAnswer> {
    return logPage(pageFields("restore", request), async () => {
      await guardBridgeTarget(this.#deps, caller, request);
      return await restorePage(this.#deps, caller, request);
    }, (page) => ({
      done: page.done,
      written: page.written,
      skipped: page.skipped,
      deleted: page.deleted,
      bytes: page.bytes,
      refused: page.refused.length,
    }));
  }

  /** A pull whose last page records the checkpoint `name` (refused up front when taken). */
  snapshot(caller: Caller, request: SnapshotRequest): Promise<SnapshotAnswer> {
    return logPage(
      pageFields("snapshot", request),
      () => this.#snapshot(caller, request),
      pullSummary,
    );
  }

  async #snapshot(caller: Caller, request: SnapshotRequest): Promise<SnapshotAnswer> {
    await guardBridgeTarget(this.#deps, caller, request);
    const { store } = this.#deps;
    if (await store.hasCheckpoint(caller, request.workspaceId, request.name)) {
      throw errors.checkpointExists(request.name);
    }
    const page = await pullPage(this.#deps, caller, request);
    if (!page.done) return { ...page, checkpoint: null };
    const checkpoint = await store.createCheckpoint(caller, request.workspaceId, {
      name: request.name,
      sandboxId: request.sandboxId,
      replicaId: page.replicaId,
    });
    return { ...page, checkpoint };
  }
}

/** What every page's log line names: the function, the operation and its target. */
function pageFields(
  op: string,
  request: { workspaceId: string; sandboxId: string; root: string; cursor?: string | undefined },
): Record<string, unknown> {
  return {
    function: "e2b-bridge",
    op,
    workspaceId: request.workspaceId,
    sandboxId: request.sandboxId,
    root: request.root,
    first: request.cursor === undefined,
  };
}

function pullSummary(page: PullAnswer): Record<string, unknown> {
  return {
    done: page.done,
    pulled: page.pulled,
    skipped: page.skipped,
    deleted: page.deleted,
    bytes: page.bytes,
    refused: page.refused.length,
  };
}
