/**
 * `sandsync conflicts` and `sandsync resolve`: a directory's view of the workspace's open
 * conflicts, and their resolution with git's words. `ours` keeps the local file (whichever
 * side it is, or an edit made since), `theirs` takes the other side (the workspace's, or the
 * committer's when the local file is the workspace's), `merge` asks the server's three-way
 * merge. The resolution is a new version on the server; the local file and the state base
 * then follow it (the daemon applies it, or this process pulls).
 *
 * @module
 */
import {
  type Conflict,
  listConflicts,
  MAX_RESOLVE_CONTENT_BYTES,
  mergeConflict,
  type MergeHunk,
  resolveConflict,
} from "../client/conflicts_api.ts";
import type { VersionVector } from "../shared/version_vector.ts";
import type { Agent } from "./agent.ts";
import { hashFile } from "./scanner.ts";

/** Which side `resolve` keeps. */
export type ResolveSide = "ours" | "theirs" | "merge";

/** What `resolve` did with one conflict. */
export interface ResolveReport {
  readonly path: string;
  readonly conflictId: string;
  readonly side: ResolveSide;
  /** True when the conflict is resolved (false: the merge was not clean). */
  readonly resolved: boolean;
  readonly resolution?: "current" | "incoming" | "merged";
  readonly versionId?: string;
  readonly sha256?: string | null;
  /** Why the merge was refused, with the overlapping hunks. */
  readonly reason?: string;
  readonly hunks?: readonly MergeHunk[];
  /** True when the local file now holds the resolution (and the state records it). */
  readonly localMatches: boolean;
}

/** Thrown when a resolution cannot be made as asked (nothing changed). */
export class ResolveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResolveError";
  }
}

/**
 * The workspace's open conflicts; the directory's record of open conflicts is brought in
 * line with them (resolved elsewhere: closed here).
 */
export async function openConflicts(agent: Agent): Promise<Conflict[]> {
  const conflicts = await listConflicts(agent.api, { workspaceId: agent.workspaceId });
  const open = new Set(conflicts.map((c) => c.id));
  agent.state.transaction(() => {
    for (const seen of agent.state.conflicts()) {
      if (!open.has(seen.conflictId)) agent.state.closeConflict(seen.conflictId);
    }
    for (const c of conflicts) {
      agent.state.openConflict({ conflictId: c.id, path: c.path, openedAt: c.createdAt });
    }
  });
  return conflicts;
}

/** Resolves the open conflict on `path` (`conflictId` picks one when several are open). */
export async function resolvePath(
  agent: Agent,
  path: string,
  options: { side: ResolveSide; conflictId?: string },
): Promise<ResolveReport> {
  const candidates = (await openConflicts(agent)).filter((c) =>
    c.path === path && (!options.conflictId || c.id === options.conflictId)
  );
  if (candidates.length === 0) throw new ResolveError(`No open conflict on "${path}"`);
  if (candidates.length > 1) {
    throw new ResolveError(
      `${candidates.length} open conflicts on "${path}": pick one with --id (${
        candidates.map((c) => c.id).join(", ")
      })`,
    );
  }
  const conflict = candidates[0]!;
  const local = await localFile(agent, path);
  // A side is null once its version is gone: the local file cannot be that side then.
  const { current, incoming } = conflict;
  const isIncoming = local !== null && incoming !== null && !incoming.deleted &&
    local.sha256 === incoming.sha256;
  const isCurrent = local !== null && current !== null && !current.deleted &&
    local.sha256 === current.sha256 &&
    conflict.fileCurrentVersionId === current.versionId;
  const expectedCurrentVersionId = conflict.fileCurrentVersionId ?? undefined;
  const base = { path, conflictId: conflict.id, side: options.side };
  if (options.side !== "ours" && local !== null && !isIncoming && !isCurrent) {
    throw new ResolveError(
      `"${path}" was edited here since the conflict: --${options.side} would discard that edit; ` +
        "use --ours to keep it, or undo it first",
    );
  }

  let answer: Resolved;
  if (options.side === "merge") {
    const merged = await mergeConflict(agent.api, {
      conflictId: conflict.id,
      replicaId: agent.replicaId,
      ...(expectedCurrentVersionId ? { expectedCurrentVersionId } : {}),
    });
    if (!merged.merged) {
      return {
        ...base,
        resolved: false,
        reason: merged.reason,
        hunks: merged.hunks,
        localMatches: false,
      };
    }
    answer = { ...merged, resolution: "merged" };
  } else {
    let resolution: "current" | "incoming" | "merged";
    let content: Uint8Array | undefined;
    if (options.side === "theirs") {
      // The other side: the workspace's, unless the local file is the workspace's already.
      resolution = isCurrent && !isIncoming ? "incoming" : "current";
    } else if (local === null) {
      if (incoming?.deleted) resolution = "incoming";
      else if (current?.deleted) resolution = "current";
      else {
        throw new ResolveError(`"${path}" is missing here: restore it, or use --theirs`);
      }
    } else if (isIncoming) resolution = "incoming";
    else if (isCurrent) resolution = "current";
    else {
      if (local.size > MAX_RESOLVE_CONTENT_BYTES) {
        throw new ResolveError(
          `Cannot resolve "${path}" with the local file: size ${local.size} exceeds limit ${MAX_RESOLVE_CONTENT_BYTES}`,
        );
      }
      resolution = "merged";
      const source = await agent.fs.openRead(path);
      try {
        content = await source.read(0, source.size);
      } finally {
        await source.close?.();
      }
    }
    answer = await resolveConflict(agent.api, {
      conflictId: conflict.id,
      replicaId: agent.replicaId,
      resolution,
      ...(content ? { content, mode: local!.mode } : {}),
      ...(expectedCurrentVersionId ? { expectedCurrentVersionId } : {}),
    });
    answer = { ...answer, resolution };
  }

  agent.state.closeConflict(conflict.id);
  const result = await landLocally(agent, path, answer);
  return {
    ...base,
    resolved: true,
    resolution: answer.resolution,
    versionId: answer.versionId,
    sha256: answer.sha256,
    localMatches: result,
  };
}

interface Resolved {
  readonly versionId: string;
  readonly vector: VersionVector;
  readonly sha256: string | null;
  readonly resolution?: ResolveReport["resolution"];
}

/** The local file's hash and stat, or `null` when it is missing. */
async function localFile(agent: Agent, path: string) {
  const before = await agent.fs.stat(path);
  if (before === null || before.kind !== "file") return null;
  const { sha256 } = await hashFile(agent.fs, path);
  const after = await agent.fs.stat(path);
  if (!after || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
    throw new ResolveError(`"${path}" is being written: try again when it settles`);
  }
  return { ...after, sha256 };
}

/**
 * Records a resolution whose content is already the local file's as its new base (so it is
 * neither downloaded nor pushed), else lets the resolution be applied like any remote change.
 */
async function landLocally(agent: Agent, path: string, answer: Resolved): Promise<boolean> {
  const local = await localFile(agent, path).catch(() => null);
  if (local && local.sha256 === answer.sha256) {
    agent.state.put({
      path,
      vector: answer.vector,
      versionId: answer.versionId,
      sha256: local.sha256,
      size: local.size,
      mtimeMs: Math.round(local.mtimeMs),
      ino: local.ino,
      mode: local.mode,
    });
  }
  const settled = await agent.settle(() => agent.state.get(path)?.versionId === answer.versionId);
  const now = await localFile(agent, path).catch(() => null);
  return settled && (answer.sha256 === null ? now === null : now?.sha256 === answer.sha256);
}
