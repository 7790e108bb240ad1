/**
 * Object responses: bytes with Supabase's headers (Content-Type, Cache-Control, ETag,
 * Last-Modified), HTTP Range support, and the info shape of `GET /object/info`.
 *
 * @module
 */
import type { StorageBackend } from "./disk_backend.ts";
import { ERRORS } from "./errors.ts";
import type { ObjectRow } from "./queries.ts";

function headersOf(row: ObjectRow): Headers {
  const meta = row.metadata;
  const headers = new Headers({ "accept-ranges": "bytes" });
  if (!meta) return headers;
  headers.set("content-type", meta.mimetype);
  headers.set("cache-control", meta.cacheControl);
  headers.set("etag", meta.eTag);
  headers.set("last-modified", new Date(meta.lastModified).toUTCString());
  headers.set("content-length", String(meta.size));
  return headers;
}

/** Parses `Range: bytes=a-b` against `size`; `undefined` for none, throws for a bad one. */
export function parseRange(header: string | null, size: number) {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) throw ERRORS.invalidRange();
  let start: number;
  let end: number;
  if (match[1] === "") {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) throw ERRORS.invalidRange();
  return { start, end };
}

/** The response for GET/HEAD of an object; `download` adds a Content-Disposition. */
export async function objectResponse(
  backend: StorageBackend,
  row: ObjectRow,
  request: Request,
): Promise<Response> {
  const headers = headersOf(row);
  const download = new URL(request.url).searchParams.get("download");
  if (download !== null) {
    const name = download || row.name.split("/").pop() || "download";
    headers.set("content-disposition", `attachment; filename=${encodeURIComponent(name)};`);
  }
  if (request.method === "HEAD") return new Response(null, { status: 200, headers });
  const etag = headers.get("etag");
  if (etag && request.headers.get("if-none-match") === etag) {
    return new Response(null, { status: 304, headers });
  }
  const size = row.metadata?.size ?? 0;
  const range = parseRange(request.headers.get("range"), size);
  if (!row.version) throw ERRORS.noSuchKey(row.name);
  const body = await backend.read(row.version, range);
  if (!range) return new Response(body, { status: 200, headers });
  headers.set("content-range", `bytes ${range.start}-${range.end}/${size}`);
  headers.set("content-length", String(range.end - range.start + 1));
  return new Response(body, { status: 206, headers });
}

/** The body of `GET /object/info/...`. */
export function objectInfo(row: ObjectRow) {
  return {
    id: row.id,
    version: row.version,
    name: row.name,
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
