/**
 * CORS for the REST routes, as the real server answers browsers (any origin); TUS routes get
 * theirs from `@tus/server`.
 *
 * @module
 */

const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers":
    "authorization, x-client-info, apikey, content-type, cache-control, x-upsert, x-metadata, range, if-none-match",
  "access-control-allow-methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
  "access-control-expose-headers":
    "content-length, content-type, content-range, content-disposition, etag, last-modified, cache-control",
  "access-control-max-age": "86400",
};

/** Whether `request` is a CORS preflight. */
export function isPreflight(request: Request): boolean {
  return request.method === "OPTIONS" && request.headers.has("access-control-request-method");
}

/** The answer to a preflight. */
export function preflightResponse(): Response {
  return new Response(null, { status: 204, headers: CORS_HEADERS });
}

/** Adds the CORS headers to a response (headers of fresh responses are mutable). */
export function withCors(response: Response): Response {
  for (const [name, value] of Object.entries(CORS_HEADERS)) {
    if (!response.headers.has(name)) response.headers.set(name, value);
  }
  return response;
}
