/**
 * Calls of the `conflicts` function (docs/api.md#conflicts): a workspace's conflicts, their
 * resolution with the current, incoming or merged content, and the server's three-way merge.
 *
 * @module
 */
import {
  type Conflict,
  type ConflictList,
  type ConflictResolutionKind,
  type ConflictSide,
  type LineRange,
  MAX_RESOLVE_CONTENT_BYTES,
  type MergeAnswer,
  type MergeHunk,
  type MergeRefusal,
  type MergeRequest,
  type ResolvedConflict,
  type ResolveRequest,
} from "../shared/protocol/conflicts.ts";
import type { RequestOptions, SyncApi } from "./sync_api.ts";
import { encodeBase64 } from "../shared/base64.ts";

export { MAX_RESOLVE_CONTENT_BYTES };
export type {
  Conflict,
  ConflictResolutionKind,
  ConflictSide,
  LineRange,
  MergeAnswer,
  MergeHunk,
  MergeRefusal,
  ResolvedConflict,
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
  const answer = await api.request<ConflictList>(
    "GET",
    `conflicts?${params}`,
    undefined,
    options,
  );
  return [...answer.conflicts];
}

/** What to resolve a conflict with: the request body, with the content as bytes. */
export type ResolveInput = Omit<ResolveRequest, "content"> & {
  readonly conflictId: string;
  /** The bytes of a `merged` resolution (at most 4 MiB). */
  readonly content?: Uint8Array;
};

/** `POST /conflicts/<id>/resolve`. */
export function resolveConflict(
  api: SyncApi,
  input: ResolveInput,
  options: RequestOptions = {},
): Promise<ResolvedConflict> {
  const body: ResolveRequest = {
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
  input: MergeRequest & { conflictId: string },
  options: RequestOptions = {},
): Promise<MergeAnswer> {
  const { conflictId, ...body } = input;
  return api.request("POST", `conflicts/${encodeURIComponent(conflictId)}/merge`, body, options);
}
