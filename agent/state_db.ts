/**
 * The agent's local state in `state.db` (node:sqlite, WAL, synchronous=FULL), kept outside the
 * synced root (state_home.ts) and owned by the process holding the directory lock:
 * per synced path the base version (vector, version id) and what the file looked like when it
 * was last synced (SHA-256, size, mtime, inode, mode); plus settings (workspace, replica,
 * cursor, instance), the conflicts seen open, and the TUS upload URLs of large uploads under
 * way (so a restarted agent resumes them from the server's offset). Every batch of changes is
 * one transaction, so a kill -9 at any moment leaves either the old or the new state, never
 * half of one.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type { VersionVector } from "../shared/version_vector.ts";

/** What the agent knows of one synced path. */
export interface PathState {
  readonly path: string;
  /** The vector of the version the local file is based on. */
  readonly vector: VersionVector;
  readonly versionId: string | null;
  /** The local file's content hash when last synced. */
  readonly sha256: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number | null;
  readonly mode: number;
}

/** A conflict the agent saw opened and not yet resolved. */
export interface ConflictState {
  readonly conflictId: string;
  readonly path: string;
  readonly openedAt: string;
}

/**
 * A remote change about to be applied (written ahead of the rename or removal): if the agent
 * dies before recording the result, the next run finds this and recognises the file as the
 * remote version instead of taking it for a local edit. `sha256: null` is a deletion.
 */
export interface PendingApply {
  readonly path: string;
  readonly sha256: string | null;
  readonly vector: VersionVector;
  readonly versionId: string | null;
}

/** Keys of the settings table. */
export type MetaKey =
  | "workspace_id"
  | "workspace_name"
  | "replica_id"
  | "api_url"
  | "cursor"
  | "instance"
  | "held_deletes"
  | "held_quota"
  | "delete_decision"
  /** The workspace's `sync_git` setting as `init` last read it ("true" / "false"). */
  | "sync_git"
  | "last_run_at"
  | "last_success_at"
  | "last_error"
  | "pending_commits";

interface PathRow {
  path: string;
  vector: string;
  version_id: string | null;
  sha256: string;
  size: number;
  mtime_ms: number;
  ino: number | null;
  mode: number;
}

const SCHEMA = `
create table if not exists meta (key text primary key, value text not null);
create table if not exists files (
  path text primary key,
  vector text not null,
  version_id text,
  sha256 text not null,
  size integer not null,
  mtime_ms integer not null,
  ino integer,
  mode integer not null
);
create table if not exists conflicts (
  conflict_id text primary key,
  path text not null,
  opened_at text not null
);
create table if not exists applying (
  path text primary key,
  sha256 text,
  vector text not null,
  version_id text
);
create table if not exists uploads (
  sha256 text primary key,
  url text not null,
  created_ms integer not null
);
`;

/** Unfinished uploads older than this are forgotten (Storage drops them after 24 hours). */
export const UPLOAD_TTL_MS = 23 * 60 * 60 * 1000;

/**
 * Switches `db` to WAL. That switch needs an exclusive lock and SQLite does not call the busy
 * handler for it: it is retried here (for up to 5 s) while another process holds a lock.
 */
function walMode(db: DatabaseSync): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 1;; attempt++) {
    try {
      db.exec("pragma journal_mode = wal;");
      return;
    } catch (error) {
      if (attempt >= 100 || !/locked|busy/i.test(String(error))) throw error;
      Atomics.wait(pause, 0, 0, 50); // (a constructor cannot await)
    }
  }
}

/** The state database of one synced directory. */
export class StateDb {
  readonly #db: DatabaseSync;

  /** Opens (creating) the database at `file`. */
  constructor(file: string) {
    this.#db = new DatabaseSync(file);
    // The busy timeout first: switching a fresh (or just migrated) database to WAL needs an
    // exclusive lock, and another process (a CLI command beside the daemon) may hold a lock for
    // a moment; without the timeout that open fails at once with "database is locked".
    this.#db.exec("pragma busy_timeout = 5000;");
    walMode(this.#db);
    this.#db.exec("pragma synchronous = full;");
    this.#db.exec(SCHEMA);
  }

  close(): void {
    this.#db.close();
  }

  /** Runs `work` in one transaction (committed when it returns, rolled back when it throws). */
  transaction<T>(work: () => T): T {
    this.#db.exec("begin immediate");
    try {
      const result = work();
      this.#db.exec("commit");
      return result;
    } catch (error) {
      this.#db.exec("rollback");
      throw error;
    }
  }

  getMeta(key: MetaKey): string | undefined {
    const row = this.#db.prepare("select value from meta where key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  setMeta(key: MetaKey, value: string): void {
    this.#db.prepare(
      "insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value",
    ).run(key, value);
  }

  deleteMeta(key: MetaKey): void {
    this.#db.prepare("delete from meta where key = ?").run(key);
  }

  /** The journal cursor this directory has applied up to, or `undefined` before the first sync. */
  get cursor(): number | undefined {
    const value = this.getMeta("cursor");
    return value === undefined ? undefined : Number(value);
  }

  get(path: string): PathState | undefined {
    const row = this.#db.prepare("select * from files where path = ?").get(path) as
      | PathRow
      | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Every synced path. */
  all(): Map<string, PathState> {
    const rows = this.#db.prepare("select * from files").all() as unknown as PathRow[];
    return new Map(rows.map((row) => [row.path, fromRow(row)]));
  }

  /** The synced paths under directory `dir` (at any depth). */
  under(dir: string): PathState[] {
    // Every path starting with "dir/" sorts in ["dir/", "dir0"): "0" follows "/" in ASCII.
    const rows = this.#db.prepare("select * from files where path >= ? and path < ?")
      .all(`${dir}/`, `${dir}0`) as unknown as PathRow[];
    return rows.map(fromRow);
  }

  count(): number {
    return (this.#db.prepare("select count(*) as n from files").get() as { n: number }).n;
  }

  put(state: PathState): void {
    this.#db.prepare(
      `insert into files (path, vector, version_id, sha256, size, mtime_ms, ino, mode)
       values (?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (path) do update set vector = excluded.vector, version_id = excluded.version_id,
         sha256 = excluded.sha256, size = excluded.size, mtime_ms = excluded.mtime_ms,
         ino = excluded.ino, mode = excluded.mode`,
    ).run(
      state.path,
      JSON.stringify(state.vector),
      state.versionId,
      state.sha256,
      state.size,
      Math.round(state.mtimeMs),
      state.ino,
      state.mode,
    );
  }

  remove(path: string): void {
    this.#db.prepare("delete from files where path = ?").run(path);
  }

  /** Open conflicts the agent has seen. */
  conflicts(): ConflictState[] {
    const rows = this.#db.prepare("select * from conflicts order by path").all() as unknown as {
      conflict_id: string;
      path: string;
      opened_at: string;
    }[];
    return rows.map((row) => ({
      conflictId: row.conflict_id,
      path: row.path,
      openedAt: row.opened_at,
    }));
  }

  openConflict(conflict: ConflictState): void {
    this.#db.prepare(
      "insert into conflicts (conflict_id, path, opened_at) values (?, ?, ?) on conflict do nothing",
    ).run(conflict.conflictId, conflict.path, conflict.openedAt);
  }

  closeConflict(conflictId: string): void {
    this.#db.prepare("delete from conflicts where conflict_id = ?").run(conflictId);
  }

  /** Records a remote change as about to be applied (see {@linkcode PendingApply}). */
  beginApply(apply: PendingApply): void {
    this.#db.prepare(
      `insert into applying (path, sha256, vector, version_id) values (?, ?, ?, ?)
       on conflict (path) do update set sha256 = excluded.sha256, vector = excluded.vector,
         version_id = excluded.version_id`,
    ).run(apply.path, apply.sha256, JSON.stringify(apply.vector), apply.versionId);
  }

  /** Marks the apply of `path` done (in the transaction that records its result). */
  endApply(path: string): void {
    this.#db.prepare("delete from applying where path = ?").run(path);
  }

  /** Applies begun and not ended: what a killed run was doing. */
  pendingApplies(): PendingApply[] {
    const rows = this.#db.prepare("select * from applying order by path").all() as unknown as {
      path: string;
      sha256: string | null;
      vector: string;
      version_id: string | null;
    }[];
    return rows.map((row) => ({
      path: row.path,
      sha256: row.sha256,
      vector: JSON.parse(row.vector),
      versionId: row.version_id,
    }));
  }

  /**
   * The resumable-upload store of this directory (see `ResumeStore` in client/push.ts): the
   * TUS upload URL of each blob whose upload started and did not finish, by SHA-256. URLs
   * older than {@linkcode UPLOAD_TTL_MS} are not handed out (the server has dropped them).
   */
  get uploads(): {
    get(sha256: string): string | undefined;
    set(sha256: string, url: string): void;
    delete(sha256: string): void;
  } {
    return {
      get: (sha256) => {
        const row = this.#db.prepare("select url, created_ms from uploads where sha256 = ?")
          .get(sha256) as { url: string; created_ms: number } | undefined;
        return row && Date.now() - Number(row.created_ms) < UPLOAD_TTL_MS ? row.url : undefined;
      },
      set: (sha256, url) => {
        this.#db.prepare(
          `insert into uploads (sha256, url, created_ms) values (?, ?, ?)
           on conflict (sha256) do update set url = excluded.url,
             created_ms = case when uploads.url = excluded.url then uploads.created_ms
               else excluded.created_ms end`,
        ).run(sha256, url, Date.now());
      },
      delete: (sha256) => void this.#db.prepare("delete from uploads where sha256 = ?").run(sha256),
    };
  }

  /** Every unfinished upload recorded (for `status` and tests). */
  uploadRows(): { sha256: string; url: string; createdMs: number }[] {
    const rows = this.#db.prepare("select * from uploads order by sha256").all() as unknown as {
      sha256: string;
      url: string;
      created_ms: number;
    }[];
    return rows.map((row) => ({
      sha256: row.sha256,
      url: row.url,
      createdMs: Number(row.created_ms),
    }));
  }

  /** Forgets unfinished uploads older than {@linkcode UPLOAD_TTL_MS}; returns how many. */
  pruneUploads(now = Date.now()): number {
    const result = this.#db.prepare("delete from uploads where created_ms < ?").run(
      now - UPLOAD_TTL_MS,
    );
    return Number(result.changes);
  }
}

function fromRow(row: PathRow): PathState {
  return {
    path: row.path,
    vector: JSON.parse(row.vector),
    versionId: row.version_id,
    sha256: row.sha256,
    size: Number(row.size),
    mtimeMs: Number(row.mtime_ms),
    ino: row.ino === null ? null : Number(row.ino),
    mode: Number(row.mode),
  };
}
