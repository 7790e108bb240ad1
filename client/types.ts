/**
 * The sync API's answers as the client sees them (camelCase), plus the requests it sends. The
 * request bodies are the zod-inferred types of shared/wire.ts, so client and server cannot
 * drift apart.
 *
 * @module
 */
import type { ConflictStrategy, MergeFallback } from "../shared/merge/conflict.ts";
import type { VersionVector } from "../shared/version_vector.ts";

export type { CommitRequest, FileChange, NegotiateRequest } from "../shared/protocol/sync.ts";
export type { ChangeEntry, UploadInstruction } from "../shared/protocol/sync_answers.ts";
import type { ChangeEntry, UploadInstruction } from "../shared/protocol/sync_answers.ts";

/** The answer of `sync/negotiate`. */
export interface NegotiateResponse {
  readonly workspaceId: string;
  /** Blobs Storage lacks, with how to upload each (quota is reserved). */
  readonly uploads: readonly UploadInstruction[];
  /** Blobs Storage already holds: nothing to upload. */
  readonly present: readonly string[];
}

/** What a commit did with one change. */
export type CommitOutcome = "applied" | "merged" | "superseded" | "conflict" | "rejected";

/** One item of a commit's answer. */
export interface CommitItemResult {
  readonly index: number;
  readonly path: string;
  readonly outcome: CommitOutcome;
  /** Set for `rejected` (`path_case_conflict`). */
  readonly code?: string;
  /** The version this change became (or, for `merged`, the current one). */
  readonly versionId?: string;
  /** The file's current version afterwards. */
  readonly currentVersionId?: string;
  /** The current version's vector afterwards. */
  readonly vector?: VersionVector;
  readonly conflictId?: string;
  readonly ancestorVersionId?: string;
  readonly supersededVersionId?: string;
  /** Where the server kept the loser of a last-write-wins conflict. */
  readonly conflictCopyPath?: string;
  /** The current content's SHA-256 when the server made it (an auto-merge): not what was sent. */
  readonly sha256?: string;
  /**
   * `merged`: the vector the server gave the version this change became, before the merge (the
   * current `vector` dominates it).
   */
  readonly incomingVector?: VersionVector;
}

/** The answer of `sync/commit`. */
export interface CommitResult {
  readonly changeSetId: string;
  readonly workspaceId: string;
  /** True when the idempotency key was seen before: the stored answer. */
  readonly replayed: boolean;
  /** The workspace's journal cursor after the commit. */
  readonly cursor: number;
  readonly items: readonly CommitItemResult[];
}

/** A page of `sync/changes`. */
export interface ChangesPage {
  readonly workspaceId: string;
  readonly changes: readonly ChangeEntry[];
  /** The cursor to ask from next. */
  readonly cursor: number;
  readonly hasMore: boolean;
}

/** A page of `sync/manifest`. */
export interface ManifestPage {
  readonly workspaceId: string;
  /** The journal cursor the listing is consistent with (read it before paging). */
  readonly cursor: number;
  readonly files: readonly ChangeEntry[];
  /** The `after` of the next page, or `null` at the end. */
  readonly next: string | null;
}

/** A workspace. */
export interface Workspace {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly sandboxId: string | null;
  readonly strategy: ConflictStrategy;
  readonly mergeFallback: MergeFallback;
  readonly conflictCopies: boolean;
  /** `.git/` is synced (the owner opted in); protected otherwise. */
  readonly syncGit?: boolean;
  readonly cursor: number;
  readonly createdAt: string;
}

/** Input of `POST /workspaces`. */
export interface CreateWorkspaceInput {
  readonly name: string;
  readonly strategy?: ConflictStrategy;
  readonly mergeFallback?: MergeFallback;
  readonly sandboxId?: string;
  readonly conflictCopies?: boolean;
}

/** Kinds of replica the server knows. */
export type ReplicaKind = "agent" | "mobile" | "bridge" | "cli" | "web";

/** Input of `POST /workspaces/:id/replicas`. */
export interface RegisterReplicaInput {
  readonly replicaId: string;
  readonly kind: ReplicaKind;
  readonly name?: string;
  readonly sandboxInstance?: string;
}

/** A registered replica. */
export interface Replica {
  readonly replicaId: string;
  readonly kind: string;
  readonly sandboxInstance: string | null;
  readonly lastCursor: number;
}

/** A newly issued agent token: `token` is shown only here. */
export interface IssuedToken {
  readonly token: string;
  readonly [key: string]: unknown;
}

/** What a sync run did, for `--json` and scripts. */
export interface SyncResult {
  /** Files committed from here. */
  uploaded: number;
  /** Files written here from the workspace. */
  downloaded: number;
  /** Deletions committed or applied. */
  deleted: number;
  /** Open conflicts (opened by this run, or already open) on paths seen. */
  conflicts: number;
  /** Changes left alone (ignored, unchanged, held back by a safety rule). */
  skipped: number;
  /** Bytes moved in either direction. */
  bytes: number;
  durationMs: number;
}

/** An empty {@linkcode SyncResult}. */
export function emptySyncResult(): SyncResult {
  return {
    uploaded: 0,
    downloaded: 0,
    deleted: 0,
    conflicts: 0,
    skipped: 0,
    bytes: 0,
    durationMs: 0,
  };
}

/** A progress event of a transfer or a sync. */
export interface ProgressEvent {
  readonly kind: "upload" | "download" | "commit" | "scan" | "apply";
  readonly path?: string;
  /** Bytes done so far of this item (transfers). */
  readonly bytes?: number;
  /** Bytes of this item in total (transfers). */
  readonly total?: number;
  readonly message?: string;
}
