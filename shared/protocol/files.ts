/**
 * The files API (`PUT|GET|HEAD|DELETE files/:workspace/*path`, `?history`, `?diff`): its headers,
 * limits and queries as zod schemas, and its answers, defined once for the function and its
 * clients.
 *
 * @module
 */
import { z } from "zod";
import { MAX_MTIME_MS, replicaIdSchema, uuidSchema } from "./common.ts";
import type { CommitOutcome } from "./sync.ts";
import type { VersionVector } from "../version_vector.ts";

/** Largest body of a `PUT`; bigger files go through sync/negotiate and Storage directly. */
export const MAX_FILES_PUT_BYTES = 16 * 1024 * 1024;

/** Names the caller's registered replica on a write (default: its derived `web` replica). */
export const REPLICA_HEADER = "x-sandsync-replica";
/** The client's modification time of the bytes, ms since the epoch. */
export const MTIME_HEADER = "x-sandsync-mtime";
/** The version an answer is about (writes and downloads). */
export const VERSION_HEADER = "x-sandsync-version";
/** The SHA-256 of a download's bytes: clients check what they read against it. */
export const SHA256_HEADER = "x-sandsync-sha256";

/** Header values are strings: up to 16 digits, read as an integer. */
const digits = (max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && /^\d{1,16}$/.test(v) ? Number(v) : v),
    z.int().min(0).max(max),
  );

/** The headers of a `PUT` or `DELETE` this API reads, by name. */
export const writeHeadersSchema = z.object({
  [REPLICA_HEADER]: replicaIdSchema.optional(),
  [MTIME_HEADER]: digits(MAX_MTIME_MS).optional(),
});

/** `GET files/:workspace/*path?history`: newest first, `limit` at a time, before a version. */
export const historyQuerySchema = z.object({
  limit: digits(1000).pipe(z.int().min(1)).default(100),
  before: uuidSchema.optional(),
});

/** A history query after validation. */
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** `GET files/:workspace/*path?diff`: `to` defaults to the current version, `from` to the one before. */
export const diffQuerySchema = z.object({ from: uuidSchema.optional(), to: uuidSchema.optional() });

/** A diff query after validation. */
export type DiffQuery = z.infer<typeof diffQuerySchema>;

/** `?version=` of a download: a version id. */
export const versionParamSchema = uuidSchema;

/** One version of a file, as history and diffs show it. */
export interface FileVersion {
  readonly versionId: string;
  readonly path: string;
  readonly sha256: string | null;
  readonly size: number;
  readonly mode: number;
  /** Client modification time, ms since the epoch (recorded, not trusted). */
  readonly mtime: number | null;
  readonly deleted: boolean;
  readonly vector: VersionVector;
  readonly replicaId: string | null;
  readonly authorKind: string;
  readonly committedBy: string | null;
  /** The agent token that wrote it; `null` for a user session or the service role. */
  readonly agentTokenId: string | null;
  readonly committedAt: string;
  /** How it entered history: applied, merged, superseded, conflict, resolution, conflict_copy. */
  readonly outcome: string;
  readonly linesAdded: number | null;
  readonly linesRemoved: number | null;
}

/** A page of `GET files/:workspace/*path?history`, newest first. */
export interface FileHistory {
  readonly workspaceId: string;
  readonly path: string;
  readonly currentVersionId: string | null;
  readonly versions: readonly FileVersion[];
  /** Pass as `before` for the next page; `null` on the last. */
  readonly next: string | null;
}

/** The answer of `GET files/:workspace/*path?diff`. */
export interface FileDiff {
  readonly workspaceId: string;
  readonly path: string;
  /** `null` when `to` is the path's first version (diffed against nothing). */
  readonly from: FileVersion | null;
  readonly to: FileVersion;
  /** Git-style unified diff; `""` when the texts are equal. */
  readonly diff: string;
  readonly stats: { readonly added: number; readonly removed: number };
}

/** The answer of `PUT` and `DELETE files/:workspace/*path`: what the write committed. */
export interface FileWriteAnswer {
  readonly workspaceId: string;
  readonly path: string;
  /** The version this write created (for a no-op `merged`, the current one). */
  readonly versionId: string;
  /** `applied`, or `merged` when the bytes were already current. */
  readonly outcome: CommitOutcome;
  readonly sha256: string | null;
  readonly size: number;
  readonly mode: number;
  readonly deleted: boolean;
  /** The path's current vector after the commit. */
  readonly vector: VersionVector;
  readonly replicaId: string;
  /** The workspace's journal cursor after the commit. */
  readonly cursor: number;
  readonly changeSetId: string;
  /** The live version this write replaced; `null` for a new path. */
  readonly previousVersionId: string | null;
}
