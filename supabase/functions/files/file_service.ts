/**
 * Single-file operations for clients that edit one file at a time (the mobile app's
 * `uploadFile(sessionId, path, content)` / `downloadFile(sessionId, path)`): write a file from
 * bytes held in memory, delete it, locate a version to stream, read its history and diff two of
 * its versions. Writes go through `public.commit_changes` like every sync commit, so the journal,
 * version vectors and the workspace's strategy apply; preconditions (`If-Match`) are checked
 * under the same workspace row lock the commit takes, so a stale one can never slip through.
 *
 * @module
 */
import { workspaceOwner } from "../_shared/db/workspaces.ts";
import { diffStats, unifiedDiff } from "../../../shared/merge/diff.ts";
import { errors } from "../../../shared/protocol/errors.ts";
import { sha256Hex } from "../../../shared/hash.ts";
import { decodeText } from "../../../shared/merge/text.ts";
import { assertWorkspaceScope } from "../_shared/edge/auth.ts";
import { ingestBlobs } from "../_shared/blobs/blob_ingest.ts";
import { refuseProtectedPaths } from "../_shared/db/protected_check.ts";
import type { BlobStore } from "../_shared/blobs/blob_store.ts";
import { openBlob } from "../_shared/blobs/blob_read.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import type { Database, Tx } from "../_shared/db/db.ts";
import { type ByteRange, type EntityTagList, tagsMatch } from "./http_conditional.ts";
import {
  currentFile,
  type FileRow,
  isLive,
  toFileVersion,
  VERSION_COLUMNS,
  versionOf,
  type VersionRow,
} from "./file_rows.ts";
import { defaultReplicaId } from "../_shared/commit/replica_ids.ts";
import { commitChanges, type SqlCommitItem } from "../_shared/commit/commit_changes.ts";
import type {
  FileDiff,
  FileHistory,
  FileVersion,
  FileWriteAnswer,
} from "../../../shared/protocol/files.ts";

/** Largest version (each side) the diff route reads into memory. */
export const MAX_DIFF_BYTES = 1024 * 1024;
/** CPU budget of one diff (functions get 2 s of CPU per request). */
export const DIFF_TIMEOUT_MS = 500;
/** Mode of a file created through the files API (0644); an overwrite keeps the file's mode. */
export const DEFAULT_MODE = 0o644;

/** A file's write preconditions: the parsed `If-Match` / `If-None-Match` headers. */
export interface Preconditions {
  readonly ifMatch?: EntityTagList | undefined;
  readonly ifNoneMatch?: EntityTagList | undefined;
}

/** Input of {@linkcode FileService.put}. */
export interface PutFile extends Preconditions {
  readonly workspaceId: string;
  readonly path: string;
  readonly bytes: Uint8Array;
  /** A registered replica of the workspace; default: the caller's derived `web` replica. */
  readonly replicaId?: string | undefined;
  /** Client modification time in ms; default: now. */
  readonly mtime?: number | undefined;
}

/** Input of {@linkcode FileService.delete}. */
export type DeleteFile = Omit<PutFile, "bytes" | "ifNoneMatch">;

/** A version located for download; bytes live under the workspace owner's prefix. */
export interface Located {
  readonly ownerId: string;
  readonly workspaceId: string;
  readonly version: FileVersion;
  /** True when it is the path's current version (not a historic one). */
  readonly current: boolean;
}

/** The files API's operations. */
export class FileService {
  readonly #db: Database;
  readonly #blobs: BlobStore;

  constructor(options: { readonly db: Database; readonly blobs: BlobStore }) {
    this.#db = options.db;
    this.#blobs = options.blobs;
  }

  /** Writes `bytes` as the path's next version: quota, Storage, then one commit. */
  async put(caller: Caller, input: PutFile): Promise<FileWriteAnswer> {
    assertWorkspaceScope(caller, input.workspaceId);
    const sha256 = sha256Hex(input.bytes);
    const size = input.bytes.byteLength;
    // Every refusal that needs no lock happens before a byte is stored or a row written.
    const owner = await this.#db.asCaller(caller, async (tx) => {
      const owner = await workspaceOwner(tx, input.workspaceId);
      await refuseProtectedPaths(tx, input.workspaceId, [{ path: input.path, sha256 }]);
      const file = await currentFile(tx, input);
      checkPreconditions(input.path, file, input);
      if (!isLive(file)) await refuseCaseCollision(tx, input.workspaceId, input.path);
      if (input.replicaId !== undefined) {
        await assertReplica(tx, input.workspaceId, input.replicaId);
      }
      return owner;
    });
    await ingestBlobs({ db: this.#db, blobs: this.#blobs }, {
      caller,
      owner,
      items: [{ sha256, bytes: input.bytes }],
    });
    return await this.#commit(caller, input, (file) => ({
      path: input.path,
      deleted: false,
      sha256,
      size,
      mode: file?.mode ?? DEFAULT_MODE,
      mtime: new Date(input.mtime ?? Date.now()).toISOString(),
      base: file?.vector ?? {},
    }));
  }

  /** Commits a tombstone for a live path (its bytes stay in history). */
  async delete(caller: Caller, input: DeleteFile): Promise<FileWriteAnswer> {
    assertWorkspaceScope(caller, input.workspaceId);
    return await this.#commit(caller, input, (file) => {
      if (!isLive(file)) throw errors.fileNotFound(input.path);
      return {
        path: input.path,
        deleted: true,
        mode: file.mode,
        mtime: new Date(input.mtime ?? Date.now()).toISOString(),
        base: file.vector,
      };
    });
  }

  /**
   * Holds the workspace row lock (the one `commit_changes` takes) from the precondition check to
   * the commit, so no other commit can move the path in between.
   */
  #commit(
    caller: Caller,
    input: DeleteFile & Preconditions,
    item: (file: FileRow | undefined) => SqlCommitItem,
  ): Promise<FileWriteAnswer> {
    const { workspaceId, path } = input;
    const replicaId = input.replicaId ?? defaultReplicaId(workspaceId, caller.userId);
    return this.#db.asCaller(caller, async (tx) => {
      const [locked] = await tx`
        select id from sandsync.workspaces where id = ${workspaceId} for no key update`;
      if (!locked) throw errors.workspaceNotFound(workspaceId);
      const file = await currentFile(tx, { workspaceId, path });
      const change = item(file);
      checkPreconditions(path, file, input);
      if (input.replicaId === undefined) {
        await tx`select from public.register_replica(${workspaceId}, ${replicaId}, 'web', 'files API')`;
      }
      const answer = await commitChanges(tx, {
        workspaceId,
        replicaId,
        idempotencyKey: crypto.randomUUID(),
        items: [change],
      });
      const entry = answer.items[0]!;
      if (entry.outcome === "rejected") {
        await refuseCaseCollision(tx, workspaceId, path);
        throw errors.pathCaseConflict(path, "another path");
      }
      return {
        workspaceId,
        path,
        versionId: entry.versionId!,
        outcome: entry.outcome,
        sha256: change.sha256 ?? null,
        size: change.size ?? 0,
        mode: change.mode,
        deleted: change.deleted,
        vector: entry.vector ?? {},
        replicaId,
        cursor: answer.cursor,
        changeSetId: answer.changeSetId,
        previousVersionId: isLive(file) ? file.current_version_id : null,
      };
    });
  }

  /** The current version of a live path, or `versionId` of it; tombstones are not found. */
  locate(
    caller: Caller,
    target: { workspaceId: string; path: string; versionId?: string | undefined },
  ): Promise<Located> {
    assertWorkspaceScope(caller, target.workspaceId);
    return this.#db.asCaller(caller, async (tx) => {
      const ownerId = await workspaceOwner(tx, target.workspaceId);
      const file = await currentFile(tx, target);
      let row: VersionRow | undefined;
      if (target.versionId !== undefined) {
        row = file
          ? await versionOf(tx, { fileId: file.id, versionId: target.versionId })
          : undefined;
        if (!row) throw errors.versionNotFound(target.versionId);
      } else if (file?.current_version_id) {
        row = await versionOf(tx, { fileId: file.id, versionId: file.current_version_id });
      }
      if (!row || row.deleted || row.sha256 === null) throw errors.fileNotFound(target.path);
      return {
        ownerId,
        workspaceId: target.workspaceId,
        version: toFileVersion(row),
        current: row.id === file?.current_version_id,
      };
    });
  }

  /** Streams a located version's bytes (a `range` of them); never buffers the whole file. */
  async content(located: Located, range?: ByteRange): Promise<ReadableStream<Uint8Array>> {
    const response = await openBlob({ db: this.#db, blobs: this.#blobs }, {
      owner: located.ownerId,
      workspaceId: located.workspaceId,
      sha256: located.version.sha256!,
    }, range);
    // Bytes a committed version names but Storage lacks: the same 409 as the feed's entry error.
    if (!response?.body) throw errors.bytesMissing(located.version.sha256!);
    if (range && response.status !== 206) {
      await response.body.cancel();
      throw errors.internal(
        new Error(`Storage ignored the range of blob "${located.version.sha256}"`),
      );
    }
    return response.body;
  }

  /** The path's versions newest first (winners, losers, conflict sides, tombstones), paged. */
  history(
    caller: Caller,
    query: { workspaceId: string; path: string; limit: number; before?: string | undefined },
  ): Promise<FileHistory> {
    assertWorkspaceScope(caller, query.workspaceId);
    return this.#db.asCaller(caller, async (tx) => {
      await workspaceOwner(tx, query.workspaceId);
      const file = await currentFile(tx, query);
      if (!file) throw errors.fileNotFound(query.path);
      if (
        query.before !== undefined &&
        !(await versionOf(tx, { fileId: file.id, versionId: query.before }))
      ) {
        throw errors.versionNotFound(query.before);
      }
      // The order of public.file_history, with keyset paging on (committed_at, id).
      const rows = await tx<VersionRow[]>`
        select ${tx.unsafe(VERSION_COLUMNS)} from sandsync.versions as v
        where v.file_id = ${file.id} and (${query.before ?? null}::uuid is null
          or (v.committed_at, v.id) < (
            select b.committed_at, b.id from sandsync.versions as b where b.id = ${
        query.before ?? null
      }::uuid))
        order by v.committed_at desc, v.id desc
        limit ${query.limit + 1}`;
      const page = rows.slice(0, query.limit).map(toFileVersion);
      return {
        workspaceId: query.workspaceId,
        path: query.path,
        currentVersionId: file.current_version_id,
        versions: page,
        next: rows.length > query.limit ? page.at(-1)!.versionId : null,
      };
    });
  }

  /**
   * A unified diff between two text versions of the path: `to` defaults to the current
   * version, `from` to the version that was current before `to` (versions that never became
   * current, lost deletes and open conflict sides, are skipped). A tombstone diffs as empty.
   */
  async diff(
    caller: Caller,
    query: {
      workspaceId: string;
      path: string;
      from?: string | undefined;
      to?: string | undefined;
    },
  ): Promise<FileDiff> {
    assertWorkspaceScope(caller, query.workspaceId);
    const { ownerId, from, to } = await this.#db.asCaller(caller, async (tx) => {
      const ownerId = await workspaceOwner(tx, query.workspaceId);
      const file = await currentFile(tx, query);
      if (!file?.current_version_id) throw errors.fileNotFound(query.path);
      const toId = query.to ?? file.current_version_id;
      const to = await versionOf(tx, { fileId: file.id, versionId: toId });
      if (!to) throw errors.versionNotFound(toId);
      let from: VersionRow | undefined;
      if (query.from !== undefined) {
        from = await versionOf(tx, { fileId: file.id, versionId: query.from });
        if (!from) throw errors.versionNotFound(query.from);
      } else {
        [from] = await tx<VersionRow[]>`
          select ${tx.unsafe(VERSION_COLUMNS)} from sandsync.versions as v
          where v.file_id = ${file.id} and v.outcome not in ('superseded', 'conflict')
            and (v.committed_at, v.id) < (
              select b.committed_at, b.id from sandsync.versions as b where b.id = ${to.id})
          order by v.committed_at desc, v.id desc
          limit 1`;
      }
      return { ownerId, from, to };
    });
    const [oldText, newText] = await Promise.all([
      from ? this.#text({ ownerId, workspaceId: query.workspaceId }, query.path, from) : "",
      this.#text({ ownerId, workspaceId: query.workspaceId }, query.path, to),
    ]);
    const diff = unifiedDiff(query.path, oldText, newText, { timeoutMs: DIFF_TIMEOUT_MS });
    const stats = diff === null
      ? null
      : diffStats(oldText, newText, { timeoutMs: DIFF_TIMEOUT_MS });
    if (diff === null || stats === null) throw errors.diffTimeout(query.path, DIFF_TIMEOUT_MS);
    return {
      workspaceId: query.workspaceId,
      path: query.path,
      from: from ? toFileVersion(from) : null,
      to: toFileVersion(to),
      diff,
      stats,
    };
  }

  async #text(
    where: { readonly ownerId: string; readonly workspaceId: string },
    path: string,
    row: VersionRow,
  ): Promise<string> {
    if (row.deleted || row.sha256 === null) return "";
    const size = Number(row.size);
    if (size > MAX_DIFF_BYTES) throw errors.diffTooLarge(path, size, MAX_DIFF_BYTES);
    const response = await openBlob({ db: this.#db, blobs: this.#blobs }, {
      owner: where.ownerId,
      workspaceId: where.workspaceId,
      sha256: row.sha256,
    });
    if (!response) throw errors.bytesMissing(row.sha256);
    const text = decodeText(new Uint8Array(await response.arrayBuffer()));
    if (text === null) throw errors.binaryDiff(path, row.id);
    return text;
  }
}

/** `If-Match` (strong) must name the live version; `If-None-Match` must not (`*`: no file). */
function checkPreconditions(path: string, file: FileRow | undefined, pre: Preconditions): void {
  const current = isLive(file) ? file.current_version_id : undefined;
  if (pre.ifMatch && !tagsMatch(pre.ifMatch, current, { comparison: "strong" })) {
    throw errors.preconditionFailed(path, describeTags(pre.ifMatch), current ?? "none");
  }
  if (pre.ifNoneMatch && tagsMatch(pre.ifNoneMatch, current, { comparison: "weak" })) {
    throw errors.preconditionFailed(path, `not ${describeTags(pre.ifNoneMatch)}`, current!);
  }
}

function describeTags(list: EntityTagList): string {
  return list.any ? "*" : list.tags.map((entry) => entry.tag).join(", ");
}

async function assertReplica(tx: Tx, workspaceId: string, replicaId: string): Promise<void> {
  const [row] = await tx`
    select 1 from sandsync.replicas where id = ${replicaId} and workspace_id = ${workspaceId}`;
  if (!row) throw errors.replicaNotFound(replicaId);
}

/** A new live path may not differ only in case from another live one (the commit's rule). */
async function refuseCaseCollision(tx: Tx, workspaceId: string, path: string): Promise<void> {
  const [row] = await tx<{ path: string }[]>`
    select path from sandsync.files
    where workspace_id = ${workspaceId} and lower(path) = lower(${path}) and not deleted
      and path <> ${path}
    limit 1`;
  if (row) throw errors.pathCaseConflict(path, row.path);
}
