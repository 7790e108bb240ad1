/**
 * Calls of the `conflicts` function (docs/api.md#conflicts): a workspace's conflicts, their
 * resolution with the current, incoming or merged content, and the server's three-way merge.
 *
 * @module
 */
import type { ConflictStrategy } from "../shared/merge/conflict.ts";
import type { VersionVector } from "../shared/version_vector.ts";
import type { RequestOptions, SyncApi } from "./sync_api.ts";
import { encodeBase64 } from "./transfer.ts";

/** Largest content of a `merged` resolution (decoded). */
export const MAX_RESOLVE_CONTENT_BYTES = 4 * 1024 * 1024;

/** One side of a conflict. */
export interface ConflictSideInfo {
  readonly versionId: string;
  readonly sha256: string | null;
  readonly size: number;
  readonly deleted: boolean;
  readonly replicaId: string | null;
  readonly committedAt: string;
  /** Signed download URL (one hour); absent for deletions. */
  readonly url?: string;
}

/** A conflict as `GET /conflicts` lists it. */
export interface Conflict {
  readonly id: string;
  readonly workspaceId: string;
  readonly path: string;
  readonly strategy: ConflictStrategy;
  readonly mergeRequired: boolean;
  readonly status: "open" | "resolved";
  readonly resolution: "current" | "incoming" | "merged" | "last_write_wins" | null;
  readonly resolvedVersionId: string | null;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
  /** The file's current version now (send it as `expectedCurrentVersionId`). */
  readonly fileCurrentVersionId: string | null;
  readonly conflictCopyPath: string | null;
  /** The server's side when the conflict arose. */
  readonly current: ConflictSideInfo;
  /** The committer's side (kept as a version, not current). */
  readonly incoming: ConflictSideInfo;
  /** The common base, when known. */
  readonly ancestor: ConflictSideInfo | null;
}

/** How a conflict is settled: keep the current side, take the incoming one, or new content. */
export type ConflictResolutionKind = "current" | "incoming" | "merged";

/** The new version a resolution (or a clean merge) made. */
export interface ResolvedConflict {
  readonly conflictId: string;
  readonly resolution?: ConflictResolutionKind;
  readonly versionId: string;
  readonly vector: VersionVector;
  readonly seq: number;
  readonly path?: string;
  readonly sha256: string | null;
  readonly size: number;
  readonly deleted?: boolean;
}

/** A hunk both sides changed, from the server's merge. */
export interface MergeHunk {
  readonly base: { start: number; count: number; lines: string[] };
  readonly current: { start: number; count: number; lines: string[] };
  readonly incoming: { start: number; count: number; lines: string[] };
}

/** The answer of `POST /conflicts/<id>/merge`. */
export type MergeAnswer =
  | ({ readonly merged: true } & ResolvedConflict)
  | {
    readonly merged: false;
    readonly conflictId: string;
    readonly reason: "overlapping" | "binary" | "too_large" | "no_ancestor" | "deleted";
    readonly hunks: readonly MergeHunk[];
  };

/** `GET /conflicts?workspaceId=`: open conflicts (or all), oldest first. */
export async function listConflicts(
  api: SyncApi,
  query: { workspaceId: string; status?: "open" | "all" },
  options: RequestOptions = {},
): Promise<Conflict[]> {
  const params = new URLSearchParams({
    workspaceId: query.workspaceId,
    status: query.status ?? "open",
  });
  const answer = await api.request<{ conflicts: Conflict[] }>(
    "GET",
    `conflicts?${params}`,
    undefined,
    options,
  );
  return answer.conflicts;
}

/** What to resolve a conflict with. */
export interface ResolveInput {
  readonly conflictId: string;
  /** A replica registered in the workspace: the new version is recorded for it. */
  readonly replicaId: string;
  readonly resolution: ConflictResolutionKind;
  /** The bytes of a `merged` resolution (at most 4 MiB). */
  readonly content?: Uint8Array;
  /** File mode of a `merged` resolution. */
  readonly mode?: number;
  /** The file's current version the caller looked at (default: the conflict's current side). */
  readonly expectedCurrentVersionId?: string;
}

/** `POST /conflicts/<id>/resolve`. */
export function resolveConflict(
  api: SyncApi,
  input: ResolveInput,
  options: RequestOptions = {},
): Promise<ResolvedConflict> {
  const body = {
    replicaId: input.replicaId,
    resolution: input.resolution,
    ...(input.content ? { content: encodeBase64(input.content) } : {}),
    ...(input.mode !== undefined && input.resolution === "merged" ? { mode: input.mode } : {}),
    ...(input.expectedCurrentVersionId
      ? { expectedCurrentVersionId: input.expectedCurrentVersionId }
      : {}),
  };
  return api.request(
    "POST",
    `conflicts/${encodeURIComponent(input.conflictId)}/resolve`,
    body,
    options,
  );
}

/** `POST /conflicts/<id>/merge`: the server's three-way merge; resolves the conflict when clean. */
export function mergeConflict(
  api: SyncApi,
  input: { conflictId: string; replicaId?: string; expectedCurrentVersionId?: string },
  options: RequestOptions = {},
): Promise<MergeAnswer> {
  const { conflictId, ...body } = input;
  return api.request("POST", `conflicts/${encodeURIComponent(conflictId)}/merge`, body, options);
}
