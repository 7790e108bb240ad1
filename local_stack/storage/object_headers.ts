/**
 * Header values of stored objects: which Content-Type headers a request may carry (Fastify's
 * media-type rule, which supabase/storage answers `"415"` Invalid Content-Type header for), and
 * the Cache-Control and Content-Type an object is stored and served with. A literal
 * `undefined` (what a client writes when it interpolates a missing option) is never stored nor
 * served.
 *
 * @module
 */

const TOKEN = /^[\w!#$%&'*+.^`|~-]+$/;

/** The default Cache-Control of an upload that names none, as in supabase/storage. */
export const DEFAULT_CACHE_CONTROL = "no-cache";

/** The Content-Type of an object whose stored type is unusable. */
export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/**
 * Whether a Content-Type header is a `type/subtype` media type with token characters, as
 * Fastify 5 requires before parsing a body (parameters are not checked). `undefined` and the
 * empty string are invalid.
 */
export function isValidContentType(value: string): boolean {
  const mediaType = value.split(";", 1)[0] ?? "";
  const slash = mediaType.indexOf("/");
  if (slash < 0) return false;
  const type = mediaType.slice(0, slash).trimStart();
  const subtype = mediaType.slice(slash + 1).trimEnd();
  return TOKEN.test(type) && TOKEN.test(subtype);
}

/**
 * The Cache-Control an upload is stored with: the request's value, or `no-cache` when it has
 * none or a `max-age` that is not a number (`max-age=undefined`). The real server stores such a
 * value as sent; this server does not (see docs/local-stack.md).
 */
export function storedCacheControl(header: string | null): string {
  const value = header?.trim() ?? "";
  if (value === "") return DEFAULT_CACHE_CONTROL;
  const maxAge = /(?:^|,)\s*max-age\s*=\s*([^,\s]*)/i.exec(value)?.[1];
  if (maxAge !== undefined && !/^\d+$/.test(maxAge)) return DEFAULT_CACHE_CONTROL;
  return value;
}

/**
 * The Cache-Control for a seconds field (the `cacheControl` form field, TUS metadata):
 * `max-age=N` for digits, else `no-cache` (supabase/storage's TUS rule).
 */
export function cacheControlFromSeconds(field: string | null | undefined): string {
  return field && /^\d+$/.test(field.trim()) ? `max-age=${field.trim()}` : DEFAULT_CACHE_CONTROL;
}

/** The Content-Type an upload is stored with: a valid request type, else the default. */
export function storedContentType(value: string | null | undefined): string {
  return value && isValidContentType(value) ? value : DEFAULT_CONTENT_TYPE;
}

/**
 * The Content-Type an object is served with: HTML as `text/plain` (as the real server's
 * renderer does, so a bucket never serves a page), an unusable stored type as the default.
 */
export function servedContentType(mimetype: string | undefined): string {
  const type = storedContentType(mimetype);
  return type.includes("text/html") ? "text/plain" : type;
}

/** The Cache-Control an object is served with (rows written before this rule included). */
export function servedCacheControl(stored: string | undefined): string {
  return storedCacheControl(stored ?? null);
}
