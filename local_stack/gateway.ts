/**
 * The stack's single HTTP entry point, like Supabase's API gateway: `/auth/v1/*` goes to the Auth
 * API, `/storage/v1/*` to the Storage API, `/functions/v1/<name>/*` to that Edge Function (JWT
 * checked where config.toml says `verify_jwt`). CORS preflights of functions and Auth are
 * answered here. The gateway's own errors are JSON `{ code, message }`.
 *
 * @module
 */
import type { JWK } from "jose";
import { bearerToken, verifyJwt } from "./jwt.ts";
import { FUNCTION_NAME } from "./functions_config.ts";

/** A request handler for one service behind the gateway. */
export type Handler = (request: Request) => Promise<Response>;

/** What the gateway routes to. */
export interface GatewayOptions {
  readonly jwtSecret: string;
  /** The Storage API (receives the full URL, `/storage/v1` included). */
  readonly storage: Handler;
  /** The Auth API (receives the full URL, `/auth/v1` included); absent: `/auth/v1` is a 404. */
  readonly auth?: Handler;
  /** The Auth API's published asymmetric keys, also accepted where `verify_jwt` is on. */
  readonly authKeys?: () => readonly JWK[];
  /** Forwards to a function; `path` is what the function sees (`/<name>/...?query`). */
  readonly invokeFunction: (name: string, request: Request, path: string) => Promise<Response>;
  /** Whether `name` is a deployed function, and whether it wants a verified JWT. */
  readonly functionSettings: (name: string) => { readonly verifyJwt: boolean } | undefined;
}

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers":
    "authorization, x-client-info, apikey, content-type, if-match, if-none-match, range, x-upsert, x-sandsync-token, x-supabase-api-version",

  "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
  "access-control-expose-headers":
    "etag, content-range, content-length, location, x-supabase-api-version, x-sb-error-code",
  "access-control-max-age": "86400",
};

function jsonError(status: number, code: string, message: string): Response {
  return Response.json({ code, message }, { status, headers: CORS_HEADERS });
}

/** Builds the gateway's request handler. */
export function createGateway(options: GatewayOptions): Handler {
  return async (request) => {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/storage/v1" || url.pathname.startsWith("/storage/v1/")) {
        return await options.storage(request);
      }
      if (options.auth && (url.pathname === "/auth/v1" || url.pathname.startsWith("/auth/v1/"))) {
        if (isPreflight(request)) return new Response(null, { status: 204, headers: CORS_HEADERS });
        return withCors(await options.auth(request));
      }
      const fn = /^\/functions\/v1\/([^/?]+)(\/.*)?$/.exec(url.pathname);
      if (fn?.[1]) return await routeFunction(options, request, fn[1], url);
      if (url.pathname === "/health") return Response.json({ status: "ok" });
      return jsonError(404, "NOT_FOUND", `No route for "${url.pathname}"`);
    } catch (error) {
      console.error(`gateway: ${request.method} ${url.pathname} failed:`, error);
      return jsonError(502, "BAD_GATEWAY", "The upstream service failed to respond");
    }
  };
}

async function routeFunction(
  options: GatewayOptions,
  request: Request,
  name: string,
  url: URL,
): Promise<Response> {
  const settings = FUNCTION_NAME.test(name) ? options.functionSettings(name) : undefined;
  if (!settings) return jsonError(404, "NOT_FOUND", `Function "${name}" not found`);
  if (isPreflight(request)) return new Response(null, { status: 204, headers: CORS_HEADERS });
  if (settings.verifyJwt) {
    const token = bearerToken(request.headers.get("authorization"));
    const result = await verifyJwt(token, options.jwtSecret, options.authKeys?.());
    if (!result.ok) {
      const code = result.reason === "missing"
        ? "UNAUTHORIZED_NO_AUTH_HEADER"
        : result.reason === "expired"
        ? "UNAUTHORIZED_EXPIRED_JWT"
        : "UNAUTHORIZED_INVALID_JWT";
      return jsonError(401, code, result.message);
    }
  }
  // Hosted functions see their path without the `/functions/v1` prefix: `/<name>/...`.
  const path = url.pathname.slice("/functions/v1".length) + url.search;
  return withCors(await options.invokeFunction(name, request, path));
}

function isPreflight(request: Request): boolean {
  return request.method === "OPTIONS" && request.headers.has("access-control-request-method");
}

/** Adds `access-control-allow-origin: *` unless the service set its own. */
function withCors(response: Response): Response {
  if (response.headers.has("access-control-allow-origin")) return response;
  const headers = new Headers(response.headers);
  headers.set("access-control-allow-origin", "*");
  if (!headers.has("access-control-expose-headers")) {
    headers.set("access-control-expose-headers", CORS_HEADERS["access-control-expose-headers"]);
  }
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
