/**
 * The local stack's Auth API: the part of Supabase Auth (GoTrue) that supabase-js uses for
 * email/password sessions, served at `/auth/v1` over the stack's database and JWT secret.
 *
 * @module
 */
import type { JWK } from "jose";
import postgres from "postgres";
import { createAuthRoutes } from "./routes.ts";
import { AuthService } from "./service.ts";
import type { AuthSettings } from "./settings.ts";
import { createTokenSigner, readSigningKeys } from "./signing.ts";

export { AUTH_PREFIX } from "./routes.ts";
export { type AuthSettings, DEFAULT_AUTH_SETTINGS, parseAuthSettings } from "./settings.ts";

/** What the Auth API runs on. */
export interface AuthApiOptions {
  readonly dbUrl: string;
  readonly jwtSecret: string;
  /** The stack's base URL; access tokens name `<apiUrl>/auth/v1` as their issuer. */
  readonly apiUrl: string;
  readonly settings: AuthSettings;
  /** The clock (tests pass a controllable one). */
  readonly now?: () => Date;
}

/** A running Auth API. */
export interface AuthApi {
  /** Answers a request whose path starts with `/auth/v1`. */
  fetch(request: Request): Promise<Response>;
  /** The public halves of the asymmetric signing keys (empty with the HS256 secret alone). */
  publicKeys(): readonly JWK[];
  /** Closes the database connections. */
  close(): Promise<void>;
}

/** Starts the Auth API (reads the signing keys, if configured, once). */
export async function createAuthApi(options: AuthApiOptions): Promise<AuthApi> {
  const signingKeys = options.settings.signingKeysPath
    ? await readSigningKeys(options.settings.signingKeysPath)
    : [];
  const signer = await createTokenSigner({ jwtSecret: options.jwtSecret, signingKeys });
  const sql = postgres(options.dbUrl, { max: 4, onnotice: () => {} });
  const service = new AuthService({
    sql,
    signer,
    settings: options.settings,
    issuer: `${options.apiUrl.replace(/\/$/, "")}/auth/v1`,
    now: options.now,
  });
  const routes = createAuthRoutes(service, signer);
  return { fetch: routes, publicKeys: () => signer.jwks().keys, close: () => sql.end() };
}
