/**
 * The body of an upload request as supabase-js sends it: multipart/form-data (a Blob or File
 * with a `cacheControl` field and optional `metadata`), or raw bytes with `content-type`,
 * `cache-control` and `x-metadata` headers. Both stream to disk. As on the real server
 * (`storage/uploader.ts`) raw bytes default to `application/octet-stream` and the user metadata
 * of an upload that sends none is `{}`.
 *
 * @module
 */
import type { Caller } from "./auth.ts";
import { ERRORS } from "./errors.ts";
import { boundaryOf, readMultipart } from "./multipart.ts";
import {
  cacheControlFromSeconds,
  storedCacheControl,
  storedContentType,
} from "./object_headers.ts";
import type { ObjectRef } from "./objects.ts";
import type { ObjectRow } from "./queries.ts";
import type { Uploader, UploadTarget } from "./uploader.ts";

/** Multipart framing allowance on top of the size limit when checking Content-Length. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** Options of {@linkcode uploadFromRequest}. */
export interface RequestUploadOptions {
  readonly upsert: boolean;
  /** Signed upload URLs: the RLS probe happened when the URL was signed. */
  readonly trusted?: boolean;
}

/**
 * Runs the upload protocol for one request: refuses an oversize Content-Length and checks RLS
 * before reading the body, then streams the bytes and commits the row.
 */
export async function uploadFromRequest(
  uploader: Uploader,
  caller: Caller,
  request: Request,
  ref: ObjectRef,
  options: RequestUploadOptions,
): Promise<ObjectRow> {
  const contentType = request.headers.get("content-type") ?? "";
  const multipart = contentType.toLowerCase().startsWith("multipart/form-data");
  const declared = Number(request.headers.get("content-length") ?? NaN);
  const target = await uploader.prepare(caller, ref.bucketId, ref.name, {
    upsert: options.upsert,
    trusted: options.trusted,
    size: Number.isFinite(declared) && !multipart ? declared : undefined,
  });
  if (multipart && declared > target.limit + MULTIPART_OVERHEAD) throw ERRORS.entityTooLarge();
  return multipart
    ? await uploadForm(uploader, target, request)
    : await uploader.upload(target, request.body ?? emptyStream(), {
      mimetype: storedContentType(contentType),
      cacheControl: storedCacheControl(request.headers.get("cache-control")),
      userMetadata: parseMetadata(request.headers.get("x-metadata"), true) ?? {},
    });
}

async function uploadForm(uploader: Uploader, target: UploadTarget, request: Request) {
  const contentType = request.headers.get("content-type") ?? "";
  const form = await readMultipart(request.body ?? emptyStream(), boundaryOf(contentType));
  if (!form.file) throw ERRORS.invalidRequest("No content provided");
  // A `contentType` field wins over the part's type, as on the real server.
  const fieldType = form.fields.get("contentType");
  return await uploader.upload(target, form.file.body, {
    mimetype: fieldType && storedContentType(fieldType) === fieldType
      ? fieldType
      : form.file.type || "text/plain;charset=UTF-8",
    cacheControl: cacheControlFromSeconds(form.fields.get("cacheControl")),
    userMetadata: parseMetadata(form.fields.get("metadata") ?? null, false) ?? {},
  });
}

function parseMetadata(value: string | null, base64: boolean) {
  if (!value) return undefined;
  try {
    const text = base64 ? new TextDecoder().decode(decodeBase64(value)) : value;
    const parsed = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error();
    return parsed as Record<string, unknown>;
  } catch {
    throw ERRORS.invalidParameter("metadata", "Invalid metadata: expected a JSON object");
  }
}

function decodeBase64(value: string): Uint8Array {
  return Uint8Array.from(atob(value), (char) => char.charCodeAt(0));
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}
