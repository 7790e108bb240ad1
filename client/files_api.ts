/**
 * Calls of the `files` function (docs/api.md#files): one file at a time, written, read and
 * deleted through the function itself, plus a path's history and diffs. Downloads are
 * checked against the `x-sandsync-sha256` the function sends.
 *
 * @module
 */
import { errors } from "../shared/protocol/errors.ts";
import { createSha256 } from "../shared/hash.ts";
import {
  type FileDiff,
  type FileHistory,
  type FileVersion,
  type FileWriteAnswer,
  MAX_FILES_PUT_BYTES,
  MTIME_HEADER,
  REPLICA_HEADER,
  SHA256_HEADER,
  VERSION_HEADER,
} from "../shared/protocol/files.ts";
import type { RequestOptions, SyncApi } from "./sync_api.ts";

export { MAX_FILES_PUT_BYTES };

export type { FileDiff, FileHistory, FileVersion, FileWriteAnswer };

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
    ...(options.replicaId ? { [REPLICA_HEADER]: options.replicaId } : {}),
    ...(options.mtime !== undefined ? { [MTIME_HEADER]: String(Math.floor(options.mtime)) } : {}),
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
): Promise<FileWriteAnswer> {
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
): Promise<FileWriteAnswer> {
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
  const expected = response.headers.get(SHA256_HEADER) ?? "";
  const versionId = response.headers.get(VERSION_HEADER) ?? "";
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
