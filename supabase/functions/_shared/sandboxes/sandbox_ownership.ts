/**
 * Who a sandbox belongs to, as E2B itself records it. E2B sets a sandbox's metadata only when it
 * creates the sandbox, so the contract is: a sandbox Sandsync may act on was created with
 * metadata `sandsync_owner = <owner's user id>` and, when known at creation,
 * `sandsync_workspace = <workspace id>`, which must then equal the workspace. A function's E2B
 * key is a team key that reaches every sandbox of the team: this check, not the key, keeps
 * tenants apart.
 *
 * @module
 */
import { errors } from "../../../../shared/protocol/errors.ts";

/** Metadata key naming the Sandsync user who owns a sandbox. */
export const OWNER_METADATA_KEY = "sandsync_owner";
/** Metadata key naming the workspace a sandbox was created for. */
export const WORKSPACE_METADATA_KEY = "sandsync_workspace";

/** Reads a sandbox's E2B metadata (`Sandbox.getInfo`); errors already mapped. */
export type SandboxLookup = (sandboxId: string) => Promise<Readonly<Record<string, string>>>;

/** Creates a sandbox from `template` with `metadata`; answers its id. */
export type SandboxCreator = (
  template: string,
  metadata: Readonly<Record<string, string>>,
) => Promise<string>;

/** The metadata a sandbox for `workspaceId` of `ownerId` is created with. */
export function ownershipMetadata(ownerId: string, workspaceId: string): Record<string, string> {
  return { [OWNER_METADATA_KEY]: ownerId, [WORKSPACE_METADATA_KEY]: workspaceId };
}

/**
 * Throws `sandbox_not_owned` unless `metadata` names `ownerId` as owner and, when it names a
 * workspace, that workspace is `workspaceId` (a workspace not created yet matches none).
 */
export function assertOwnedMetadata(
  sandboxId: string,
  metadata: Readonly<Record<string, string>>,
  expected: { readonly ownerId: string; readonly workspaceId: string | undefined },
): void {
  if (metadata[OWNER_METADATA_KEY] !== expected.ownerId) {
    throw errors.sandboxNotOwned(
      sandboxId,
      `its E2B metadata does not name the workspace's owner (${OWNER_METADATA_KEY})`,
    );
  }
  const workspace = metadata[WORKSPACE_METADATA_KEY];
  if (workspace !== undefined && workspace !== expected.workspaceId) {
    throw errors.sandboxNotOwned(
      sandboxId,
      `it was created for another workspace (${WORKSPACE_METADATA_KEY})`,
    );
  }
}

/** Reads the sandbox's metadata through `lookup` and checks it with {@linkcode assertOwnedMetadata}. */
export async function verifySandboxOwner(
  lookup: SandboxLookup,
  sandboxId: string,
  expected: { readonly ownerId: string; readonly workspaceId: string | undefined },
): Promise<void> {
  assertOwnedMetadata(sandboxId, await lookup(sandboxId), expected);
}
