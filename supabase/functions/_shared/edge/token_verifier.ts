/**
 * Verifies the bearer token of a function request itself, whatever the platform's `verify_jwt`
 * says (Supabase's guidance for the new signing keys is to turn `verify_jwt` off): HS256 with the
 * project's JWT secret (legacy keys), or an asymmetric key from the project's JWKS (fetched once,
 * then cached by `jose`). `exp` is required; `role` must be an API role and an `authenticated`
 * token must name the `authenticated` audience. The new opaque API keys (`sb_secret_…`,
 * `sb_publishable_…`) are recognised only by comparing them, in constant time, with the keys the
 * function was given.
 *
 * @module
 */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { errors } from "../../../../shared/protocol/errors.ts";

/** The roles a verified token may carry. */
export type TokenRole = "anon" | "authenticated" | "service_role";

/** A verified bearer token. */
export interface VerifiedToken {
  readonly role: TokenRole;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Where the verifier finds its keys. */
export interface TokenVerifierOptions {
  /** HS256 secret of the project (legacy JWT secret); HS256 tokens are refused without it. */
  readonly jwtSecret: string | undefined;
  /** The project's JWKS (asymmetric signing keys). */
  readonly jwksUrl: string | undefined;
  /** Opaque or JWT API keys that stand for the service role (compared in constant time). */
  readonly serviceKeys: readonly string[];
  /** Opaque or JWT API keys that stand for `anon` (compared in constant time). */
  readonly anonKeys: readonly string[];
}

/** Checks a bearer token; throws `unauthorized` (401) when it does not verify. */
export type TokenVerifier = (token: string | undefined) => Promise<VerifiedToken>;

const ASYMMETRIC = ["RS256", "ES256", "EdDSA", "PS256"];
const ROLES: readonly string[] = ["anon", "authenticated", "service_role"];

/** Constant-time string equality (lengths may leak, contents do not). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  }
  return diff === 0;
}

function matchesAny(token: string, keys: readonly string[]): boolean {
  let found = false;
  for (const key of keys) found = constantTimeEqual(token, key) || found;
  return found;
}

/** Builds a {@linkcode TokenVerifier}. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined;
  const jwks = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl), { cacheMaxAge: 10 * 60_000 })
    : undefined;
  const serviceKeys = options.serviceKeys.filter((key) => key !== "");
  const anonKeys = options.anonKeys.filter((key) => key !== "");
  return async (token) => {
    if (!token) throw errors.unauthorized("a bearer token is required");
    if (matchesAny(token, serviceKeys)) return { role: "service_role", claims: SERVICE_CLAIMS };
    if (matchesAny(token, anonKeys)) return { role: "anon", claims: ANON_CLAIMS };
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw errors.unauthorized("the bearer token is not a JWT");
    }
    let payload: Record<string, unknown>;
    try {
      if (alg === "HS256" && secret) {
        payload =
          (await jwtVerify(token, secret, { algorithms: ["HS256"], requiredClaims: ["exp"] }))
            .payload;
      } else if (alg !== undefined && ASYMMETRIC.includes(alg) && jwks) {
        payload =
          (await jwtVerify(token, jwks, { algorithms: ASYMMETRIC, requiredClaims: ["exp"] }))
            .payload;
      } else {
        throw new Error(`algorithm ${JSON.stringify(alg)} is not accepted`);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : "invalid";
      throw errors.unauthorized(`the bearer token does not verify (${reason})`);
    }
    const role = payload.role;
    if (typeof role !== "string" || !ROLES.includes(role)) {
      throw errors.unauthorized("the bearer token names no API role");
    }
    if (role === "authenticated" && !audienceIncludes(payload.aud, "authenticated")) {
      throw errors.unauthorized("the bearer token is not for the authenticated audience");
    }
    return { role: role as TokenRole, claims: payload };
  };
}

function audienceIncludes(aud: unknown, wanted: string): boolean {
  return aud === wanted || (Array.isArray(aud) && aud.includes(wanted));
}

const SERVICE_CLAIMS = Object.freeze({ role: "service_role" });
const ANON_CLAIMS = Object.freeze({ role: "anon" });

/**
 * Reads the verifier's settings from a function's environment: `SANDSYNC_JWT_SECRET` (else
 * `SUPABASE_JWT_SECRET`), `SANDSYNC_JWKS_URL` (default
 * `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`), service keys `SUPABASE_SERVICE_ROLE_KEY` and
 * `SUPABASE_SECRET_KEYS` (comma-separated or a JSON object/array), anon keys `SUPABASE_ANON_KEY`
 * and `SUPABASE_PUBLISHABLE_KEYS`.
 */
export function tokenVerifierFromEnv(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): TokenVerifier {
  const supabaseUrl = env("SUPABASE_URL");
  const jwksUrl = env("SANDSYNC_JWKS_URL") ||
    (supabaseUrl ? `${supabaseUrl.replace(/\/$/, "")}/auth/v1/.well-known/jwks.json` : undefined);
  return createTokenVerifier({
    jwtSecret: env("SANDSYNC_JWT_SECRET") || env("SUPABASE_JWT_SECRET") || undefined,
    jwksUrl,
    serviceKeys: [env("SUPABASE_SERVICE_ROLE_KEY") ?? "", ...keyList(env("SUPABASE_SECRET_KEYS"))],
    anonKeys: [env("SUPABASE_ANON_KEY") ?? "", ...keyList(env("SUPABASE_PUBLISHABLE_KEYS"))],
  });
}

function keyList(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    const values = Array.isArray(parsed)
      ? parsed
      : typeof parsed === "object" && parsed !== null
      ? Object.values(parsed)
      : [];
    return values.filter((item): item is string => typeof item === "string");
  } catch {
    return value.split(",").map((item) => item.trim());
  }
}
