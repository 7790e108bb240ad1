/**
 * What the e2b-bridge keeps in Postgres, always as the caller (RLS applies): its replica (one
 * per workspace, sandbox and root, with a derived stable id), the replica state that lets a
 * pull skip unchanged files without downloading them, the workspace files it compares against,
 * base vectors for its commits, restore points, the state at a journal position, checkpoints.
 *
 * @module
 */
import { workspaceOwner } from "../_shared/db/workspaces.ts";
import { errors } from "../../../shared/protocol/errors.ts";
import type { FileChange } from "../../../shared/protocol/sync.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import type { Database } from "../_shared/db/db.ts";
import { derivedReplicaId } from "../_shared/commit/replica_ids.ts";

/** What the bridge last reported for a path. */
export interface ReplicaFile {
  readonly size: number;
  readonly mtimeMs: number | null;
  readonly sha256: string | null;
}

/** The workspace's current row for a path. */
export interface CurrentFile {
  readonly sha256: string | null;
  readonly size: number;
  readonly mode: number;
  readonly deleted: boolean;
  readonly vector: Record<string, number>;
}

/** One file of the state at a journal position. */
export interface StateFile {
  readonly path: string;
  readonly versionId: string;
  readonly sha256: string;
  readonly size: number;
  readonly mode: number;
}

/** An entry of a replica-state report: what the sandbox now holds, or that a path is gone. */
export type StateReport =
  | {
    readonly path: string;
    readonly size: number;
    readonly mtimeMs: number;
    readonly sha256: string;
  }
  | { readonly path: string; readonly deleted: true };

/** A recorded checkpoint. */
export interface Checkpoint {
  readonly id: string;
  readonly name: string;
  readonly seq: number;
}

/** A replica: ids are unique within their workspace only. */
export interface ReplicaRef {
  readonly workspaceId: string;
  readonly replicaId: string;
}

/** The bridge's replica id for a root of a sandbox in a workspace: stable across calls. */
export function bridgeReplicaId(workspaceId: string, sandboxId: string, root: string): string {
  return derivedReplicaId(`bridge:${workspaceId.toLowerCase()}:${sandboxId}:${root}`);
}

/** The bridge's database access. */
export class BridgeStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** The owner of a workspace the caller can see (`workspace_not_found` otherwise). */
  owner(caller: Caller, workspaceId: string): Promise<string> {
    return this.#db.asCaller(caller, (tx) => workspaceOwner(tx, workspaceId));
  }

  /**
   * Registers (or refreshes) the bridge replica of this sandbox and root: called once the
   * sandbox has answered, so a refused request leaves no replica behind.
   */
  async register(
    caller: Caller,
    target: { workspaceId: string; sandboxId: string; root: string },
  ): Promise<string> {
    const replicaId = bridgeReplicaId(target.workspaceId, target.sandboxId, target.root);
    const name = `e2b-bridge ${target.sandboxId}:${target.root}`.slice(0, 200);
    await this.#db.asCaller(
      caller,
      (tx) =>
        tx`select public.register_replica(${target.workspaceId}, ${replicaId}, 'bridge',
        ${name}, ${target.sandboxId.slice(0, 200)})`,
    );
    return replicaId;
  }

  /** The replica's last report for `paths` (all paths when omitted). */
  replicaState(
    caller: Caller,
    replica: ReplicaRef,
    paths?: readonly string[],
  ): Promise<Map<string, ReplicaFile>> {
    return this.#db.asCaller(caller, async (tx) => {
      const rows = await tx<
        { path: string; size: string; mtime: Date | null; sha256: string | null }[]
      >`
        select path, size, mtime, sha256 from sandsync.replica_files
        where workspace_id = ${replica.workspaceId} and replica_id = ${replica.replicaId}
          ${paths ? tx`and path = any(${paths as string[]})` : tx``}`;
      return new Map(rows.map((row) => [row.path, {
        size: Number(row.size),
        mtimeMs: row.mtime ? row.mtime.getTime() : null,
        sha256: row.sha256,
      }]));
    });
  }

  /** Records what the sandbox holds (or no longer holds), in one call. */
  async report(
    caller: Caller,
    replica: ReplicaRef,
    entries: readonly StateReport[],
  ): Promise<void> {
    if (entries.length === 0) return;
    const json = entries.map((entry) =>
      "deleted" in entry ? { path: entry.path, deleted: true } : {
        path: entry.path,
        size: entry.size,
        mtime: new Date(entry.mtimeMs).toISOString(),
        sha256: entry.sha256,
      }
    );
    await this.#db.asCaller(
      caller,
      (tx) =>
        tx`select public.report_replica_state(${replica.workspaceId}, ${replica.replicaId},
          ${tx.json(json)})`,
    );
  }

  /** The workspace's current rows for `paths` (tombstones included). */
  currentFiles(
    caller: Caller,
    workspaceId: string,
    paths: readonly string[],
  ): Promise<Map<string, CurrentFile>> {
    if (paths.length === 0) return Promise.resolve(new Map());
    return this.#db.asCaller(caller, async (tx) => {
      const rows = await tx<
        {
          path: string;
          sha256: string | null;
          size: string;
          mode: number;
          deleted: boolean;
          vector: Record<string, number>;
        }[]
      >`
        select path, sha256, size, mode, deleted, vector from sandsync.files
        where workspace_id = ${workspaceId} and path = any(${paths as string[]})
          and current_version_id is not null`;
      return new Map(rows.map((row) => [row.path, { ...row, size: Number(row.size) }]));
    });
  }

  /**
   * The vectors of the versions the bridge last saw (newest version of each path with the hash
   * it reported): the bases of changes made since, so concurrent edits are detected and
   * auto_merge finds its ancestor.
   */
  seenVectors(
    caller: Caller,
    workspaceId: string,
    seen: readonly { path: string; sha256: string }[],
  ): Promise<Map<string, Record<string, number>>> {
    if (seen.length === 0) return Promise.resolve(new Map());
    return this.#db.asCaller(caller, async (tx) => {
      const rows = await tx<{ path: string; vector: Record<string, number> }[]>`
        select distinct on (f.path) f.path, v.vector
        from unnest(${seen.map((s) => s.path)}::text[], ${seen.map((s) => s.sha256)}::text[])
          as s (path, sha256)
        join sandsync.files as f on f.workspace_id = ${workspaceId} and f.path = s.path
        join sandsync.versions as v on v.file_id = f.id and v.sha256 = s.sha256
        where v.outcome <> 'conflict_copy'
        order by f.path, v.committed_at desc`;
      return new Map(rows.map((row) => [row.path, row.vector]));
    });
  }

  /**
   * The changes that make the workspace's current state equal its state at `seq`: each path
   * live then whose current content or mode differs, back to its content then; each path live
   * now but not then, deleted. Based on the current versions (one change set dominating them).
   */
  async restoreChanges(caller: Caller, workspaceId: string, seq: number): Promise<FileChange[]> {
    const target = new Map((await this.#allAt(caller, workspaceId, seq)).map((f) => [f.path, f]));
    const now = await this.#db.asCaller(caller, (tx) =>
      tx<{
        path: string;
        sha256: string | null;
        mode: number;
        deleted: boolean;
        vector: Record<string, number>;
      }[]>`
        select path, sha256, mode, deleted, vector from sandsync.files
        where workspace_id = ${workspaceId} and current_version_id is not null`);
    const mtime = Date.now();
    const changes: FileChange[] = [];
    const current = new Map(now.map((row) => [row.path, row]));
    for (const file of target.values()) {
      const row = current.get(file.path);
      if (row && !row.deleted && row.sha256 === file.sha256 && row.mode === file.mode) continue;
      changes.push({
        path: file.path,
        sha256: file.sha256,
        size: file.size,
        mode: file.mode,
        mtime,
        base: row?.vector ?? null,
      });
    }
    for (const row of now) {
      if (row.deleted || target.has(row.path)) continue;
      changes.push({
        path: row.path,
        sha256: null,
        size: 0,
        mode: row.mode,
        mtime,
        base: row.vector,
        deleted: true,
      });
    }
    return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Every live path of the workspace at journal position `seq`. */
  async pathsAt(caller: Caller, workspaceId: string, seq: number): Promise<Set<string>> {
    return new Set((await this.#allAt(caller, workspaceId, seq)).map((file) => file.path));
  }

  async #allAt(caller: Caller, workspaceId: string, seq: number): Promise<StateFile[]> {
    const all: StateFile[] = [];
    for (let after = "";;) {
      const page = await this.stateAt(caller, workspaceId, { seq, after, limit: 10_000 });
      all.push(...page);
      if (page.length < 10_000) return all;
      after = page.at(-1)!.path;
    }
  }

  /** The journal position of a restore point (`null`: now). */
  async restorePoint(caller: Caller, workspaceId: string, at: string | undefined): Promise<number> {
    // SSK02 restore_point_not_found and SSN01 map to their codes (db_errors.ts).
    const [row] = await this.#db.asCaller(
      caller,
      (tx) =>
        tx<{ seq: string }[]>`select public.restore_point(${workspaceId}, ${at ?? null}) as seq`,
    );
    return Number(row?.seq ?? 0);
  }

  /** The live files at journal position `seq`, in path order after `after`. */
  async stateAt(
    caller: Caller,
    workspaceId: string,
    query: { seq: number; after: string; limit: number },
  ): Promise<StateFile[]> {
    const rows = await this.#db.asCaller(
      caller,
      (tx) =>
        tx<{ path: string; version_id: string; sha256: string; size: string; mode: number }[]>`
        select path, version_id, sha256, size, mode
        from public.workspace_state_at(${workspaceId}, ${query.seq},
          ${query.after === "" ? null : query.after}, ${query.limit})`,
    );
    return rows.map((row) => ({
      path: row.path,
      versionId: row.version_id,
      sha256: row.sha256,
      size: Number(row.size),
      mode: row.mode,
    }));
  }

  /** Records the bridge's journal position and sandbox (after a restore). */
  async heartbeat(
    caller: Caller,
    replica: ReplicaRef,
    seq: number,
    sandboxId: string,
  ): Promise<void> {
    await this.#db.asCaller(
      caller,
      (tx) =>
        tx`select public.replica_heartbeat(${replica.workspaceId}, ${replica.replicaId}, ${seq},
          ${sandboxId.slice(0, 200)})`,
    );
  }

  /** Whether the workspace has a checkpoint named `name`. */
  async hasCheckpoint(caller: Caller, workspaceId: string, name: string): Promise<boolean> {
    const rows = await this.#db.asCaller(
      caller,
      (tx) =>
        tx`select 1 from sandsync.checkpoints where workspace_id = ${workspaceId} and name = ${name}`,
    );
    return rows.length > 0;
  }

  /** Records a checkpoint at the workspace's current journal position. */
  async createCheckpoint(
    caller: Caller,
    workspaceId: string,
    options: { name: string; sandboxId: string; replicaId: string },
  ): Promise<Checkpoint> {
    // SSK01 checkpoint_exists maps to its code (db_errors.ts).
    const [row] = await this.#db.asCaller(
      caller,
      (tx) =>
        tx<{ id: string; name: string; seq: string }[]>`
        select id, name, seq from public.create_checkpoint(${workspaceId}, ${options.name},
          ${options.sandboxId}, ${options.replicaId})`,
    );
    if (!row) throw errors.internal(new Error("create_checkpoint returned no row"));
    return { id: row.id, name: row.name, seq: Number(row.seq) };
  }
}
