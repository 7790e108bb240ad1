/**
 * The commit, in one place. It checks what SQL cannot check cheaply (the replica, the vector keys,
 * protected paths), stores inline bytes, verifies uploaded ones, calls the SQL commit
 * (commit_changes.ts, which converts its answer to the camelCase `CommitAnswer` once), and lets
 * the conflicts module auto-merge. The sync function's `commit` route and the E2B bridge's pull
 * and restore both commit through here.
 *
 * @module
 */
import { errors } from "../../../../shared/protocol/errors.ts";
import { sha256Hex } from "../../../../shared/hash.ts";
import { decodeBase64 } from "../../../../shared/base64.ts";
import type { CommitAnswer, CommitRequest, FileChange } from "../../../../shared/protocol/sync.ts";
import { assertWorkspaceScope } from "../edge/auth.ts";
import type { Caller } from "../edge/caller.ts";
import { ingestBlobs } from "../blobs/blob_ingest.ts";
import type { BlobStore } from "../blobs/blob_store.ts";
import { verifyUploadedBlobs } from "../blobs/blob_verify.ts";
import { autoMergeCommit } from "../conflicts/merge_service.ts";
import { commitChanges, type SqlCommitItem } from "./commit_changes.ts";
import type { Database, Tx } from "../db/db.ts";
import { refuseProtectedPaths } from "../db/protected_check.ts";
import { workspaceOwner } from "../db/workspaces.ts";

/** What a commit needs. */
export interface CommitDeps {
  readonly db: Database;
  readonly blobs: BlobStore;
}

/** Commits change sets for callers of the sync API and the bridge. */
export class CommitService {
  readonly #db: Database;
  readonly #blobs: BlobStore;

  constructor(deps: CommitDeps) {
    this.#db = deps.db;
    this.#blobs = deps.blobs;
  }

  /** Verifies new blobs, stores inline ones, then commits the change set in one SQL call. */
  async commit(caller: Caller, request: CommitRequest): Promise<CommitAnswer> {
    assertWorkspaceScope(caller, request.workspaceId);
    // Refuse an unknown workspace or replica before any byte is stored (nothing left behind).
    const { owner, known } = await this.#db.asCaller(caller, async (tx) => {
      const owner = await workspaceOwner(tx, request.workspaceId);
      const [replica] = await tx`select 1 from sandsync.replicas
        where id = ${request.replicaId} and workspace_id = ${request.workspaceId}`;
      if (!replica) throw errors.replicaNotFound(request.replicaId);
      await assertVectorKeys(tx, request.workspaceId, request.changes);
      await refuseProtectedPaths(tx, request.workspaceId, request.changes);
      // A known idempotency key goes straight to commit_changes, which replays the stored answer
      // or refuses other items: either way no inline blob may be stored for it first.
      const [prior] = await tx`select 1 from sandsync.change_sets
        where workspace_id = ${request.workspaceId} and idempotency_key = ${request.idempotencyKey}`;
      return { owner, known: prior !== undefined };
    });
    if (!known) {
      await this.#storeInline(caller, owner, request);
      const needed = uniqueBlobs(request.changes).filter((blob) => !request.inline?.[blob.sha256]);
      await verifyUploadedBlobs({ db: this.#db, blobs: this.#blobs }, { caller, owner, needed });
    }
    const items = request.changes.map(toCommitItem);
    const answer = await this.#db.asCaller(caller, (tx) =>
      commitChanges(tx, {
        workspaceId: request.workspaceId,
        replicaId: request.replicaId,
        idempotencyKey: request.idempotencyKey,
        items,
      }));
    // auto_merge workspaces: the commit's conflicts are merged server-side (merge_service.ts).
    const deps = { db: this.#db, blobs: this.#blobs };
    return await autoMergeCommit(deps, caller, request, answer);
  }

  async #storeInline(caller: Caller, owner: string, request: CommitRequest): Promise<void> {
    // In the order of the changes (a path order): a pack then lies in the order replicas read
    // the journal and the manifest in, so one range request fetches many neighbours.
    const order = new Map<string, number>();
    request.changes.forEach((change, i) => {
      if (change.sha256 !== null && !order.has(change.sha256)) order.set(change.sha256, i);
    });
    const inline = Object.entries(request.inline ?? {})
      .sort(([a], [b]) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    const decoded = inline.map(([sha256, data]) => {
      const bytes = decodeBase64(data);
      const actual = sha256Hex(bytes);
      if (actual !== sha256) throw errors.hashMismatch(`inline:${sha256}`, sha256, actual);
      return { sha256, bytes };
    });
    // Inline bytes count against concurrent uploads like any other (reserved first).
    await ingestBlobs({ db: this.#db, blobs: this.#blobs }, {
      caller,
      owner,
      items: decoded,
      workspaceId: request.workspaceId,
    });
  }
}

/**
 * Refuses base vectors naming replicas the workspace does not have: a vector is copied into every
 * later version of its file, so a made-up key would stay forever (SQL checks again on insert).
 */
export async function assertVectorKeys(
  tx: Tx,
  workspaceId: string,
  changes: readonly FileChange[],
): Promise<void> {
  const keys = new Set<string>();
  for (const change of changes) for (const key of Object.keys(change.base ?? {})) keys.add(key);
  // Conflict copies carry the workspace id as their only key (commit_changes).
  keys.delete(workspaceId);
  if (keys.size === 0) return;
  const rows = await tx<{ id: string }[]>`select id from sandsync.replicas
    where workspace_id = ${workspaceId} and id = any(${[...keys]}::uuid[])`;
  for (const row of rows) keys.delete(row.id);
  const [stranger] = keys;
  if (stranger === undefined) return;
  const index = changes.findIndex((change) => Object.hasOwn(change.base ?? {}, stranger));
  throw errors.validationFailed([{
    path: `changes.${index}.base.${stranger}`,
    message: "not a replica of this workspace",
  }]);
}

/** The distinct blobs a change set references (deletions reference none). */
export function uniqueBlobs(changes: readonly FileChange[]): { sha256: string; size: number }[] {
  const blobs = new Map<string, number>();
  for (const change of changes) {
    if (change.sha256 !== null && !change.deleted) blobs.set(change.sha256, change.size);
  }
  return [...blobs].map(([sha256, size]) => ({ sha256, size }));
}

function toCommitItem(change: FileChange): SqlCommitItem {
  const deleted = change.deleted === true || change.sha256 === null;
  return {
    path: change.path,
    deleted,
    ...(deleted ? {} : { sha256: change.sha256, size: change.size }),
    mode: change.mode,
    mtime: new Date(change.mtime).toISOString(),
    base: change.base ?? {},
    ...(change.diffStats
      ? { lines_added: change.diffStats.added, lines_removed: change.diffStats.removed }
      : {}),
  };
}
