/**
 * Conflicts of a workspace: list them with both sides (and the ancestor) and signed download
 * URLs of their bytes, and resolve one with `current`, `incoming` or `merged` content, which is
 * stored as a blob first (quota reserved). Everything `resolve_conflict` would refuse is refused
 * before any byte is stored, so a refused resolution leaves nothing behind.
 *
 * @module
 */
import { workspaceOwner } from "../_shared/db/workspaces.ts";
import { downloadUrlTtl } from "../_shared/edge/url_ttl.ts";
import { errors } from "../../../shared/protocol/errors.ts";
import { assertWorkspaceScope } from "../_shared/edge/auth.ts";
import type { BlobStore } from "../_shared/blobs/blob_store.ts";
import { signBlobs } from "../_shared/blobs/blob_read.ts";
import { ingestBytes } from "../_shared/blobs/blob_ingest.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import {
  assertResolvable,
  loadConflict,
  resolveConflict,
} from "../_shared/conflicts/conflict_store.ts";
import type { Database } from "../_shared/db/db.ts";
import {
  type Conflict,
  type ConflictList,
  type ConflictSide,
  MAX_RESOLVE_CONTENT_BYTES,
  type ResolvedConflict,
  type ResolveRequest,
} from "../../../shared/protocol/conflicts.ts";
import type { ConflictStrategy } from "../../../shared/merge/conflict.ts";

/** How long the signed download URLs of a listing live. */
export const CONFLICT_URL_TTL_SECONDS = 3600;

interface ListRow {
  conflict_id: string;
  path: string;
  strategy: ConflictStrategy;
  merge_required: boolean;
  status: Conflict["status"];
  resolution: Conflict["resolution"];
  created_at: Date;
  file_current_version_id: string | null;
  current_version_id: string | null;
  incoming_version_id: string | null;
  ancestor_version_id: string | null;
  conflict_copy_path: string | null;
}

interface VersionRow {
  id: string;
  sha256: string | null;
  size: string;
  deleted: boolean;
  replica_id: string | null;
  committed_at: Date;
}

interface ExtraRow {
  id: string;
  resolved_version_id: string | null;
  resolved_at: Date | null;
}

/** A resolution request, validated, with its content decoded. */
export type ResolveInput = Omit<ResolveRequest, "content"> & {
  /** Merged bytes (for `merged`). */
  readonly content?: Uint8Array | undefined;
};

/** Listing and resolving conflicts. */
export class ConflictService {
  readonly #db: Database;
  readonly #blobs: BlobStore;

  constructor(deps: { readonly db: Database; readonly blobs: BlobStore }) {
    this.#db = deps.db;
    this.#blobs = deps.blobs;
  }

  /** The workspace's conflicts (`open` or `all`), oldest first. */
  async list(
    caller: Caller,
    query: { readonly workspaceId: string; readonly status: "open" | "all" },
  ): Promise<ConflictList> {
    assertWorkspaceScope(caller, query.workspaceId);
    const { owner, rows, versions, extras } = await this.#db.asCaller(caller, async (tx) => {
      const owner = await workspaceOwner(tx, query.workspaceId);
      const rows = await tx<ListRow[]>`
        select * from public.list_conflicts(${query.workspaceId},
          ${query.status === "all" ? null : query.status})`;
      const ids = rows.map((row) => row.conflict_id);
      const versionIds = [
        ...new Set(
          rows.flatMap((row) => [
            row.current_version_id,
            row.incoming_version_id,
            row.ancestor_version_id,
          ]).filter((id): id is string => id !== null),
        ),
      ];
      const versions = versionIds.length === 0 ? [] : await tx<VersionRow[]>`
        select id, sha256, size, deleted, replica_id, committed_at from sandsync.versions
        where id = any(${versionIds}::uuid[])`;
      const extras = ids.length === 0 ? [] : await tx<ExtraRow[]>`
        select id, resolved_version_id, resolved_at from sandsync.conflicts
        where id = any(${ids}::uuid[])`;
      return { owner, rows, versions, extras };
    });

    const signed = await signBlobs({ db: this.#db, blobs: this.#blobs }, {
      owner,
      workspaceId: query.workspaceId,
      sha256s: versions.filter((v) => !v.deleted && v.sha256).map((v) => v.sha256!),
      expiresInSeconds: downloadUrlTtl(caller, CONFLICT_URL_TTL_SECONDS),
    });
    const byId = new Map(versions.map((v) => [v.id, v]));
    const extraById = new Map(extras.map((e) => [e.id, e]));
    const side = (id: string | null): ConflictSide | null => {
      const v = id === null ? undefined : byId.get(id);
      if (!v) return null;
      const blob = !v.deleted && v.sha256 ? signed.get(v.sha256) : undefined;
      return {
        versionId: v.id,
        sha256: v.sha256,
        size: Number(v.size),
        deleted: v.deleted,
        replicaId: v.replica_id,
        committedAt: v.committed_at.toISOString(),
        ...(blob ?? {}),
      };
    };
    return {
      workspaceId: query.workspaceId,
      status: query.status,
      conflicts: rows.map((row): Conflict => {
        const extra = extraById.get(row.conflict_id);
        return {
          id: row.conflict_id,
          workspaceId: query.workspaceId,
          path: row.path,
          strategy: row.strategy,
          mergeRequired: row.merge_required,
          status: row.status,
          resolution: row.resolution,
          resolvedVersionId: extra?.resolved_version_id ?? null,
          createdAt: row.created_at.toISOString(),
          resolvedAt: extra?.resolved_at?.toISOString() ?? null,
          fileCurrentVersionId: row.file_current_version_id,
          conflictCopyPath: row.conflict_copy_path,
          current: side(row.current_version_id),
          incoming: side(row.incoming_version_id),
          ancestor: side(row.ancestor_version_id),
        };
      }),
    };
  }

  /**
   * Resolves an open conflict: the answer names the new version, which dominates both sides.
   * Refuses a closed conflict (`conflict_closed`), a view of a file that has moved on
   * (`precondition_failed`) and an unknown replica before storing any merged byte.
   */
  async resolve(
    caller: Caller,
    conflictId: string,
    input: ResolveInput,
  ): Promise<ResolvedConflict> {
    const state = await this.#db.asCaller(caller, async (tx) => {
      const state = await loadConflict(tx, caller, conflictId);
      await assertResolvable(tx, state, {
        replicaId: input.replicaId,
        seenVersionId: input.expectedCurrentVersionId ?? state.currentVersionId,
      });
      return state;
    });
    const seen = state.file?.versionId ?? null;
    let content: { sha256: string | null; size: number } | undefined;
    let merged;
    if (input.resolution === "merged") {
      const bytes = input.content ?? new Uint8Array();
      if (bytes.byteLength > MAX_RESOLVE_CONTENT_BYTES) {
        throw errors.fileTooLarge(state.path, bytes.byteLength, MAX_RESOLVE_CONTENT_BYTES);
      }
      const blob = await ingestBytes({ db: this.#db, blobs: this.#blobs }, caller, {
        ownerId: state.ownerId,
        bytes,
      });
      merged = { ...blob, ...(input.mode === undefined ? {} : { mode: input.mode }) };
      content = blob;
    } else {
      const side = input.resolution === "current" ? state.file : state.incoming;
      content = side && !side.deleted ? side : { sha256: null, size: 0 };
    }
    const resolved = await resolveConflict(this.#db, caller, {
      conflictId,
      replicaId: input.replicaId,
      choice: input.resolution,
      seenVersionId: seen,
      ...(merged ? { merged } : {}),
    });
    return {
      ...resolved,
      path: state.path,
      sha256: content.sha256,
      size: content.size,
      deleted: content.sha256 === null,
    };
  }
}
