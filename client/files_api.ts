/**
 * Calls of the `files` function (docs/api.md#files): one file at a time, written, read and
 * deleted through the function itself, plus a path's history and diffs. Downloads are
 * checked against the `x-sandsync-sha256` the function sends.
 *
 * @module
 */
import { errors } from "../shared/protocol/errors.ts";
import { createSha256 } from "../shared/hash.ts";
import type { VersionVector } from "../shared/version_vector.ts";
import type { RequestOptions, SyncApi } from "./sync_api.ts";

/** Largest body `PUT /files` takes; bigger files go through negotiate and Storage. */
export const MAX_FILES_PUT_BYTES = 16 * 1024 * 1024;

/** One version of a path, as history lists it. */
export interface FileVersion {
  readonly versionId: string;
  readonly path: string;
  readonly sha256: string | null;
  readonly size: number;
  readonly mode: number;
  readonly mtime: number | null;
  readonly deleted: boolean;
  readonly vector: VersionVector;
  readonly replicaId: string | null;
  readonly authorKind: string | null;
  readonly committedBy: string | null;
  /** The agent token that wrote it; `null` for a user session (absent from older servers). */
  readonly agentTokenId?: string | null;
  readonly committedAt: string;
  /** How it entered history: `applied`, `merged`, `superseded`, `conflict`, `resolution`, `conflict_copy`. */
  readonly outcome: string;
  readonly linesAdded: number | null;
  readonly linesRemoved: number | null;
}

/** A page of `GET /files/<ws>/<path>?history` (newest first). */
export interface FileHistory {
  readonly workspaceId: string;
  readonly path: string;
  readonly currentVersionId: string | null;
  readonly versions: readonly FileVersion[];
  /** The `before` of the next page, or `null`. */
  readonly next: string | null;
}

/** The answer of `GET /files/<ws>/<path>?diff`. */
export interface FileDiff {
  readonly workspaceId: string;
  readonly path: string;
  readonly from: FileVersion | null;
  readonly to: FileVersion;
  /** A unified diff, `""` when the texts are equal. */
  readonly diff: string;
  readonly stats: { added: number; removed: number };
}

/** The answer of `PUT` and `DELETE /files/<ws>/<path>`. */
export interface FileWriteResult {
  readonly workspaceId: string;
  readonly path: string;
  readonly versionId: string;
  readonly outcome: "applied" | "merged";
  readonly sha256: string | null;
  readonly size: number;
  readonly mode: number;
  readonly deleted: boolean;
  readonly vector: VersionVector;
  readonly replicaId: string;
  readonly cursor: number;
  readonly changeSetId: string;
  readonly previousVersionId: string | null;
}

/** Which file (and how) a call is about. */
export interface FileRef {
  readonly workspaceId: string;
  readonly path: string;
}

/** Options of writes: conditions, the replica to record, the client's mtime. */
export interface WriteOptions extends RequestOptions {
  /** Write only if the file is at this version (`If-Match`); `*`: only if it exists. */
  readonly ifMatch?: string;
  /** A replica registered in the workspace (default: the caller's own `web` replica). */
  readonly replicaId?: string;
  /** Modification time, ms since the epoch. */
  readonly mtime?: number;
}

/** `files/<workspaceId>/<path>`, each segment percent-encoded. */
export function filesPath(ref: FileRef): string {
  const segments = ref.path.split("/").map(encodeURIComponent).join("/");
  return `files/${encodeURIComponent(ref.workspaceId)}/${segments}`;
}

function writeHeaders(options: WriteOptions): Record<string, string> {
  return {
    ...(options.ifMatch ? { "if-match": quoteTag(options.ifMatch) } : {}),
    ...(options.replicaId ? { "x-sandsync-replica": options.replicaId } : {}),
    ...(options.mtime !== undefined
      ? { "x-sandsync-mtime": String(Math.floor(options.mtime)) }
      : {}),
  };
}

function quoteTag(tag: string): string {
  return tag === "*" || tag.startsWith('"') ? tag : `"${tag}"`;
}

/** `PUT /files/<ws>/<path>`: the bytes become the path's next version (at most 16 MiB). */
export async function putFile(
  api: SyncApi,
  ref: FileRef & { content: Uint8Array },
  options: WriteOptions = {},
): Promise<FileWriteResult> {
  if (ref.content.byteLength > MAX_FILES_PUT_BYTES) {
    throw errors.uploadTooLarge(ref.path, ref.content.byteLength, MAX_FILES_PUT_BYTES);
  }
  const response = await api.send("PUT", filesPath(ref), {
    ...options,
    body: ref.content,
    headers: { "content-type": "application/octet-stream", ...writeHeaders(options) },
  });
  return await response.json();
}

/** `DELETE /files/<ws>/<path>`: a tombstone (history keeps the bytes). */
export async function deletePath(
  api: SyncApi,
  ref: FileRef,
  options: WriteOptions = {},
): Promise<FileWriteResult> {
  const response = await api.send("DELETE", filesPath(ref), {
    ...options,
    headers: writeHeaders(options),
  });
  return await response.json();
}

/** A file's bytes with the version they are. */
export interface FileContent {
  readonly bytes: Uint8Array;
  readonly versionId: string;
  readonly sha256: string;
}

/**
 * `GET /files/<ws>/<path>` (`versionId`: a historic version), read whole and checked against
 * the SHA-256 the function announces.
 */
export async function getFile(
  api: SyncApi,
  ref: FileRef & { versionId?: string },
  options: RequestOptions & { onProgress?: (bytes: number, total: number) => void } = {},
): Promise<FileContent> {
  const query = ref.versionId ? `?version=${encodeURIComponent(ref.versionId)}` : "";
  const response = await api.send("GET", `${filesPath(ref)}${query}`, options);
  const expected = response.headers.get("x-sandsync-sha256") ?? "";
  const versionId = response.headers.get("x-sandsync-version") ?? "";
  const total = Number(response.headers.get("content-length") ?? 0);
  const hash = createSha256();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    hash.update(chunk);
    chunks.push(chunk);
    size += chunk.byteLength;
    options.onProgress?.(size, total);
  }
  const sha256 = hash.digestHex();
  if (sha256 !== expected) throw errors.hashMismatch(ref.path, expected, sha256);
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, versionId, sha256 };
}

/** One page of `GET /files/<ws>/<path>?history`. */
export function fileHistory(
  api: SyncApi,
  ref: FileRef & { limit?: number; before?: string },
  options: RequestOptions = {},
): Promise<FileHistory> {
  const params = new URLSearchParams({ limit: String(ref.limit ?? 1000) });
  if (ref.before) params.set("before", ref.before);
  return api.request("GET", `${filesPath(ref)}?history&${params}`, undefined, options);
}

/** Every version of a path, newest first (all pages). */
export async function fullFileHistory(
  api: SyncApi,
  ref: FileRef,
  options: RequestOptions = {},
): Promise<FileHistory> {
  let page = await fileHistory(api, ref, options);
  const versions = [...page.versions];
  while (page.next !== null) {
    page = await fileHistory(api, { ...ref, before: page.next }, options);
    versions.push(...page.versions);
  }
  return { ...page, versions, next: null };
}

/** `GET /files/<ws>/<path>?diff`: `to` defaults to the current version, `from` to the one before. */
export function fileDiff(
  api: SyncApi,
  ref: FileRef & { from?: string; to?: string },
  options: RequestOptions = {},
): Promise<FileDiff> {
  const params = new URLSearchParams();
  if (ref.from) params.set("from", ref.from);
  if (ref.to) params.set("to", ref.to);
  const query = params.size > 0 ? `&${params}` : "";
  return api.request("GET", `${filesPath(ref)}?diff${query}`, undefined, options);
}
