/**
 * Types of the client library. The API's bodies and answers are defined once in shared/protocol/
 * (one module per API) and re-exported here, so client and server cannot drift apart; what is
 * defined here is the client's own (progress events, a sync run's summary).
 *
 * @module
 */
export type {
  ChangeEntry,
  ChangesPage,
  CommitAnswer,
  CommitItemAnswer,
  CommitOutcome,
  CommitRequest,
  EntryError,
  FileChange,
  ManifestPage,
  NegotiateAnswer,
  NegotiateRequest,
  UploadInstruction,
} from "../shared/protocol/sync.ts";
export type {
  AgentToken,
  CreateWorkspaceInput,
  HeartbeatAnswer,
  IssuedToken,
  IssueTokenInput,
  RegisterReplicaInput,
  Replica,
  ReplicaHealth,
  ReplicaKind,
  Workspace,
} from "../shared/protocol/workspaces.ts";

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
