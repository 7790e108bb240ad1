/**
 * HS256 JWTs as the local Supabase stack issues and checks them: the anon and service-role API
 * keys, user access tokens from `deno task user`, and the tokens inside signed Storage URLs.
 *
 * @module
 */
import { decodeProtectedHeader, errors, importJWK, type JWK, jwtVerify, SignJWT } from "jose";

/** Claims the stack reads from a token. */
export interface JwtClaims {
  readonly sub?: string;
  readonly role?: string;
  readonly email?: string;
  readonly exp?: number;
  readonly [claim: string]: unknown;
}

/** Why a token was refused. */
export type JwtFailure = "missing" | "expired" | "invalid";

/** The outcome of {@linkcode verifyJwt}. */
export type JwtResult =
  | { readonly ok: true; readonly claims: JwtClaims }
  | { readonly ok: false; readonly reason: JwtFailure; readonly message: string };

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * Signs `claims` with HS256. The header is `{"alg":"HS256","typ":"JWT"}`, so the CLI's well-known
 * local keys come out byte for byte.
 */
export function signJwt(claims: Record<string, unknown>, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(key(secret));
}

/**
 * Verifies signature, algorithm and expiry (`exp` is required, as hosted); never throws. A token
 * whose `kid` names one of `publicKeys` (the Auth API's asymmetric keys, when configured) is
 * checked with that key, any other with the HS256 secret.
 */
export async function verifyJwt(
  token: string | undefined,
  secret: string,
  publicKeys: readonly JWK[] = [],
): Promise<JwtResult> {
  if (!token) return { ok: false, reason: "missing", message: "Missing authorization header" };
  try {
    const kid = publicKeys.length > 0 ? decodeProtectedHeader(token).kid : undefined;
    const jwk = kid === undefined
      ? undefined
      : publicKeys.find((candidate) => candidate.kid === kid);
    const { payload } = await jwtVerify(
      token,
      jwk ? await importJWK(jwk, jwk.alg) : key(secret),
      { algorithms: jwk?.alg ? [jwk.alg] : ["HS256"], requiredClaims: ["exp"] },
    );
    return { ok: true, claims: payload as JwtClaims };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      return { ok: false, reason: "expired", message: "JWT has expired" };
    }
    return { ok: false, reason: "invalid", message: "Invalid JWT" };
  }
}

/** The bearer token of an `Authorization` header, if any. */
export function bearerToken(header: string | null): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** The anon and service-role keys of a stack, as `supabase status` prints them. */
export interface ApiKeys {
  readonly anonKey: string;
  readonly serviceRoleKey: string;
}

/** Expiry of the CLI's local API keys (2032-11-11), kept so the default keys match exactly. */
const API_KEY_EXPIRY = 1983812996;

/** Derives the anon and service-role keys from the JWT secret, as the Supabase CLI does. */
export async function apiKeys(secret: string): Promise<ApiKeys> {
  const claims = (role: string) => ({ iss: "supabase-demo", role, exp: API_KEY_EXPIRY });
  return {
    anonKey: await signJwt(claims("anon"), secret),
    serviceRoleKey: await signJwt(claims("service_role"), secret),
  };
}
