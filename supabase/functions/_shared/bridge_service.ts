/**
 * The e2b-bridge's operations behind one class: pull (a sandbox into the workspace), restore
 * and push (the workspace, or its state at a restore point, into a sandbox) and snapshot (a
 * pull that ends by recording a named checkpoint). Each call does one page and answers a
 * cursor while more remain. Services see no HTTP; the handler validates the bodies.
 *
 * @module
 */
import type {
  PullAnswer,
  PullRequest,
  RestoreAnswer,
  RestoreRequest,
  SnapshotAnswer,
  SnapshotRequest,
} from "../../../shared/bridge_wire.ts";
import { errors } from "../../../shared/errors.ts";
import { assertWorkspaceScope } from "./auth.ts";
import { type BridgeDeps, pullPage } from "./bridge_pull.ts";
import { restorePage } from "./bridge_restore.ts";
import type { Caller } from "./caller.ts";

/** Pull, restore/push and snapshot, one page per call. */
export class BridgeService {
  readonly #deps: BridgeDeps;

  constructor(deps: BridgeDeps) {
    this.#deps = deps;
  }

  /** One page of a pull of the sandbox root into the workspace (as the bridge replica). */
  pull(caller: Caller, request: PullRequest): Promise<PullAnswer> {
    return pullPage(this.#deps, caller, request);
  }

  /** One page of writing the workspace (at `at`, else now) into the sandbox root. */
  restore(caller: Caller, request: RestoreRequest): Promise<RestoreAnswer> {
    return restorePage(this.#deps, caller, request);
  }

  /** A pull whose last page records the checkpoint `name` (refused up front when taken). */
  async snapshot(caller: Caller, request: SnapshotRequest): Promise<SnapshotAnswer> {
    assertWorkspaceScope(caller, request.workspaceId);
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
