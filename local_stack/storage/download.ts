/**
 * Object responses as supabase/storage's renderers write them (`storage/renderer/*.ts`):
 * downloads with Content-Type, Cache-Control (or Expires on signed URLs), ETag, Last-Modified,
 * `X-Robots-Tag: none`, conditional GETs (304) and HTTP ranges (206, or 416); HEAD with the
 * same headers from the row alone; and the JSON of `GET /object/info/...`.
 *
 * @module
 */
import type { StorageBackend } from "./disk_backend.ts";
import { ERRORS, isStorageError } from "./errors.ts";
import { json } from "./http.ts";
import { servedCacheControl, servedContentType } from "./object_headers.ts";
import type { ObjectRow } from "./rows.ts";

/** How an object is served. */
export interface ServeOptions {
  /** Signed URLs: an `Expires` header (the token's expiry) replaces Cache-Control. */
  readonly expires?: Date;
}

/** Parses `Range: bytes=a-b` against `size` as the real server does; 416 InvalidRange if bad. */
export function parseRange(header: string | null, size: number) {
  if (header === null) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header);
  if (!match || size <= 0 || (match[1] === "" && match[2] === "")) throw ERRORS.invalidRange();
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (!Number.isSafeInteger(suffix) || suffix <= 0) throw ERRORS.invalidRange();
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Number(match[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start || start >= size) {
    throw ERRORS.invalidRange();
  }
  return { start, end: Math.min(end, size - 1) };
}

/** The Cache-Control of a download or HEAD, with the renderers' If-None-Match additions. */
function cacheControl(row: ObjectRow, request: Request, head: boolean): string {
  const values = [servedCacheControl(row.metadata?.cacheControl)];
  const etag = request.headers.get("if-none-match");
  if (etag && etag !== row.metadata?.eTag) {
    values.push(head ? "must-revalidate" : "stale-while-revalidate=30");
  }
  return values.join(", ");
}

function contentDisposition(download: string): string {
  if (download === "") return "attachment;";
  const name = encodeURIComponent(download);
  return `attachment; filename=${name}; filename*=UTF-8''${name}`;
}

/** The headers of a download or HEAD of `row`. */
export function assetHeaders(row: ObjectRow, request: Request, options: ServeOptions = {}) {
  const meta = row.metadata;
  const headers = new Headers({
    "accept-ranges": "bytes",
    "content-type": servedContentType(meta?.mimetype),
    "x-robots-tag": "none",
  });
  if (meta?.eTag) headers.set("etag", meta.eTag);
  if (meta?.lastModified) headers.set("last-modified", new Date(meta.lastModified).toUTCString());
  if (meta) headers.set("content-length", String(meta.size));
  if (options.expires) headers.set("expires", options.expires.toUTCString());
  else headers.set("cache-control", cacheControl(row, request, request.method === "HEAD"));
  const download = new URL(request.url).searchParams.get("download");
  if (download !== null) headers.set("content-disposition", contentDisposition(download));
  return headers;
}

/** Whether a conditional GET is answered 304 (If-None-Match, else If-Modified-Since). */
function notModified(row: ObjectRow, request: Request): boolean {
  const meta = row.metadata;
  const etag = request.headers.get("if-none-match");
  if (etag) return etag === meta?.eTag;
  const since = Date.parse(request.headers.get("if-modified-since") ?? "");
  if (Number.isNaN(since) || !meta?.lastModified) return false;
  // HTTP dates have whole seconds.
  return Math.floor(Date.parse(meta.lastModified) / 1000) * 1000 <= since;
}

/** The response for GET/HEAD of an object. */
export async function objectResponse(
  backend: StorageBackend,
  row: ObjectRow,
  request: Request,
  options: ServeOptions = {},
): Promise<Response> {
  const headers = assetHeaders(row, request, options);
  if (request.method === "HEAD") return new Response(null, { status: 200, headers });
  if (notModified(row, request)) {
    headers.delete("content-length");
    return new Response(null, { status: 304, headers });
  }
  const size = row.metadata?.size ?? 0;
  const range = parseRange(request.headers.get("range"), size);
  let body: ReadableStream<Uint8Array>;
  try {
    if (!row.version) throw ERRORS.noSuchKey(row.name);
    body = await backend.read(row.version, range);
  } catch (error) {
    if (!isStorageError(error) || error.code !== "NoSuchKey") throw error;
    // A row whose bytes are gone: the renderer's own not-found answer, never cached.
    const missing = ERRORS.bytesNotFound(row.version ?? "", error);
    return json(missing.render(), 400, { "cache-control": "no-store" });
  }
  if (!range) return new Response(body, { status: 200, headers });
  headers.set("content-range", `bytes ${range.start}-${range.end}/${size}`);
  headers.set("content-length", String(range.end - range.start + 1));
  return new Response(body, { status: 206, headers });
}

/** The body of `GET /object/info/...` (`metadata` is the user metadata, `{}` if none given). */
export function objectInfo(row: ObjectRow) {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    bucket_id: row.bucket_id,
    size: row.metadata?.size ?? null,
    content_type: row.metadata?.mimetype ?? null,
    cache_control: row.metadata?.cacheControl ?? null,
    etag: row.metadata?.eTag ?? null,
    metadata: row.user_metadata,
    last_modified: row.updated_at,
    created_at: row.created_at,
  };
}

/** The info response: JSON with the object's ETag, Last-Modified and Cache-Control. */
export function infoResponse(row: ObjectRow, request: Request): Response {
  const meta = row.metadata;
  const headers = new Headers({ "content-type": "application/json" });
  if (meta?.eTag) headers.set("etag", meta.eTag);
  if (meta?.lastModified) headers.set("last-modified", new Date(meta.lastModified).toUTCString());
  headers.set("cache-control", servedCacheControl(meta?.cacheControl));
  const body = JSON.stringify(objectInfo(row));
  if (request.method === "HEAD") {
    headers.set("content-length", String(new TextEncoder().encode(body).byteLength));
    return new Response(null, { status: 200, headers });
  }
  return new Response(body, { status: 200, headers });
}
