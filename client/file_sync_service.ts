/**
 * `FileSyncService`: the client library's entry point for apps and scripts: upload and
 * download single files or batches, sync a directory (through an injected
 * {@linkcode DirectorySync}, which the agent provides for local directories), and list open
 * conflicts. Progress is reported as `progress` events (`CustomEvent<ProgressEvent>`).
 *
 * @module
 */
import { errors } from "../shared/errors.ts";
import { sha256Hex } from "../shared/hash.ts";
import type { VersionVector } from "../shared/version_vector.ts";
import { type PendingChange, pushChanges } from "./push.ts";
import type { SyncApi } from "./sync_api.ts";
import { bytesSource, downloadBytes } from "./transfer.ts";
import type {
  ChangeEntry,
  CommitItemResult,
  OpenConflict,
  ProgressEvent,
  ReplicaKind,
  SyncResult,
} from "./types.ts";

/** Syncs one directory with a workspace (the agent implements it for local directories). */
export interface DirectorySync {
  sync(workspaceId: string, dir: string): Promise<SyncResult>;
}

/** Options of {@linkcode FileSyncService}. */
export interface FileSyncServiceOptions {
  readonly api: SyncApi;
  /** This client's replica id (registered on first use); default: a new uuid. */
  readonly replicaId?: string;
  /** The kind it registers as. Default `cli`. */
  readonly kind?: ReplicaKind;
  /** Transfers in flight at once. Default 4. */
  readonly concurrency?: number;
  /** What `syncDirectory` delegates to. */
  readonly directories?: DirectorySync;
}

/** A file to upload in a batch. */
export interface UploadItem {
  readonly path: string;
  readonly content: Uint8Array | string;
  /** The version it was edited from; default: the current version, looked up. */
  readonly base?: VersionVector | null;
  readonly mode?: number;
  readonly mtime?: number;
}

/** Uploads, downloads, directory syncs and conflict detection over {@linkcode SyncApi}. */
export class FileSyncService extends EventTarget {
  readonly api: SyncApi;
  readonly replicaId: string;
  readonly #options: FileSyncServiceOptions;
  readonly #registered = new Map<string, Promise<unknown>>();

  constructor(options: FileSyncServiceOptions) {
    super();
    this.api = options.api;
    this.replicaId = options.replicaId ?? crypto.randomUUID();
    this.#options = options;
  }

  #progress = (event: ProgressEvent) => {
    this.dispatchEvent(new CustomEvent("progress", { detail: event }));
  };

  /** Registers this replica in the workspace once per service. */
  ensureReplica(workspaceId: string): Promise<unknown> {
    let registered = this.#registered.get(workspaceId);
    if (!registered) {
      registered = this.api.registerReplica(workspaceId, {
        replicaId: this.replicaId,
        kind: this.#options.kind ?? "cli",
      });
      registered.catch(() => this.#registered.delete(workspaceId));
      this.#registered.set(workspaceId, registered);
    }
    return registered;
  }

  /** Uploads one file; its base is the current version unless given. */
  async uploadFile(
    workspaceId: string,
    path: string,
    content: Uint8Array | string,
    options: Omit<UploadItem, "path" | "content"> = {},
  ): Promise<CommitItemResult> {
    const [result] = await this.uploadFiles(workspaceId, [{ path, content, ...options }]);
    return result!;
  }

  /** Uploads files in batches (bounded concurrency); results in input order. */
  async uploadFiles(
    workspaceId: string,
    items: readonly UploadItem[],
  ): Promise<CommitItemResult[]> {
    await this.ensureReplica(workspaceId);
    const current = items.some((item) => item.base === undefined)
      ? await this.#currentFiles(workspaceId)
      : new Map<string, ChangeEntry>();
    const changes: PendingChange[] = items.map((item) => {
      const bytes = typeof item.content === "string"
        ? new TextEncoder().encode(item.content)
        : item.content;
      return {
        path: item.path,
        sha256: sha256Hex(bytes),
        size: bytes.byteLength,
        mode: item.mode ?? 0o644,
        mtime: item.mtime ?? Date.now(),
        base: item.base !== undefined ? item.base : current.get(item.path)?.vector ?? null,
        open: () => Promise.resolve(bytesSource(bytes)),
      };
    });
    const pushed = await pushChanges(
      api(this),
      { workspaceId, replicaId: this.replicaId },
      changes,
      {
        concurrency: this.#options.concurrency,
        onProgress: this.#progress,
      },
    );
    const byChange = new Map(pushed.committed.map(({ change, result }) => [change, result]));
    return changes.map((change) => byChange.get(change)!);
  }

  /** Deletes a file (a tombstone: restorable from history). */
  async deleteFile(workspaceId: string, path: string): Promise<CommitItemResult> {
    await this.ensureReplica(workspaceId);
    const current = (await this.#currentFiles(workspaceId)).get(path);
    if (!current) throw errors.fileNotFound(path);
    const pushed = await pushChanges(api(this), { workspaceId, replicaId: this.replicaId }, [{
      path,
      sha256: null,
      size: 0,
      mode: current.mode,
      mtime: Date.now(),
      base: current.vector,
    }]);
    return pushed.committed[0]!.result;
  }

  /** Downloads the current content of a file, verified against its SHA-256. */
  async downloadFile(workspaceId: string, path: string): Promise<Uint8Array> {
    const entry = (await this.#currentFiles(workspaceId)).get(path);
    if (!entry || entry.deleted || !entry.url || entry.sha256 === null) {
      throw errors.fileNotFound(path);
    }
    const bytes = await downloadBytes(entry.url, { sha256: entry.sha256, size: entry.size }, {
      onProgress: (done, total) => this.#progress({ kind: "download", path, bytes: done, total }),
    });
    return bytes;
  }

  /** Syncs `dir` with the workspace (two-way), through the configured {@linkcode DirectorySync}. */
  syncDirectory(workspaceId: string, dir: string): Promise<SyncResult> {
    if (!this.#options.directories) {
      throw new TypeError(
        "syncDirectory needs a DirectorySync (the agent's createFileSyncService)",
      );
    }
    return this.#options.directories.sync(workspaceId, dir);
  }

  /**
   * The workspace's open conflicts, from its journal: every `conflict` entry that no later
   * file change names as resolved.
   */
  async detectConflicts(workspaceId: string): Promise<OpenConflict[]> {
    return await openConflicts(this.api, workspaceId);
  }

  /** The current files by path (one manifest walk). */
  async #currentFiles(workspaceId: string): Promise<Map<string, ChangeEntry>> {
    const { files } = await this.api.fullManifest(workspaceId);
    return new Map(files.map((file) => [file.path, file]));
  }
}

function api(service: FileSyncService): SyncApi {
  return service.api;
}

/** Reads the whole journal and keeps the conflicts nothing resolved since. */
export async function openConflicts(api: SyncApi, workspaceId: string): Promise<OpenConflict[]> {
  const open = new Map<string, OpenConflict>();
  let cursor = 0;
  for (;;) {
    const page = await api.changes({ workspaceId, cursor, limit: 1000 });
    for (const change of page.changes) {
      if (change.conflictId === null) continue;
      if (change.kind === "conflict") {
        open.set(change.conflictId, {
          conflictId: change.conflictId,
          path: change.path,
          incomingVersionId: change.versionId,
          incomingSha256: change.sha256,
          replicaId: change.replicaId,
          openedAt: change.committedAt,
        });
      } else {
        open.delete(change.conflictId);
      }
    }
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  return [...open.values()];
}
