/**
 * The sync protocol's server side: negotiate (which blobs to upload, quota reserved), commit
 * (verify bytes, then one SQL call for the change set), changes (the journal after a cursor,
 * optionally long-polled) and manifest (the current state, paged). Services see no HTTP: they
 * get validated input and a {@linkcode Caller}, and use the database and Storage through
 * injected interfaces.
 *
 * @module
 */
import { errors } from "../../../shared/errors.ts";
import type { ChangeEntry, EntryError } from "../../../shared/sync_answers.ts";
import { sha256Hex } from "../../../shared/hash.ts";
import type {
  ChangesQuery,
  CommitRequest,
  FileChange,
  NegotiateRequest,
} from "../../../shared/wire.ts";
import { assertWorkspaceScope } from "./auth.ts";
import { ingestBlobs } from "./blob_ingest.ts";
import { blobKey, type BlobStore, stagingKey } from "./blob_store.ts";
import { agentTokenId, type Caller } from "./caller.ts";
import type { Database, Tx } from "./db.ts";
import type { JournalWaiter } from "./journal_waiter.ts";
import { refuseProtectedPaths } from "./protected_check.ts";
import { adoptStaged } from "./staged_blobs.ts";
import { autoMergeCommit } from "./merge_service.ts";
import { downloadUrlTtl } from "./url_ttl.ts";
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

/** Negotiate, commit, changes and manifest. */
export class SyncService {
  readonly #db: Database;
  readonly #blobs: BlobStore;
  readonly #waiter: JournalWaiter;
  readonly #storageUrl: string;

  constructor(options: SyncServiceOptions) {
    this.#db = options.db;
    this.#blobs = options.blobs;
    this.#waiter = options.waiter;
    this.#storageUrl = options.storageUrl;
  }

  /** Reserves quota for the blobs Storage lacks and says how to upload each. */
  async negotiate(caller: Caller, request: NegotiateRequest) {
    assertWorkspaceScope(caller, request.workspaceId);
    const wanted = uniqueBlobs(request.changes);
    const reservation = await this.#db.asCaller(caller, async (tx) => {
      const owner = await workspaceOwner(tx, request.workspaceId);
      await assertVectorKeys(tx, request.workspaceId, request.changes);
      await refuseProtectedPaths(tx, request.workspaceId, request.changes);
      if (wanted.length === 0) return { owner, items: [] as ReservedItem[] };
      const [row] = await tx<{ result: { items: ReservedItem[] } }[]>`
        select ${
        caller.kind === "service"
          ? tx`public.service_reserve_quota(${owner}, ${tx.json(wanted)})`
          : tx`public.reserve_quota(${tx.json(wanted)})`
      } as result`;
      const items = row?.result.items ?? [];
      // A collecting blob's object is about to be removed: absent, so the client uploads afresh.
      const collecting = await tx<{ sha256: string }[]>`
        select sha256 from sandsync.blobs where owner_id = ${owner} and state = 'collecting'
          and sha256 = any(${items.map((item) => item.sha256)})`;
      const gone = new Set(collecting.map((blob) => blob.sha256));
      return {
        owner,
        items: items.map((item) =>
          gone.has(item.sha256) && item.status === "present"
            ? { ...item, status: "reserved" as const }
            : item
        ),
      };
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
      present: reservation.items.filter((item) => item.status === "present").map((item) =>
        item.sha256
      ),
    };
  }

  /** Verifies new blobs, stores inline ones, then commits the change set in one SQL call. */
  async commit(caller: Caller, request: CommitRequest) {
    assertWorkspaceScope(caller, request.workspaceId);
    // Refuse an unknown workspace or replica before any byte is stored (nothing left behind).
    const { owner, known } = await this.#db.asCaller(caller, async (tx) => {
      const owner = await workspaceOwner(tx, request.workspaceId);
      const [replica] = await tx`select 1 from sandsync.replicas
        where id = ${request.replicaId} and workspace_id = ${request.workspaceId}`;
      if (!replica) throw errors.replicaNotFound(request.replicaId);
      await assertVectorKeys(tx, request.workspaceId, request.changes);
      await refuseProtectedPaths(tx, request.workspaceId, request.changes);
      // A known idempotency key goes straight to commit_changes, which replays the stored answer
      // or refuses other items: either way no inline blob may be stored for it first.
      const [prior] = await tx`select 1 from sandsync.change_sets
        where workspace_id = ${request.workspaceId} and idempotency_key = ${request.idempotencyKey}`;
      return { owner, known: prior !== undefined };
    });
    if (!known) {
      await this.#storeInline(caller, owner, request);
      await this.#verifyBlobs(caller, owner, request);
    }
    const items = request.changes.map(toCommitItem);
    const [row] = await this.#db.asCaller(caller, (tx) =>
      tx<{ result: Record<string, unknown> }[]>`
        select public.commit_changes(${request.workspaceId}, ${request.replicaId},
          ${request.idempotencyKey}, ${tx.json(items)}) as result`);
    // auto_merge workspaces: the commit's conflicts are merged server-side (merge_service.ts).
    const deps = { db: this.#db, blobs: this.#blobs };
    return await autoMergeCommit(deps, caller, request, row?.result);
  }

  async #storeInline(caller: Caller, owner: string, request: CommitRequest): Promise<void> {
    const decoded = Object.entries(request.inline ?? {}).map(([sha256, data]) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const actual = sha256Hex(bytes);
      if (actual !== sha256) throw errors.hashMismatch(`inline:${sha256}`, sha256, actual);
      return { sha256, bytes };
    });
    // Inline bytes count against concurrent uploads like any other (reserved first).
    await ingestBlobs({ db: this.#db, blobs: this.#blobs }, { caller, owner, items: decoded });
  }

  async #verifyBlobs(caller: Caller, owner: string, request: CommitRequest): Promise<void> {
    const needed = uniqueBlobs(request.changes).filter((blob) => !request.inline?.[blob.sha256]);
    if (needed.length === 0) return;
    const hashes = needed.map((blob) => blob.sha256);
    const known = await this.#db.asCaller(
      caller,
      (tx) =>
        tx<{ sha256: string; size: string; state: string }[]>`
        select sha256, size, state from sandsync.blobs
        where owner_id = ${owner} and sha256 = any(${hashes})`,
    );
    // What a workspace-scoped caller may reuse without sending the bytes (everything else must
    // have been uploaded to its staging key): the database's own rule, sandsync.readable_blob.
    const workspace = caller.workspaceId;
    const readable = workspace === undefined
      ? undefined
      : await this.#db.asService((tx) =>
        tx<{ sha256: string }[]>`
        select h.sha256 from unnest(${hashes}::text[]) as h (sha256)
        where sandsync.readable_blob(${workspace}, ${owner}, h.sha256)`
      );
    const state = new Map(known.map((row) => [row.sha256, row]));
    const mayReuse = readable && new Set(readable.map((row) => row.sha256));
    const tokenId = agentTokenId(caller);
    const staged: string[] = [];
    for (const blob of needed) {
      const row = state.get(blob.sha256);
      if (mayReuse && !mayReuse.has(blob.sha256) && tokenId) {
        // Proof of possession: the staged upload is hashed like any other, then one copy kept.
        const key = stagingKey(owner, tokenId, blob.sha256);
        await this.#checkObject(key, blob);
        await adoptStaged(this.#blobs, { owner, staged: key, blob, state: row?.state });
        await this.#db.asService((tx) =>
          tx`select public.service_mark_blob_stored(${owner}, ${blob.sha256}, ${blob.size})`
        );
        staged.push(blob.sha256);
        continue;
      }
      if (row?.state === "stored") continue;
      const key = blobKey(owner, blob.sha256);
      await this.#checkObject(key, blob);
      // Service role: the server vouches for bytes it has just hashed.
      await this.#db.asService((tx) =>
        tx`select public.service_mark_blob_stored(${owner}, ${blob.sha256}, ${blob.size})`
      );
    }
    if (staged.length > 0) {
      await this.#db.asService((tx) =>
        tx`select public.service_grant_blobs(${workspace!}, ${staged}::text[])`
      );
    }
  }

  /** Hashes the object at `key`: `blob_missing` when absent, `hash_mismatch` (and removed) when wrong. */
  async #checkObject(key: string, blob: { sha256: string; size: number }): Promise<void> {
    const digest = await this.#blobs.digest(key);
    if (!digest) throw errors.blobMissing(blob.sha256);
    if (digest.sha256 !== blob.sha256 || digest.size !== blob.size) {
      // Bad bytes never stay: removing them frees the quota and lets the client upload again.
      await this.#blobs.remove([key]);
      throw errors.hashMismatch(
        blob.sha256,
        `${blob.sha256} (${blob.size} bytes)`,
        `${digest.sha256} (${digest.size} bytes)`,
      );
    }
  }

  /** Journal entries after the cursor; with `wait`, holds until one commits or time runs out. */
  async changes(caller: Caller, query: ChangesQuery) {
    assertWorkspaceScope(caller, query.workspaceId);
    const subscription = query.wait > 0
      ? await this.#waiter.subscribe(query.workspaceId, query.cursor, query.wait * 1000)
      : undefined;
    try {
      let read = await this.#readChanges(caller, query);
      if (read.rows.length === 0 && subscription && await subscription.changed) {
        read = await this.#readChanges(caller, query);
      }
      const entries = await this.#withUrls(caller, read.owner, read.rows.map(toChangeEntry));
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
  async manifest(
    caller: Caller,
    query: { workspaceId: string; after: string; limit: number; deleted: boolean },
  ) {
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
    const files = await this.#withUrls(caller, owner, rows.map(toChangeEntry));
    return {
      workspaceId: query.workspaceId,
      cursor,
      files,
      next: files.length === query.limit ? files.at(-1)?.path ?? null : null,
    };
  }

  /** Adds signed download URLs (one Storage call); blobs live under the workspace owner. */
  async #withUrls(caller: Caller, owner: string, entries: ChangeEntry[]): Promise<ChangeEntry[]> {
    const wanted = entries.filter((entry) =>
      entry.kind === "file" && !entry.deleted && entry.sha256
    );
    if (wanted.length === 0) return entries;
    const keys = [...new Set(wanted.map((entry) => blobKey(owner, entry.sha256!)))];
    const urls = await this.#blobs.signDownloads(
      keys,
      downloadUrlTtl(caller, DOWNLOAD_URL_TTL_SECONDS),
    );
    const byKey = new Map(keys.map((key, i) => [key, urls[i]]));
    // One missing object never fails the page: its entry says so, the rest flows.
    return entries.map((entry) => {
      if (entry.kind !== "file" || entry.deleted || !entry.sha256) return entry;
      const url = byKey.get(blobKey(owner, entry.sha256));
      return url ? { ...entry, url } : { ...entry, error: missingBytes(entry.sha256) };
    });
  }
}

interface ReservedItem {
  sha256: string;
  size: number;
  status: "present" | "reserved" | "staged";
  storage_key: string;
}

async function workspaceOwner(tx: Tx, workspaceId: string): Promise<string> {
  const [row] = await tx<{ owner_id: string }[]>`
    select owner_id from sandsync.workspaces where id = ${workspaceId}`;
  if (!row) throw errors.workspaceNotFound(workspaceId);
  return row.owner_id;
}

/**
 * Refuses base vectors naming replicas the workspace does not have: a vector is copied into every
 * later version of its file, so a made-up key would stay forever (SQL checks again on insert).
 */
async function assertVectorKeys(
  tx: Tx,
  workspaceId: string,
  changes: readonly FileChange[],
): Promise<void> {
  const keys = new Set<string>();
  for (const change of changes) for (const key of Object.keys(change.base ?? {})) keys.add(key);
  // Conflict copies carry the workspace id as their only key (commit_changes).
  keys.delete(workspaceId);
  if (keys.size === 0) return;
  const rows = await tx<{ id: string }[]>`select id from sandsync.replicas
    where workspace_id = ${workspaceId} and id = any(${[...keys]}::uuid[])`;
  for (const row of rows) keys.delete(row.id);
  const [stranger] = keys;
  if (stranger === undefined) return;
  const index = changes.findIndex((change) => Object.hasOwn(change.base ?? {}, stranger));
  throw errors.validationFailed([{
    path: `changes.${index}.base.${stranger}`,
    message: "not a replica of this workspace",
  }]);
}

function missingBytes(sha256: string): EntryError {
  const error = errors.bytesMissing(sha256);
  return { code: "blob_missing", message: error.message };
}

function uniqueBlobs(changes: readonly FileChange[]): { sha256: string; size: number }[] {
  const blobs = new Map<string, number>();
  for (const change of changes) {
    if (change.sha256 !== null && !change.deleted) blobs.set(change.sha256, change.size);
  }
  return [...blobs].map(([sha256, size]) => ({ sha256, size }));
}

function toCommitItem(change: FileChange) {
  const deleted = change.deleted === true || change.sha256 === null;
  return {
    path: change.path,
    deleted,
    ...(deleted ? {} : { sha256: change.sha256, size: change.size }),
    mode: change.mode,
    mtime: new Date(change.mtime).toISOString(),
    base: change.base ?? {},
    ...(change.diffStats
      ? { lines_added: change.diffStats.added, lines_removed: change.diffStats.removed }
      : {}),
  };
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
