/**
 * The server's protected-path rule at the API boundary (`shared/paths/protected_paths.ts`): a change
 * that would create or write `.sandsync/…`, a `.sandsync-tmp-*` name, or `.git/…` in a workspace
 * that has not opted in (`sync_git`) is refused with `invalid_path` (400) before any quota is
 * reserved or any byte stored. The trigger `files_refuse_protected_path` refuses the same rows
 * in SQL, whatever route writes them. Deletions pass (cleaning up what was synced before).
 *
 * @module
 */
import { errors } from "../../../../shared/protocol/errors.ts";
import { protectedPathProblem } from "../../../../shared/paths/protected_paths.ts";
import type { Tx } from "./db.ts";

/** A change as far as the rule cares. */
export interface PathChange {
  readonly path: string;
  readonly sha256: string | null;
  readonly deleted?: boolean | undefined;
}

/** Throws `invalid_path` for the first live change at a protected path of the workspace. */
export async function refuseProtectedPaths(
  tx: Tx,
  workspaceId: string,
  changes: readonly PathChange[],
): Promise<void> {
  const live = changes.filter((change) => change.sha256 !== null && change.deleted !== true);
  // The workspace row is read only when a path could be protected (the common case reads none).
  if (!live.some((change) => protectedPathProblem(change.path) !== null)) return;
  const [row] = await tx<{ sync_git: boolean }[]>`
    select sync_git from sandsync.workspaces where id = ${workspaceId}`;
  const syncGit = row?.sync_git ?? false;
  for (const change of live) {
    const problem = protectedPathProblem(change.path, { syncGit });
    if (problem === null) continue;
    const reason = problem === "path_git"
      ? "protected: .git/ is not synced in this workspace (the owner can set sync_git)"
      : "reserved for the sync agents (.sandsync/, .sandsync-tmp-*)";
    throw errors.invalidPath(change.path, reason, problem);
  }
}
