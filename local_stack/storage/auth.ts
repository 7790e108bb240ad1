/**
 * Who is calling: the verified JWT of a request's `Authorization` header (the `apikey` header is
 * never read, as in supabase/storage's `plugins/jwt.ts`), and the Postgres role its `role` claim
 * names. Invalid tokens are refused as the real server refuses them: `"403"`/AccessDenied with
 * jose's message (`Invalid Compact JWS`, `signature verification failed`, ...).
 *
 * @module
 */
import { jwtVerify, SignJWT } from "jose";
import { ERRORS } from "./errors.ts";

/** Roles a token may switch to; anything else would let a token act as an admin role. */
export const API_ROLES = ["anon", "authenticated", "service_role"] as const;

/** A Postgres role the server may `set local role` to. */
export type ApiRole = typeof API_ROLES[number];

/** The authenticated caller of one request. */
export interface Caller {
  readonly role: ApiRole;
  readonly claims: Readonly<Record<string, unknown>>;
  /** The JWT's `sub`, when present: becomes `owner_id` (and `owner` when a uuid). */
  readonly owner: string | undefined;
  readonly token: string;
  /** False for the anonymous caller of a route that takes no (or an invalid) JWT. */
  readonly authenticated?: boolean;
}

/** The caller of a request without a valid JWT, on routes that allow one. */
export const ANONYMOUS: Caller = {
  role: "anon",
  claims: { role: "anon" },
  owner: undefined,
  token: "",
  authenticated: false,
};

/** A UUID of any version, as `auth.uid()` accepts it. */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * The raw token of a request: the `Authorization` header without a leading `Bearer ` (in any
 * case). Another scheme (`Basic ...`) stays in, so it fails verification as it does on the real
 * server.
 */
export function requestToken(headers: Headers): string {
  return (headers.get("authorization") ?? "").replace(/^Bearer\s+/i, "").trim();
}

/**
 * Verifies an HS256 token (with `exp`: a token that never expires is refused) and returns its
 * payload; throws AccessDenied with jose's message.
 */
export async function verifyToken(
  token: string,
  secret: string,
): Promise<Record<string, unknown>> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ["HS256"],
      requiredClaims: ["exp"],
    });
    return payload as Record<string, unknown>;
  } catch (error) {
    throw ERRORS.accessDenied(error instanceof Error ? error.message : "Invalid JWT", error);
  }
}

/** Signs `payload` with HS256, expiring in `expiresIn` seconds. */
export function signToken(
  payload: Record<string, unknown>,
  secret: string,
  expiresIn: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt(now)
    .setExpirationTime(now + expiresIn).sign(key(secret));
}

/** Authenticates the request's token; see {@linkcode Caller}. */
export async function authenticate(headers: Headers, secret: string): Promise<Caller> {
  const token = requestToken(headers);
  const claims = await verifyToken(token, secret);
  return callerFromClaims(claims, token);
}

/** Builds a caller from verified claims. */
export function callerFromClaims(claims: Record<string, unknown>, token: string): Caller {
  const role = typeof claims.role === "string" ? claims.role : "anon";
  if (!(API_ROLES as readonly string[]).includes(role)) {
    throw ERRORS.accessDenied(`Access denied: role "${role}" is not an API role`);
  }
  const owner = typeof claims.sub === "string" && claims.sub !== "" ? claims.sub : undefined;
  // The RLS policies compare auth.uid(), a uuid cast of `sub`: a user token whose subject is not
  // a uuid (third-party auth) is refused here as 403, never left to fail that cast as a 500.
  if (role === "authenticated" && owner !== undefined && !UUID_PATTERN.test(owner)) {
    throw ERRORS.accessDenied("Access denied: the JWT subject is not a user id");
  }
  return { role: role as ApiRole, claims, owner, token };
}

/** The service role acting for `owner` (signed upload URLs carry the owner in their token). */
export function serviceCaller(owner?: string): Caller {
  const claims = { role: "service_role", ...(owner ? { sub: owner } : {}) };
  return { role: "service_role", claims, owner, token: "" };
}
