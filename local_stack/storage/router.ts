/**
 * A small method + pattern router over Web `Request`s. Routes are tried in order, so the
 * fixed paths (`/object/list/...`, `/object/sign/...`) come before `/object/:bucket/*`.
 *
 * @module
 */
import { authenticate, type Caller } from "./auth.ts";
import type { Buckets } from "./buckets.ts";
import { errorResponse, json } from "./http.ts";
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
  /** The verified caller; an anonymous caller on routes that take no JWT. */
  readonly caller: Caller;
  readonly services: Services;
}

/** A route: method(s), a pattern over the path after `/storage/v1`, a handler. */
export interface Route {
  readonly methods: readonly string[];
  readonly pattern: RegExp;
  /** Whether the route needs a valid JWT (public and signed URLs do not). */
  readonly auth: boolean;
  readonly handler: (context: RouteContext) => Promise<Response>;
}

/** Shorthand for building a {@linkcode Route}. */
export function route(
  methods: string | readonly string[],
  pattern: RegExp,
  handler: Route["handler"],
  options: { auth?: boolean } = {},
): Route {
  return {
    methods: typeof methods === "string" ? [methods] : methods,
    pattern,
    auth: options.auth ?? true,
    handler,
  };
}

const ANONYMOUS: Caller = { role: "anon", claims: { role: "anon" }, owner: undefined, token: "" };

/** Dispatches `request` (path relative to `/storage/v1` in `path`) to the first match. */
export async function dispatch(
  routes: readonly Route[],
  request: Request,
  path: string,
  services: Services,
): Promise<Response> {
  try {
    for (const candidate of routes) {
      const match = candidate.pattern.exec(path);
      if (!match || !candidate.methods.includes(request.method)) continue;
      const caller = candidate.auth
        ? await authenticate(request.headers, services.jwtSecret)
        : ANONYMOUS;
      return await candidate.handler({
        request,
        url: new URL(request.url),
        params: match.slice(1),
        caller,
        services,
      });
    }
    await request.body?.cancel();
    // Fastify's own 404, which the real server answers unknown routes with.
    const message = `Route ${request.method}:/storage/v1${path} not found`;
    return json({ message, error: "Not Found", statusCode: 404 }, 404);
  } catch (error) {
    await request.body?.cancel().catch(() => {});
    return errorResponse(error, request.method);
  }
}
