/**
 * A small method + pattern router over Web `Request`s. Routes are tried in order, so the
 * fixed paths (`/object/list/...`, `/object/sign/...`) come before `/object/:bucket/*`.
 *
 * Before a handler runs, the request passes the checks the real server (Fastify) makes in the
 * same order: a body's Content-Type must be a media type, then the route's auth (see
 * {@linkcode RouteAuth}).
 *
 * @module
 */
import {
  ANONYMOUS,
  authenticate,
  type Caller,
  callerFromClaims,
  requestToken,
  verifyToken,
} from "./auth.ts";
import type { Buckets } from "./buckets.ts";
import { ERRORS } from "./errors.ts";
import { errorResponse } from "./http.ts";
import { isValidContentType } from "./object_headers.ts";
import type { Objects } from "./objects.ts";
import type { Uploader } from "./uploader.ts";

/** What handlers work with. */
export interface Services {
  readonly buckets: Buckets;
  readonly objects: Objects;
  readonly uploader: Uploader;
  readonly jwtSecret: string;
}

/** One request as a handler sees it. */
export interface RouteContext {
  readonly request: Request;
  readonly url: URL;
  /** The pattern's capture groups, still percent-encoded. */
  readonly params: readonly (string | undefined)[];
  /** The verified caller; {@linkcode ANONYMOUS} on routes that take no (or an invalid) JWT. */
  readonly caller: Caller;
  readonly services: Services;
}

/**
 * How a route authenticates, after supabase/storage's routes:
 * - `header`: the `authorization` header is required by the route's schema (a 400 validation
 *   error without it), then the JWT must verify (`"403"` AccessDenied);
 * - `jwt`: no header schema, the JWT must verify (`list-v2`);
 * - `optional`: `allowInvalidJwt`: a missing or invalid JWT makes an anonymous caller
 *   (`GET|HEAD /object/:bucket/*`, `GET /object/info/:bucket/*`);
 * - `service`: as `header`, then only the service role (HTTP 403 `Access denied: Invalid role`);
 * - `none`: public and signed routes.
 */
export type RouteAuth = "header" | "jwt" | "optional" | "service" | "none";

/** A route: method(s), a pattern over the path after `/storage/v1`, a handler. */
export interface Route {
  readonly methods: readonly string[];
  readonly pattern: RegExp;
  readonly auth: RouteAuth;
  readonly handler: (context: RouteContext) => Promise<Response> | Response;
}

/** Shorthand for building a {@linkcode Route}; `auth` defaults to `header`. */
export function route(
  methods: string | readonly string[],
  pattern: RegExp,
  handler: Route["handler"],
  options: { auth?: RouteAuth } = {},
): Route {
  return {
    methods: typeof methods === "string" ? [methods] : methods,
    pattern,
    auth: options.auth ?? "header",
    handler,
  };
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The message of the real server's schema error for a missing `authorization` header. */
export const MISSING_AUTHORIZATION = "headers must have required property 'authorization'";

async function callerFor(auth: RouteAuth, headers: Headers, secret: string): Promise<Caller> {
  switch (auth) {
    case "none":
      return ANONYMOUS;
    case "optional": {
      const token = requestToken(headers);
      if (token === "") return ANONYMOUS;
      const claims = await verifyToken(token, secret).catch(() => undefined);
      // A token that verifies but names a role the API does not serve is still refused.
      return claims ? callerFromClaims(claims, token) : ANONYMOUS;
    }
    case "jwt":
      return await authenticate(headers, secret);
    case "header":
    case "service": {
      if (!headers.has("authorization")) throw ERRORS.invalidInput(MISSING_AUTHORIZATION);
      const caller = await authenticate(headers, secret);
      if (auth === "service" && caller.role !== "service_role") throw ERRORS.invalidRole();
      return caller;
    }
  }
}

/** Dispatches `request` (path relative to `/storage/v1` in `path`) to the first match. */
export async function dispatch(
  routes: readonly Route[],
  request: Request,
  path: string,
  services: Services,
): Promise<Response> {
  try {
    const url = new URL(request.url);
    for (const candidate of routes) {
      const match = candidate.pattern.exec(path);
      if (!match || !candidate.methods.includes(request.method)) continue;
      const contentType = request.headers.get("content-type");
      if (BODY_METHODS.has(request.method) && contentType !== null) {
        if (!isValidContentType(contentType)) throw ERRORS.invalidContentType();
      }
      const caller = await callerFor(candidate.auth, request.headers, services.jwtSecret);
      return await candidate.handler({ request, url, params: match.slice(1), caller, services });
    }
    // The REST not-found answer; the URL is the one the real server sees behind its gateway.
    throw ERRORS.routeNotFound(request.method, `${path}${url.search}`);
  } catch (error) {
    await request.body?.cancel().catch(() => {});
    return errorResponse(error, request.method);
  }
}
