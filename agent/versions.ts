/**
 * Old versions from a directory: `sandsync diff` of the local file against the version it is
 * based on, and `sandsync restore`, which commits an old version's content as the path's new
 * version (its blob is still in Storage, so no byte moves up) and lets it land locally like
 * any remote change. Deletes are tombstones, so a deleted file is restorable too.
 *
 * @module
 */
import { fullFileHistory, getFile } from "../client/files_api.ts";
import { mapPool } from "../shared/pool.ts";
import { type PendingChange, pushChanges } from "../client/push.ts";
import { bytesSource } from "../client/transfer.ts";
import { diffStats, unifiedDiff } from "../shared/merge/diff.ts";
import { isSyncError } from "../shared/protocol/errors.ts";
import { decodeText } from "../shared/merge/text.ts";
import type { Agent } from "./agent.ts";
import { hashFile } from "./scanner.ts";
import { type RestorePoint, versionAt } from "./version_at.ts";

/** Thrown when a restore or diff cannot be made as asked (nothing changed). */
export class VersionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VersionsError";
  }
}

/** The local file against its base version. */
export interface LocalDiff {
  readonly path: string;
  /** The version the local file is based on (`null`: never synced here). */
  readonly from: string | null;
  readonly to: "local";
  readonly diff: string;
  readonly stats: { added: number; removed: number };
}

/** `diff <path>` without versions: what changed here since the last sync of `path`. */
export async function localDiff(agent: Agent, path: string): Promise<LocalDiff> {
  const base = agent.state.get(path);
  let oldText = "";
  if (base?.versionId) {
    const { bytes } = await getFile(agent.api, {
      workspaceId: agent.workspaceId,
      path,
      versionId: base.versionId,
    });
    oldText = text(path, bytes, base.versionId);
  }
  let newText = "";
  const local = await agent.fs.stat(path);
  if (local?.kind === "file") {
    const source = await agent.fs.openRead(path);
    try {
      newText = text(path, await source.read(0, source.size), "the local file");
    } finally {
      await source.close?.();
    }
  } else if (!base) {
    throw new VersionsError(`"${path}" is neither here nor synced`);
  }
  return {
    path,
    from: base?.versionId ?? null,
    to: "local",
    diff: unifiedDiff(path, oldText, newText),
    stats: diffStats(oldText, newText),
  };
}

function text(path: string, bytes: Uint8Array, what: string): string {
  if (bytes.byteLength > 1024 * 1024) {
    throw new VersionsError(`Cannot diff "${path}": ${what} is over 1 MiB`);
  }
  const decoded = decodeText(bytes);
  if (decoded === null) throw new VersionsError(`Cannot diff "${path}": ${what} is binary`);
  return decoded;
}

/** What `restore` did with one path. */
export interface RestoredPath {
  readonly path: string;
  /** The old version whose content was restored. */
  readonly fromVersionId: string;
  readonly outcome: string;
  /** The new version (the restored content). */
  readonly versionId?: string;
  /** True when the local file holds the restored content. */
  readonly localMatches: boolean;
}

/** The whole answer of `restore`. */
export interface RestoreReport {
  readonly restored: RestoredPath[];
  /** Paths already at that content. */
  readonly unchanged: string[];
  /** Paths (with `--all`) that did not exist, or were deleted, at that time. */
  readonly skipped: string[];
}

/**
 * Restores `paths` (or, with `"all"`, every path the workspace ever had that was live at
 * `point`) to their content at `point`. Files created after `point` are left alone.
 */
export async function restore(
  agent: Agent,
  paths: readonly string[] | "all",
  point: RestorePoint,
): Promise<RestoreReport> {
  const { api, workspaceId } = agent;
  const all = paths === "all";
  const list = all
    ? (await api.fullManifest(workspaceId, { deleted: true })).files.map((f) => f.path)
    : paths;
  const unchanged: string[] = [];
  const skipped: string[] = [];
  const changes: { change: PendingChange; fromVersionId: string }[] = [];
  await mapPool(list, 8, async (path) => {
    const history = await fullFileHistory(api, { workspaceId, path }).catch((error) => {
      if (all || !isSyncError(error, "file_not_found")) throw error;
      throw new VersionsError(`"${path}" has no history in the workspace`);
    });
    const target = versionAt(history.versions, point);
    if (!target || target.deleted || target.sha256 === null) {
      if (all) return void skipped.push(path);
      if (!target) throw new VersionsError(`"${path}" has no version at ${describe(point)}`);
      throw new VersionsError(
        `"${path}" was deleted at ${describe(point)}: pick an earlier time or version`,
      );
    }
    const current = history.versions.find((v) => v.versionId === history.currentVersionId);
    if (
      current && !current.deleted && current.sha256 === target.sha256 &&
      current.mode === target.mode
    ) {
      return void unchanged.push(path);
    }
    const versionId = target.versionId;
    changes.push({
      fromVersionId: versionId,
      change: {
        path,
        sha256: target.sha256,
        size: target.size,
        mode: target.mode,
        mtime: Date.now(),
        base: current?.vector ?? null,
        // Only read when Storage lacks the blob (negotiate normally finds it present).
        open: async () => bytesSource((await getFile(api, { workspaceId, path, versionId })).bytes),
      },
    });
  });
  const pushed = await pushChanges(
    api,
    { workspaceId, replicaId: agent.replicaId },
    changes.map((c) => c.change),
  );
  const committed = pushed.committed.filter((c) => c.result.outcome === "applied");
  if (committed.length > 0) {
    await agent.settle(() =>
      committed.every(({ change, result }) =>
        agent.state.get(change.path)?.versionId === result.currentVersionId
      )
    );
  }
  const restored: RestoredPath[] = [];
  for (const { change, result } of pushed.committed) {
    const local = await agent.fs.stat(change.path);
    const sha = local?.kind === "file" ? (await hashFile(agent.fs, change.path)).sha256 : null;
    restored.push({
      path: change.path,
      fromVersionId: changes.find((c) => c.change === change)!.fromVersionId,
      outcome: result.outcome,
      ...(result.currentVersionId ? { versionId: result.currentVersionId } : {}),
      localMatches: sha === change.sha256,
    });
  }
  restored.sort((a, b) => a.path.localeCompare(b.path));
  return { restored, unchanged: unchanged.sort(), skipped: skipped.sort() };
}

function describe(point: RestorePoint): string {
  return "versionId" in point ? `version ${point.versionId}` : new Date(point.time).toISOString();
}
