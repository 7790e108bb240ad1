/**
 * Request parsing and response rendering shared by the routes: JSON bodies with a size cap,
 * wildcard object paths, error responses in Supabase's shape.
 *
 * @module
 */
import { ERRORS, isStorageError, type StorageError } from "./errors.ts";
import type { ObjectRef } from "./objects.ts";

/** Largest JSON body a route reads (bucket settings, prefix lists, sign requests). */
export const MAX_JSON_BODY = 1024 * 1024;

/** A JSON response. */
export function json(data: unknown, status = 200, headers: HeadersInit = {}): Response {
  const all = new Headers(headers);
  all.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(data), { status, headers: all });
}

/**
 * Renders any error as supabase/storage does: Storage errors with HTTP 400 (500 for 500s) and
 * the real status in the body; anything else as a logged, generic 500.
 */
export function errorResponse(error: unknown, method = "GET"): Response {
  const storageError: StorageError = isStorageError(error) ? error : ERRORS.internal(error);
  if (storageError.httpStatusCode >= 500) {
    console.error("storage: request failed:", storageError.cause ?? storageError);
  }
  const status = storageError.userStatusCode;
  if (method === "HEAD") return new Response(null, { status });
  return json(storageError.render(), status);
}

/** Reads a JSON object body, refusing bodies over {@linkcode MAX_JSON_BODY}. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_JSON_BODY) throw ERRORS.entityTooLarge("request body");
  if (!request.body) return {};
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > MAX_JSON_BODY) throw ERRORS.entityTooLarge("request body");
    chunks.push(chunk);
  }
  const text = new TextDecoder().decode(concat(chunks, size));
  if (text.trim() === "") return {};
  try {
    const value = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error();
    return value as Record<string, unknown>;
  } catch {
    throw ERRORS.invalidRequest("Body is not a valid JSON object");
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Decodes one percent-encoded path part; malformed encodings are invalid keys. */
export function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw ERRORS.invalidKey(raw);
  }
}

/** The object a `/:bucket/*path` pair of raw (encoded) URL parts names. */
export function objectRef(bucket: string | undefined, path: string | undefined): ObjectRef {
  return { bucketId: decodePath(bucket ?? ""), name: decodePath(path ?? "") };
}

/** `x-upsert: true`, as supabase-js sends it. */
export function isUpsert(headers: Headers): boolean {
  return headers.get("x-upsert")?.toLowerCase() === "true";
}

/** A string field of a JSON body, or a MissingParameter / InvalidParameter error. */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined || value === null || value === "") throw ERRORS.missingParameter(name);
  if (typeof value !== "string") throw ERRORS.invalidParameter(name);
  return value;
}

/** An optional non-negative integer field of a JSON body. */
export function intField(body: Record<string, unknown>, name: string, fallback: number): number {
  const value = body[name];
  if (value === undefined || value === null) return fallback;
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < 0) {
    throw ERRORS.invalidParameter(name);
  }
  return number;
}
