/**
 * The sync protocol's server side: negotiate (which blobs to upload, quota reserved), commit
 * (verify bytes, then one SQL call for the change set), changes (the journal after a cursor,
 * optionally long-polled) and manifest (the current state, paged). Services see no HTTP: they
 * get validated input and a {@linkcode Caller}, and use the database and Storage through
 * injected interfaces.
 *
 * @module
 */
import { errors } from "../../../shared/protocol/errors.ts";
import type {
  ChangeEntry,
  ChangesPage,
  ChangesQuery,
  CommitAnswer,
  CommitRequest,
  EntryError,
  ManifestPage,
  ManifestQuery,
  NegotiateRequest,
} from "../../../shared/protocol/sync.ts";
import { assertWorkspaceScope } from "../_shared/edge/auth.ts";
import { type BlobStore, stagingKey } from "../_shared/blobs/blob_store.ts";
import { signBlobs } from "../_shared/blobs/blob_read.ts";
import { locateBlobs } from "../_shared/blobs/blob_packs.ts";
import { reserveBlobs, uploadStatus } from "../_shared/blobs/blob_reserve.ts";
import { agentTokenId, type Caller } from "../_shared/edge/caller.ts";
import { assertVectorKeys, CommitService, uniqueBlobs } from "../_shared/commit/commit_service.ts";
import type { Database } from "../_shared/db/db.ts";
import type { JournalWaiter } from "./journal_waiter.ts";
import { refuseProtectedPaths } from "../_shared/db/protected_check.ts";
import { workspaceOwner } from "../_shared/db/workspaces.ts";
import { downloadUrlTtl } from "../_shared/edge/url_ttl.ts";
import { planUploads, type UploadInstruction } from "./transfer_plan.ts";

/** How long signed download URLs in change feeds and manifests live (10 min for agent tokens). */
export const DOWNLOAD_URL_TTL_SECONDS = 3600;

/** A change of the journal as the API returns it (the shape is shared with clients). */
export type { ChangeEntry };

interface ChangeRow {
  seq: string;
  kind: "file" | "conflict";
  path: string;
  version_id: string | null;
  conflict_id: string | null;
  sha256: string | null;
  size: string;
  mode: number;
  mtime: Date | null;
  deleted: boolean;
  vector: Record<string, number>;
  replica_id: string | null;
  committed_at: Date;
}

/** Settings of {@linkcode SyncService}. */
export interface SyncServiceOptions {
  readonly db: Database;
  readonly blobs: BlobStore;
  readonly waiter: JournalWaiter;
  /** The base URL clients reach Storage at (TUS endpoint). */
  readonly storageUrl: string;
}

/** Negotiate, commit (through `_shared/commit`), changes and manifest. */
export class SyncService {
  readonly #db: Database;
  readonly #blobs: BlobStore;
  readonly #waiter: JournalWaiter;
  readonly #storageUrl: string;
  readonly #commits: CommitService;

  constructor(options: SyncServiceOptions) {
    this.#db = options.db;
    this.#blobs = options.blobs;
    this.#waiter = options.waiter;
    this.#storageUrl = options.storageUrl;
    this.#commits = new CommitService(options);
  }

  /** Reserves quota for the blobs Storage lacks and says how to upload each. */
  async negotiate(caller: Caller, request: NegotiateRequest) {
    assertWorkspaceScope(caller, request.workspaceId);
    // Blobs a stored pack of this workspace holds are present: nothing to reserve or send.
    const all = uniqueBlobs(request.changes);
    const located = await this.#db.asService((tx) =>
      locateBlobs(tx, request.workspaceId, all.map((blob) => blob.sha256))
    );
    const wanted = all.filter((blob) => located.get(blob.sha256)?.size !== blob.size);
    const reservation = await this.#db.asCaller(caller, async (tx) => {
      const owner = await workspaceOwner(tx, request.workspaceId);
      await assertVectorKeys(tx, request.workspaceId, request.changes);
      await refuseProtectedPaths(tx, request.workspaceId, request.changes);
      // The one reservation (`_shared/blobs/blob_reserve.ts`); the client uploads what it lacks.
      const reserved = await reserveBlobs(tx, { caller, owner, wanted });
      const items = [...reserved.values()].map((item) => ({ ...item, status: uploadStatus(item) }));
      return { owner, items };
    });
    // A staged blob (one an agent token's workspace cannot read yet) goes to the token's staging
    // key, whether or not the owner has the bytes: the answer tells nothing either way.
    const tokenId = agentTokenId(caller);
    const missing = reservation.items.filter((item) => item.status !== "present").map((item) => ({
      sha256: item.sha256,
      size: item.size,
      key: item.status === "staged" && tokenId
        ? stagingKey(reservation.owner, tokenId, item.sha256)
        : undefined,
    }));
    const uploads: UploadInstruction[] = await planUploads(this.#blobs, {
      ownerId: reservation.owner,
      storageUrl: this.#storageUrl,
    }, missing);
    return {
      workspaceId: request.workspaceId,
      uploads,
      present: [
        ...all.filter((blob) => !wanted.includes(blob)).map((blob) => blob.sha256),
        ...reservation.items.filter((item) => item.status === "present").map((item) => item.sha256),
      ],
    };
  }

  /** Verifies new blobs, stores inline ones, then commits the change set (`_shared/commit`). */
  commit(caller: Caller, request: CommitRequest): Promise<CommitAnswer> {
    return this.#commits.commit(caller, request);
  }

  /** Journal entries after the cursor; with `wait`, holds until one commits or time runs out. */
  async changes(caller: Caller, query: ChangesQuery): Promise<ChangesPage> {
    assertWorkspaceScope(caller, query.workspaceId);
    const subscription = query.wait > 0
      ? await this.#waiter.subscribe(query.workspaceId, query.cursor, query.wait * 1000)
      : undefined;
    try {
      let read = await this.#readChanges(caller, query);
      if (read.rows.length === 0 && subscription && await subscription.changed) {
        read = await this.#readChanges(caller, query);
      }
      const entries = await this.#withUrls(caller, {
        owner: read.owner,
        workspaceId: query.workspaceId,
      }, read.rows.map(toChangeEntry));
      const last = entries.at(-1);
      return {
        workspaceId: query.workspaceId,
        changes: entries,
        cursor: last ? last.seq : query.cursor,
        hasMore: entries.length === query.limit,
      };
    } finally {
      subscription?.cancel();
    }
  }

  #readChanges(caller: Caller, query: ChangesQuery): Promise<{ owner: string; rows: ChangeRow[] }> {
    return this.#db.asCaller(caller, async (tx) => {
      const owner = await workspaceOwner(tx, query.workspaceId);
      const rows = await tx<ChangeRow[]>`
        select * from public.changes_since(${query.workspaceId}, ${query.cursor}, ${query.limit})`;
      return { owner, rows };
    });
  }

  /** The current files of a workspace, by path, after `after`; with the journal cursor. */
  async manifest(caller: Caller, query: ManifestQuery): Promise<ManifestPage> {
    assertWorkspaceScope(caller, query.workspaceId);
    const { owner, rows, cursor } = await this.#db.asCaller(caller, async (tx) => {
      const owner = await workspaceOwner(tx, query.workspaceId);
      const [head] = await tx<{ cursor: string }[]>`
        select last_seq as cursor from sandsync.workspaces where id = ${query.workspaceId}`;
      const rows = await tx<ChangeRow[]>`
        select seq, 'file' as kind, path, current_version_id as version_id, null as conflict_id,
          sha256, size, mode, mtime, deleted, vector, replica_id, committed_at
        from sandsync.files
        where workspace_id = ${query.workspaceId} and path > ${query.after}
          and (${query.deleted} or not deleted) and current_version_id is not null
        order by path
        limit ${query.limit}`;
      return { owner, rows, cursor: Number(head?.cursor ?? 0) };
    });
    const files = await this.#withUrls(
      caller,
      { owner, workspaceId: query.workspaceId },
      rows.map(toChangeEntry),
    );
    return {
      workspaceId: query.workspaceId,
      cursor,
      files,
      next: files.length === query.limit ? files.at(-1)?.path ?? null : null,
    };
  }

  /**
   * Adds signed download URLs (one Storage call): a packed blob's entry gets its pack's URL and
   * range (`_shared/blobs/blob_read.ts`), a loose one its own object's URL.
   */
  async #withUrls(
    caller: Caller,
    where: { readonly owner: string; readonly workspaceId: string },
    entries: ChangeEntry[],
  ): Promise<ChangeEntry[]> {
    const wanted = entries.filter((entry) =>
      entry.kind === "file" && !entry.deleted && entry.sha256
    );
    if (wanted.length === 0) return entries;
    const signed = await signBlobs({ db: this.#db, blobs: this.#blobs }, {
      ...where,
      sha256s: wanted.map((entry) => entry.sha256!),
      expiresInSeconds: downloadUrlTtl(caller, DOWNLOAD_URL_TTL_SECONDS),
    });
    // One missing object never fails the page: its entry says so, the rest flows.
    return entries.map((entry) => {
      if (entry.kind !== "file" || entry.deleted || !entry.sha256) return entry;
      const blob = signed.get(entry.sha256);
      return blob ? { ...entry, ...blob } : { ...entry, error: missingBytes(entry.sha256) };
    });
  }
}

function missingBytes(sha256: string): EntryError {
  const error = errors.bytesMissing(sha256);
  return { code: "blob_missing", message: error.message };
}

function toChangeEntry(row: ChangeRow): ChangeEntry {
  return {
    seq: Number(row.seq),
    kind: row.kind,
    path: row.path,
    versionId: row.version_id,
    conflictId: row.conflict_id,
    sha256: row.sha256,
    size: Number(row.size),
    mode: row.mode,
    mtime: row.mtime ? row.mtime.getTime() : null,
    deleted: row.deleted,
    vector: row.vector,
    replicaId: row.replica_id,
    committedAt: row.committed_at.toISOString(),
  };
}
