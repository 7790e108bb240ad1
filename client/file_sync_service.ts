/**
 * `FileSyncService`: the client library's entry point for apps and scripts: upload and
 * download single files or batches, sync a directory (through an injected
 * {@linkcode DirectorySync}, which the agent provides for local directories), list and
 * resolve conflicts, read a path's history. Progress is reported as `progress` events
 * (`CustomEvent<ProgressEvent>`).
 *
 * Single files go through the `files` function (one request each: `PUT`, `GET`, `DELETE`),
 * except where the sync protocol is the natural path: a write based on an explicit version
 * vector or with a mode (the files function takes a version id in `If-Match`, not a vector,
 * and keeps the mode), a file over the function's 16 MiB body limit (negotiate, then a signed
 * or resumable upload straight to Storage), and batches (one negotiate and one commit per
 * 1,000 files).
 *
 * @module
 */
import { sha256Hex } from "../shared/hash.ts";
import type { VersionVector } from "../shared/version_vector.ts";
import {
  type Conflict,
  listConflicts,
  type MergeAnswer,
  mergeConflict,
  resolveConflict,
  type ResolvedConflict,
  type ResolveInput,
} from "./conflicts_api.ts";
import {
  deletePath,
  type FileDiff,
  fileDiff,
  type FileHistory,
  fullFileHistory,
  getFile,
  MAX_FILES_PUT_BYTES,
  putFile,
} from "./files_api.ts";
import { type PendingChange, pushChanges } from "./push.ts";
import type { SyncApi } from "./sync_api.ts";
import { bytesSource } from "./transfer.ts";
import type {
  ChangeEntry,
  CommitItemAnswer,
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

  /**
   * Uploads one file; its base is the current version unless given. Through the `files`
   * function (`PUT`, with `ifMatch` as `If-Match`) unless a `base` vector or a `mode` is given
   * or the file is over 16 MiB: those take the sync protocol (negotiate, upload, commit).
   */
  async uploadFile(
    workspaceId: string,
    path: string,
    content: Uint8Array | string,
    options: Omit<UploadItem, "path" | "content"> & { ifMatch?: string } = {},
  ): Promise<CommitItemAnswer> {
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    const { ifMatch, ...item } = options;
    if (
      item.base !== undefined || item.mode !== undefined || bytes.byteLength > MAX_FILES_PUT_BYTES
    ) {
      const [result] = await this.uploadFiles(workspaceId, [{ path, content: bytes, ...item }]);
      return result!;
    }
    await this.ensureReplica(workspaceId);
    this.#progress({ kind: "upload", path, bytes: 0, total: bytes.byteLength });
    const written = await putFile(api(this), { workspaceId, path, content: bytes }, {
      replicaId: this.replicaId,
      ...(ifMatch ? { ifMatch } : {}),
      ...(item.mtime !== undefined ? { mtime: item.mtime } : {}),
    });
    this.#progress({ kind: "upload", path, bytes: bytes.byteLength, total: bytes.byteLength });
    return {
      index: 0,
      path: written.path,
      outcome: written.outcome,
      versionId: written.versionId,
      currentVersionId: written.versionId,
      vector: written.vector,
    };
  }

  /** Uploads files in batches (bounded concurrency); results in input order. */
  async uploadFiles(
    workspaceId: string,
    items: readonly UploadItem[],
  ): Promise<CommitItemAnswer[]> {
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

  /**
   * Deletes a file (`DELETE` through the `files` function: a tombstone, restorable from
   * history); `ifMatch` makes it conditional on a version.
   */
  async deleteFile(
    workspaceId: string,
    path: string,
    options: { ifMatch?: string } = {},
  ): Promise<CommitItemAnswer> {
    await this.ensureReplica(workspaceId);
    const written = await deletePath(api(this), { workspaceId, path }, {
      replicaId: this.replicaId,
      ...options,
    });
    return {
      index: 0,
      path: written.path,
      outcome: written.outcome,
      versionId: written.versionId,
      currentVersionId: written.versionId,
      vector: written.vector,
    };
  }

  /**
   * Downloads a file's current content (or `versionId`'s) through the `files` function,
   * verified against its SHA-256. The function streams the bytes from Storage.
   */
  async downloadFile(
    workspaceId: string,
    path: string,
    options: { versionId?: string } = {},
  ): Promise<Uint8Array> {
    const file = await getFile(api(this), { workspaceId, path, ...options }, {
      onProgress: (done, total) => this.#progress({ kind: "download", path, bytes: done, total }),
    });
    return file.bytes;
  }

  /** Every version of a path, newest first (tombstones and conflict sides included). */
  history(workspaceId: string, path: string): Promise<FileHistory> {
    return fullFileHistory(this.api, { workspaceId, path });
  }

  /** A unified diff between two versions of a text file (default: the last change). */
  diff(
    workspaceId: string,
    path: string,
    options: { from?: string; to?: string } = {},
  ): Promise<FileDiff> {
    return fileDiff(this.api, { workspaceId, path, ...options });
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

  /** The workspace's open conflicts, oldest first (the `conflicts` function). */
  detectConflicts(workspaceId: string): Promise<Conflict[]> {
    return listConflicts(this.api, { workspaceId });
  }

  /** Resolves a conflict with the current, incoming or merged content, as this replica. */
  async resolveConflict(
    workspaceId: string,
    input: Omit<ResolveInput, "replicaId">,
  ): Promise<ResolvedConflict> {
    await this.ensureReplica(workspaceId);
    return await resolveConflict(this.api, { ...input, replicaId: this.replicaId });
  }

  /** Asks the server's three-way merge; the conflict stays open when it is not clean. */
  async mergeConflict(
    workspaceId: string,
    input: { conflictId: string; expectedCurrentVersionId?: string },
  ): Promise<MergeAnswer> {
    await this.ensureReplica(workspaceId);
    return await mergeConflict(this.api, { ...input, replicaId: this.replicaId });
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
