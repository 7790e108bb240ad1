/**
 * Server-side three-way merge of conflicts (`auto_merge`,
 * docs/decisions/0005-conflict-strategies.md): read the ancestor, the file's current version and
 * the incoming one from Storage, merge text with shared/merge/merge.ts and, when clean, store the
 * result and resolve the conflict with it, so one version dominating both sides becomes current.
 * Used on demand (`POST conflicts/<id>/merge`) and right after a commit in an `auto_merge`
 * workspace ({@linkcode autoMergeCommit}), where a merge that cannot be made falls back to the
 * workspace's `merge_fallback`.
 *
 * @module
 */
import { type ErrorCode, errors, isSyncError } from "../../../../shared/protocol/errors.ts";
import type { BlobStore } from "../blobs/blob_store.ts";
import { ingestBytes } from "../blobs/blob_ingest.ts";
import { openBlob } from "../blobs/blob_read.ts";
import type { Caller } from "../edge/caller.ts";
import {
  assertResolvable,
  type ConflictSideState,
  loadConflict,
  resolveConflict,
} from "./conflict_store.ts";
import type { Database } from "../db/db.ts";
import { MAX_MERGE_BYTES, planMerge, precheckMerge } from "./merge_plan.ts";
import type {
  MergeAnswer,
  MergeHunk,
  MergeRefusal,
  MergeRequest,
} from "../../../../shared/protocol/conflicts.ts";
import type { CommitAnswer, CommitItemAnswer } from "../../../../shared/protocol/sync.ts";

/** Most conflicts one commit merges before answering; the rest stay open (`deferred`). */
export const MAX_AUTO_MERGES_PER_COMMIT = 50;

/** What the merge service needs. */
export interface MergeDeps {
  readonly db: Database;
  readonly blobs: BlobStore;
  /** Largest side merged, in bytes (default {@linkcode MAX_MERGE_BYTES}). */
  readonly maxMergeBytes?: number;
}

/** Three-way merges of open conflicts. */
export class MergeService {
  readonly #deps: MergeDeps;

  constructor(deps: MergeDeps) {
    this.#deps = deps;
  }

  /**
   * Merges an open conflict. Clean: the merged bytes are stored and the conflict resolved with
   * them. Otherwise the conflict stays open and the answer says why (with the hunks when both
   * sides changed the same lines).
   */
  async merge(
    caller: Caller,
    conflictId: string,
    request: MergeRequest = {},
  ): Promise<MergeAnswer> {
    const { db } = this.#deps;
    const state = await db.asCaller(caller, async (tx) => {
      const state = await loadConflict(tx, caller, conflictId);
      const replicaId = request.replicaId ?? state.incoming?.replicaId;
      if (!replicaId) throw errors.badRequest(`conflict "${conflictId}" needs a replicaId`);
      const seen = request.expectedCurrentVersionId ?? state.file?.versionId ?? null;
      await assertResolvable(tx, state, { replicaId, seenVersionId: seen });
      return { ...state, replicaId };
    });
    const refuse = (reason: MergeRefusal, hunks: readonly MergeHunk[] = []): MergeAnswer => ({
      merged: false,
      conflictId,
      reason,
      hunks,
    });
    const { file, incoming, ancestor } = state;
    if (!file || !incoming) return refuse("deleted");
    const max = this.#deps.maxMergeBytes ?? MAX_MERGE_BYTES;
    const early = precheckMerge({ ancestor, current: file, incoming }, max);
    if (early || !ancestor) return refuse(early ?? "no_ancestor");

    const [base, current, theirs] = await Promise.all(
      [ancestor, file, incoming].map((side) => this.#read(state, side)),
    );
    const plan = planMerge({ base: base!, current: current!, incoming: theirs! }, {
      maxBytes: max,
    });
    if (!plan.merged) return refuse(plan.reason, plan.hunks);

    const blob = await ingestBytes(this.#deps, caller, {
      ownerId: state.ownerId,
      bytes: plan.bytes,
    });
    const resolved = await resolveConflict(db, caller, {
      conflictId,
      replicaId: state.replicaId,
      choice: "merged",
      seenVersionId: file.versionId,
      merged: {
        ...blob,
        mode: file.mode,
        ...(plan.stats ? { lines_added: plan.stats.added, lines_removed: plan.stats.removed } : {}),
      },
    });
    return {
      merged: true,
      conflictId,
      versionId: resolved.versionId,
      vector: resolved.vector,
      seq: resolved.seq,
      sha256: blob.sha256,
      size: blob.size,
    };
  }

  async #read(
    where: { readonly ownerId: string; readonly workspaceId: string },
    side: ConflictSideState,
  ): Promise<Uint8Array> {
    if (side.sha256 === null) return new Uint8Array();
    const response = await openBlob(this.#deps, {
      owner: where.ownerId,
      workspaceId: where.workspaceId,
      sha256: side.sha256,
    });
    if (!response) throw errors.blobMissing(side.sha256);
    return new Uint8Array(await response.arrayBuffer());
  }

  /**
   * The end of a commit in an `auto_merge` workspace: each item the SQL left as `conflict` with
   * a merge required is merged now; clean merges are answered as `merged` (`autoMerged: true`,
   * the merged blob's `sha256` and `size`: download it), the rest follow the workspace's
   * `merge_fallback` (`last_write_wins`: resolved with incoming, answered `applied`;
   * `user_intervention`: left open) and say why in `mergeRefused`. A failure here never fails
   * the commit, which has already happened: the conflict simply stays open.
   */
  async afterCommit(
    caller: Caller,
    request: { readonly workspaceId: string; readonly replicaId: string },
    result: CommitAnswer,
  ): Promise<CommitAnswer> {
    const pending = result.items.filter((item) =>
      item.outcome === "conflict" && item.conflictId !== undefined
    );
    if (pending.length === 0) return result;
    const [workspace] = await this.#deps.db.asCaller(caller, (tx) =>
      tx<{ strategy: string }[]>`
        select strategy from sandsync.workspaces where id = ${request.workspaceId}`);
    if (workspace?.strategy !== "auto_merge") return result;

    const replaced = new Map<number, CommitItemAnswer>();
    let attempts = 0;
    for (const item of pending) {
      const conflictId = item.conflictId!;
      let refused: MergeNote | undefined;
      try {
        const state = await this.#deps.db.asCaller(
          caller,
          (tx) => loadConflict(tx, caller, conflictId),
        );
        if (state.status === "open") {
          // Without a merge required the SQL already applied the fallback (no usable ancestor).
          if (!state.mergeRequired) continue;
          if (attempts++ >= MAX_AUTO_MERGES_PER_COMMIT) {
            refused = "deferred";
          } else {
            const attempt = await this.merge(caller, conflictId, { replicaId: request.replicaId });
            if (!attempt.merged) {
              refused = attempt.reason;
              if (state.mergeFallback === "last_write_wins") {
                await resolveConflict(this.#deps.db, caller, {
                  conflictId,
                  replicaId: request.replicaId,
                  choice: "incoming",
                  seenVersionId: state.file?.versionId ?? null,
                });
              }
            }
          }
        }
      } catch (error) {
        // Stale or closed by a concurrent writer, Storage down, quota full: the conflict is
        // whatever the database says now; only unexpected failures are worth a log line.
        if (!isSyncError(error)) console.error("sandsync auto-merge failed:", error);
        refused = isSyncError(error) ? error.code : "internal_error";
      }
      replaced.set(
        item.index,
        await this.#describe(caller, item, refused),
      );
    }
    return {
      ...result,
      items: result.items.map((item) => replaced.get(item.index) ?? item),
    };
  }

  /** A conflict item rewritten from what the database now says about its conflict. */
  async #describe(
    caller: Caller,
    item: CommitItemAnswer,
    refused: MergeNote | undefined,
  ): Promise<CommitItemAnswer> {
    const unchanged = refused ? { ...item, mergeRefused: refused } : item;
    let row: DescribedRow | undefined;
    try {
      [row] = await this.#deps.db.asCaller(caller, (tx) =>
        tx<DescribedRow[]>`
          select c.status, c.resolution, c.resolved_version_id, c.current_version_id,
            rv.sha256, rv.size, f.current_version_id as file_version_id, f.vector,
            iv.vector as incoming_vector
          from sandsync.conflicts as c
          join sandsync.files as f on f.id = c.file_id
          left join sandsync.versions as rv on rv.id = c.resolved_version_id
          left join sandsync.versions as iv on iv.id = c.incoming_version_id
          where c.id = ${item.conflictId!}`);
    } catch (error) {
      if (!isSyncError(error)) console.error("sandsync auto-merge: cannot read conflict:", error);
    }
    if (!row || row.status === "open") return unchanged;
    const current = {
      ...(row.file_version_id ? { currentVersionId: row.file_version_id } : {}),
      vector: row.vector,
    };
    const resolved = row.resolved_version_id ? { versionId: row.resolved_version_id } : {};
    if (row.resolution === "merged") {
      return {
        ...item,
        outcome: "merged",
        ...resolved,
        ...current,
        autoMerged: true,
        // The vector the server gave the version this change became (before the merge that
        // dominates it): the client records its own bytes under it, never a guess.
        ...(row.incoming_vector ? { incomingVector: row.incoming_vector } : {}),
        ...(row.sha256 ? { sha256: row.sha256 } : {}),
        size: Number(row.size),
      };
    }
    if (row.resolution === "incoming") {
      return {
        ...item,
        outcome: "applied",
        ...resolved,
        ...current,
        ...(row.current_version_id ? { supersededVersionId: row.current_version_id } : {}),
        ...(refused ? { mergeRefused: refused } : {}),
      };
    }
    return unchanged;
  }
}

interface DescribedRow {
  status: "open" | "resolved";
  resolution: string | null;
  resolved_version_id: string | null;
  current_version_id: string | null;
  sha256: string | null;
  size: string | null;
  incoming_vector: Record<string, number> | null;
  file_version_id: string | null;
  vector: Record<string, number>;
}

/**
 * Why an auto-merge did not happen: a {@linkcode MergeRefusal}, `deferred` (over
 * {@linkcode MAX_AUTO_MERGES_PER_COMMIT}), or the code of the error that stopped it
 * (`quota_exceeded` when the merged bytes did not fit, `internal_error` for anything unexpected).
 */
export type MergeNote = MergeRefusal | "deferred" | ErrorCode;

/**
 * The hook at the end of `SyncService.commit`: auto-merges the commit's conflicts when the
 * workspace's strategy is `auto_merge` (see {@linkcode MergeService.afterCommit}).
 */
export function autoMergeCommit(
  deps: MergeDeps,
  caller: Caller,
  request: { readonly workspaceId: string; readonly replicaId: string },
  result: CommitAnswer,
): Promise<CommitAnswer> {
  return new MergeService(deps).afterCommit(caller, request, result);
}
