/**
 * The one lookup of a workspace's owner, as the caller sees it: every service that must find
 * where a workspace's blobs live (they are stored under the owner) asks here, so a workspace the
 * caller cannot see is `workspace_not_found` (404) everywhere, never a 403 that tells it exists.
 *
 * @module
 */
import { errors } from "../../../../shared/protocol/errors.ts";
import type { Tx } from "./db.ts";

/** The workspace's owner id, or `workspace_not_found` when the caller cannot see the workspace. */
export async function workspaceOwner(tx: Tx, workspaceId: string): Promise<string> {
  const [row] = await tx<{ owner_id: string }[]>`
    select owner_id from sandsync.workspaces where id = ${workspaceId}`;
  if (!row) throw errors.workspaceNotFound(workspaceId);
  return row.owner_id;
}
