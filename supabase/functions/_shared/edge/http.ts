/**
 * The HTTP edge of every Sandsync function: a small router over Web-standard Request/Response,
 * JSON bodies read with a size cap and validated once with zod, CORS headers, and every error
 * rendered as `{ code, message, details? }` with its fixed status. Handlers receive parsed input
 * and return data; they never build error responses themselves.
 *
 * @module
 */
import type { z } from "zod";
import {
  errors,
  errorStatus,
  type SyncError,
  toErrorBody,
} from "../../../../shared/protocol/errors.ts";

/** CORS headers on every response (browsers and the mobile app's web views). */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers":
    "authorization, x-client-info, apikey, content-type, if-match, if-none-match, range, " +
    "x-sandsync-token, x-sandsync-replica, x-sandsync-mtime",
  "access-control-allow-methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
  "access-control-expose-headers":
    "etag, content-range, content-length, accept-ranges, last-modified, x-sandsync-version, " +
    "x-sandsync-sha256",
};

/** What a route handler receives. */
export interface RouteInput<C> {
  readonly request: Request;
  readonly url: URL;
  /** `:name` segments and the `*rest` remainder, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The authenticated caller (see the function's `authenticate`). */
  readonly caller: C;
}

/** One route: method, a pattern such as `/:workspace/*path`, and its handler. */
export interface Route<C> {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  readonly pattern: string;
  readonly handler: (input: RouteInput<C>) => Promise<Response> | Response;
}

/** Options of {@linkcode createHandler}. */
export interface HandlerOptions<C> {
  /** The function's name: its path prefix (`/<name>/...`). */
  readonly name: string;
  readonly routes: readonly Route<C>[];
  /** Identifies the caller, or throws `unauthorized`. */
  readonly authenticate: (request: Request) => Promise<C>;
}

/** Builds a function's `(Request) => Response` handler from its routes. */
export function createHandler<C>(
  options: HandlerOptions<C>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: CORS_HEADERS });
    }
    const url = new URL(request.url);
    try {
      const path = localPath(url.pathname, options.name);
      let allowed: string[] = [];
      for (const route of options.routes) {
        const params = matchPattern(route.pattern, path);
        if (!params) continue;
        if (
          route.method !== request.method && !(route.method === "GET" && request.method === "HEAD")
        ) {
          allowed.push(route.method);
          continue;
        }
        allowed = [];
        const caller = await options.authenticate(request);
        return withCors(await route.handler({ request, url, params, caller }));
      }
      if (allowed.length > 0) throw errors.methodNotAllowed(request.method, allowed);
      throw errors.notFound("route", `${request.method} ${path}`);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** Renders any thrown value; unknown errors are logged and answered with a generic 500. */
export function errorResponse(error: unknown): Response {
  const status = errorStatus(error);
  if (status >= 500) console.error("sandsync function error:", error);
  return Response.json(toErrorBody(error), { status, headers: CORS_HEADERS });
}

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...CORS_HEADERS, ...headers } });
}

function withCors(response: Response): Response {
  if (response.headers.has("access-control-allow-origin")) return response;
  try {
    for (const [key, value] of Object.entries(CORS_HEADERS)) response.headers.set(key, value);
    return response;
  } catch {
    // Immutable headers (a proxied response): copy.
    const headers = new Headers(response.headers);
    for (const [key, value] of Object.entries(CORS_HEADERS)) headers.set(key, value);
    return new Response(response.body, { status: response.status, headers });
  }
}

/** The path below the function's own prefix (`/<name>` hosted, `/functions/v1/<name>` too). */
export function localPath(pathname: string, name: string): string {
  for (const prefix of [`/functions/v1/${name}`, `/${name}`]) {
    if (pathname === prefix) return "/";
    if (pathname.startsWith(`${prefix}/`)) return pathname.slice(prefix.length);
  }
  return pathname;
}

/** Matches `/a/:b/*c` against a path; `undefined` when it does not match. */
export function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/").filter(Boolean);
  const have = path.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i] as string;
    if (part.startsWith("*")) {
      const rest = have.slice(i);
      if (rest.length === 0) return undefined;
      params[part.slice(1)] = safeDecode(rest.join("/"));
      return params;
    }
    const segment = have[i];
    if (segment === undefined) return undefined;
    if (part.startsWith(":")) params[part.slice(1)] = safeDecode(segment);
    else if (part !== segment) return undefined;
  }
  return have.length === want.length ? params : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw errors.badRequest(`malformed percent-encoding in ${JSON.stringify(text)}`);
  }
}

/** Reads at most `limit` bytes of body; over it, `payload_too_large` before anything is parsed. */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limit) throw errors.payloadTooLarge(declared, limit);
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > limit) throw errors.payloadTooLarge(undefined, limit);
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Reads a JSON body (capped at `limit` bytes) and validates it with `schema`. */
export async function readJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  limit: number,
): Promise<z.infer<S>> {
  const bytes = await readBody(request, limit);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw errors.invalidJson(cause);
  }
  return validate(schema, value);
}

/** Validates query parameters (all strings; schemas coerce) with `schema`. */
export function readQuery<S extends z.ZodType>(url: URL, schema: S): z.infer<S> {
  return validate(schema, Object.fromEntries(url.searchParams));
}

/** Validates `value` with `schema`, turning zod issues into `validation_failed`. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw errors.validationFailed(result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  })));
}

/** For tests and handlers: the error a SyncError renders to. */
export type { SyncError };
