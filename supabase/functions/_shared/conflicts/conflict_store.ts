/**
 * Database access for one conflict: its state with both sides, the ancestor and the file's
 * current version (as the caller, so RLS hides other users' conflicts), and its resolution
 * through `public.resolve_conflict`, which locks, refuses stale views and closed conflicts, and
 * writes the version that dominates both sides.
 *
 * @module
 */
import { errors } from "../../../../shared/protocol/errors.ts";
import type { Caller } from "../edge/caller.ts";
import type { Database, Tx } from "../db/db.ts";

/** One version as a side of a conflict. */
export interface ConflictSideState {
  readonly versionId: string;
  readonly sha256: string | null;
  readonly size: number;
  readonly deleted: boolean;
  readonly mode: number;
  readonly replicaId: string | null;
}

/** A conflict with what merging or resolving it needs. */
export interface ConflictState {
  readonly id: string;
  readonly workspaceId: string;
  readonly ownerId: string;
  readonly path: string;
  readonly status: "open" | "resolved";
  readonly resolution: string | null;
  readonly resolvedVersionId: string | null;
  readonly mergeRequired: boolean;
  /** The workspace's strategy and fallback now (not when the conflict arose). */
  readonly workspaceStrategy: string;
  readonly mergeFallback: "user_intervention" | "last_write_wins";
  /** The side recorded when the conflict arose. */
  readonly currentVersionId: string | null;
  /** The file as it is now: what a resolution must name as seen. */
  readonly file: ConflictSideState | null;
  readonly incoming: ConflictSideState | null;
  readonly ancestor: ConflictSideState | null;
}

interface StateRow {
  id: string;
  workspace_id: string;
  owner_id: string;
  path: string;
  status: "open" | "resolved";
  resolution: string | null;
  resolved_version_id: string | null;
  merge_required: boolean;
  workspace_strategy: string;
  merge_fallback: "user_intervention" | "last_write_wins";
  current_version_id: string | null;
  sides: Record<"file" | "incoming" | "ancestor", SideRow | null>;
}

interface SideRow {
  id: string;
  sha256: string | null;
  size: number;
  deleted: boolean;
  mode: number;
  replica_id: string | null;
}

/**
 * Reads a conflict in `tx`; `conflict_not_found` when it does not exist, is not the caller's,
 * or lies outside an agent token's workspace (the same answer, so nothing leaks).
 */
export async function loadConflict(
  tx: Tx,
  caller: Caller,
  conflictId: string,
): Promise<ConflictState> {
  const [row] = await tx<StateRow[]>`
    select c.id, c.workspace_id, c.owner_id, c.path, c.status, c.resolution, c.resolved_version_id,
      c.merge_required, w.strategy as workspace_strategy, w.merge_fallback, c.current_version_id,
      jsonb_build_object(
        'file', case when fv.id is not null then to_jsonb(fv) end,
        'incoming', case when iv.id is not null then to_jsonb(iv) end,
        'ancestor', case when av.id is not null then to_jsonb(av) end) as sides
    from sandsync.conflicts as c
    join sandsync.workspaces as w on w.id = c.workspace_id
    join sandsync.files as f on f.id = c.file_id
    left join sandsync.versions as fv on fv.id = f.current_version_id
    left join sandsync.versions as iv on iv.id = c.incoming_version_id
    left join sandsync.versions as av on av.id = c.ancestor_version_id
    where c.id = ${conflictId}`;
  if (!row || (caller.workspaceId !== undefined && caller.workspaceId !== row.workspace_id)) {
    throw errors.conflictNotFound(conflictId);
  }
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    ownerId: row.owner_id,
    path: row.path,
    status: row.status,
    resolution: row.resolution,
    resolvedVersionId: row.resolved_version_id,
    mergeRequired: row.merge_required,
    workspaceStrategy: row.workspace_strategy,
    mergeFallback: row.merge_fallback,
    currentVersionId: row.current_version_id,
    file: toSide(row.sides.file),
    incoming: toSide(row.sides.incoming),
    ancestor: toSide(row.sides.ancestor),
  };
}

function toSide(row: SideRow | null): ConflictSideState | null {
  if (!row) return null;
  return {
    versionId: row.id,
    sha256: row.sha256,
    size: Number(row.size),
    deleted: row.deleted,
    mode: row.mode,
    replicaId: row.replica_id,
  };
}

/**
 * Refuses, before anything is written, what `resolve_conflict` would refuse: a closed conflict,
 * a view of a file that has moved on, a replica not registered in the conflict's workspace.
 */
export async function assertResolvable(
  tx: Tx,
  state: ConflictState,
  options: { readonly replicaId: string; readonly seenVersionId: string | null },
): Promise<void> {
  if (state.status !== "open") throw errors.conflictClosed(state.id);
  if (options.seenVersionId !== (state.file?.versionId ?? null)) {
    throw errors.staleResolution(state.id);
  }
  const [replica] = await tx<{ id: string }[]>`
    select id from sandsync.replicas
    where id = ${options.replicaId} and workspace_id = ${state.workspaceId}`;
  if (!replica) throw errors.replicaNotFound(options.replicaId);
}

/** Merged content naming a stored blob, as `resolve_conflict` takes it. */
export interface MergedContent {
  readonly sha256: string;
  readonly size: number;
  readonly mode?: number;
  readonly lines_added?: number;
  readonly lines_removed?: number;
}

/** What `resolve_conflict` answers. */
export interface ResolvedConflict {
  readonly conflictId: string;
  readonly resolution: "current" | "incoming" | "merged";
  readonly versionId: string;
  readonly vector: Record<string, number>;
  readonly seq: number;
}

/** Resolves an open conflict in one SQL call as `caller`. */
export async function resolveConflict(
  db: Database,
  caller: Caller,
  input: {
    readonly conflictId: string;
    readonly replicaId: string;
    readonly choice: "current" | "incoming" | "merged";
    readonly seenVersionId: string | null;
    readonly merged?: MergedContent;
  },
): Promise<ResolvedConflict> {
  const [row] = await db.asCaller(
    caller,
    (tx) =>
      tx<{ result: { version_id: string; vector: Record<string, number>; seq: number } }[]>`
      select public.resolve_conflict(${input.conflictId}, ${input.replicaId}, ${input.choice},
        ${input.seenVersionId}, ${input.merged ? tx.json({ ...input.merged }) : null}) as result`,
  );
  if (!row) throw errors.internal(new Error("resolve_conflict returned no row"));
  return {
    conflictId: input.conflictId,
    resolution: input.choice,
    versionId: row.result.version_id,
    vector: row.result.vector,
    seq: Number(row.result.seq),
  };
}
