/**
 * The rows the files API reads (a path's current state, its versions), read as the caller so
 * RLS decides what exists, and the API shape of a version.
 *
 * @module
 */
import type { Tx } from "../_shared/db/db.ts";
import type { FileVersion } from "../../../shared/protocol/files.ts";

/** A `sandsync.versions` row as the files API selects it. */
export interface VersionRow {
  id: string;
  path: string;
  sha256: string | null;
  size: string;
  mode: number;
  mtime: Date | null;
  deleted: boolean;
  vector: Record<string, number>;
  replica_id: string | null;
  author_kind: string;
  committed_by: string | null;
  agent_token_id: string | null;
  committed_at: Date;
  outcome: string;
  lines_added: number | null;
  lines_removed: number | null;
}

/** A `sandsync.files` row as the files API selects it. */
export interface FileRow {
  id: string;
  current_version_id: string | null;
  mode: number;
  deleted: boolean;
  vector: Record<string, number>;
}

/** The columns of a {@linkcode VersionRow}. */
export const VERSION_COLUMNS =
  "id, path, sha256, size, mode, mtime, deleted, vector, replica_id, " +
  "author_kind, committed_by, agent_token_id, committed_at, outcome, lines_added, lines_removed";

/** True for a path with a current version that is not a tombstone. */
export function isLive(
  file: FileRow | undefined,
): file is FileRow & { current_version_id: string } {
  return file !== undefined && !file.deleted && file.current_version_id !== null;
}

/** The path's row (live or tombstone), if the path ever existed. */
export async function currentFile(
  tx: Tx,
  { workspaceId, path }: { readonly workspaceId: string; readonly path: string },
): Promise<FileRow | undefined> {
  const [row] = await tx<FileRow[]>`
    select id, current_version_id, mode, deleted, vector from sandsync.files
    where workspace_id = ${workspaceId} and path = ${path}`;
  return row;
}

/** One version of a file, by id. */
export async function versionOf(
  tx: Tx,
  { fileId, versionId }: { readonly fileId: string; readonly versionId: string },
): Promise<VersionRow | undefined> {
  const [row] = await tx<VersionRow[]>`
    select ${tx.unsafe(VERSION_COLUMNS)} from sandsync.versions
    where id = ${versionId} and file_id = ${fileId}`;
  return row;
}

/** The API shape of a version row. */
export function toFileVersion(row: VersionRow): FileVersion {
  return {
    versionId: row.id,
    path: row.path,
    sha256: row.sha256,
    size: Number(row.size),
    mode: row.mode,
    mtime: row.mtime ? row.mtime.getTime() : null,
    deleted: row.deleted,
    vector: row.vector,
    replicaId: row.replica_id,
    authorKind: row.author_kind,
    committedBy: row.committed_by,
    agentTokenId: row.agent_token_id,
    committedAt: row.committed_at.toISOString(),
    outcome: row.outcome,
    linesAdded: row.lines_added,
    linesRemoved: row.lines_removed,
  };
}
