/**
 * The HTTP side of the Auth API: the routes of GoTrue that supabase-js uses for email/password
 * sessions, below `/auth/v1` (supabase/auth, `internal/api/api.go`). Each route parses and
 * validates its request, calls one {@linkcode AuthService} operation and renders the answer;
 * errors are rendered by {@linkcode renderAuthError}. Unknown paths and methods are answered as
 * GoTrue's router does: a plain-text 404 and an empty 405.
 *
 * @module
 */
import { isIP } from "node:net";
import { z } from "zod";
import { API_VERSION_HEADER, authErrors, renderAuthError } from "./errors.ts";
import type { AuthService } from "./service.ts";
import type { TokenSigner } from "./signing.ts";
import type { Client } from "./store.ts";
import { bearerToken } from "../jwt.ts";

/** GoTrue's body limit (`limitRequestBody(1 << 20)`). */
export const MAX_BODY_BYTES = 1 << 20;

/** The prefix the gateway routes here. */
export const AUTH_PREFIX = "/auth/v1";

const text = z.string().nullish();
const SIGNUP_BODY = z.object({
  email: text,
  phone: text,
  password: text,
  data: z.record(z.string(), z.unknown()).nullish(),
});
const PASSWORD_BODY = z.object({ email: text, phone: text, password: text });
const REFRESH_BODY = z.object({ refresh_token: text });

type Route = (request: Request, url: URL) => Promise<Response>;

/** Builds the Auth API's request handler (it receives full URLs, `/auth/v1` included). */
export function createAuthRoutes(
  service: AuthService,
  signer: TokenSigner,
): (request: Request) => Promise<Response> {
  const routes: Record<string, Record<string, Route>> = {
    "/signup": {
      POST: async (request) => {
        const body = await readBody(request, SIGNUP_BODY);
        return Response.json(
          await service.signUp(
            { ...strings(body), data: body.data ?? undefined },
            client(request),
          ),
        );
      },
    },
    "/token": {
      POST: async (request, url) => {
        const grantType = url.searchParams.get("grant_type");
        if (grantType === "password") {
          const body = await readBody(request, PASSWORD_BODY);
          return Response.json(await service.passwordGrant(strings(body), client(request)));
        }
        if (grantType === "refresh_token") {
          const body = await readBody(request, REFRESH_BODY);
          return Response.json(
            await service.refreshGrant(body.refresh_token ?? "", client(request)),
          );
        }
        throw authErrors.invalidCredentials("unsupported_grant_type");
      },
    },
    "/user": {
      GET: async (request) => {
        const caller = await service.authenticate(bearer(request));
        return Response.json(await service.getUser(caller, request.headers.get("x-jwt-aud")));
      },
    },
    "/logout": {
      POST: async (request, url) => {
        const caller = await service.authenticate(bearer(request));
        await service.logout(caller, url.searchParams.get("scope"));
        return new Response(null, { status: 204 });
      },
    },
    "/.well-known/jwks.json": {
      GET: () =>
        Promise.resolve(
          Response.json(signer.jwks(), { headers: { "cache-control": "public, max-age=600" } }),
        ),
    },
    "/health": {
      GET: () =>
        Promise.resolve(
          Response.json({
            version: "sandsync-local",
            name: "GoTrue",
            description: "GoTrue is a user registration and authentication API",
          }),
        ),
    },
  };

  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname.slice(AUTH_PREFIX.length).replace(/\/$/, "");
    const methods = routes[path];
    if (!methods) {
      return new Response("404 page not found\n", {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    const route = methods[request.method === "HEAD" ? "GET" : request.method];
    if (!route) return new Response(null, { status: 405 });
    try {
      return await route(request, url);
    } catch (error) {
      return renderAuthError(error, request.headers.get(API_VERSION_HEADER));
    }
  };
}

function bearer(request: Request): string | undefined {
  return bearerToken(request.headers.get("authorization"));
}

function strings(
  body: { email?: string | null; phone?: string | null; password?: string | null },
) {
  return {
    email: body.email ?? undefined,
    phone: body.phone ?? undefined,
    password: body.password ?? undefined,
  };
}

/** Where the request came from: GoTrue reads `X-Forwarded-For` (the gateway in front sets it). */
function client(request: Request): Client {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? "";
  return {
    userAgent: request.headers.get("user-agent") || null,
    ip: isIP(forwarded) ? forwarded : null,
  };
}

/**
 * Reads a JSON body of at most {@linkcode MAX_BODY_BYTES} and checks its shape: a body that is
 * not JSON, or whose fields have the wrong types, is 400 `bad_json` as Go's decoder makes it.
 */
async function readBody<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  const bytes = await readCapped(request);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw authErrors.badJson((error as Error).message);
  }
  // Go decodes `null` into an empty struct.
  const result = schema.safeParse(parsed ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join(".") || "body";
    throw authErrors.badJson(`${field}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

async function readCapped(request: Request): Promise<Uint8Array> {
  if (Number(request.headers.get("content-length") ?? "0") > MAX_BODY_BYTES) {
    await request.body?.cancel();
    throw authErrors.bodyTooLarge(MAX_BODY_BYTES);
  }
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw authErrors.bodyTooLarge(MAX_BODY_BYTES);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
