/**
 * The Auth API's settings: the `[auth]` section of `supabase/config.toml` with the Supabase CLI's
 * local defaults (the values `supabase start` hands GoTrue), two of them overridable by
 * environment variables so tests can run a stack with short lifetimes.
 *
 * @module
 */
import { resolve } from "node:path";
import { parse } from "smol-toml";

/** What the Auth API needs to know besides its database and keys. */
export interface AuthSettings {
  /** Access-token lifetime in seconds (`[auth] jwt_expiry`, CLI default 3600). */
  readonly jwtExpiry: number;
  /** Rotate refresh tokens and revoke a reused token's family (`enable_refresh_token_rotation`). */
  readonly refreshTokenRotation: boolean;
  /** Seconds a rotated refresh token may still be used (`refresh_token_reuse_interval`, 10). */
  readonly refreshTokenReuseInterval: number;
  /** Shortest accepted password (`minimum_password_length`, 6). */
  readonly minimumPasswordLength: number;
  /** Whether `POST /signup` creates users (`enable_signup`, true). */
  readonly enableSignup: boolean;
  /** Whether new email users must confirm (`[auth.email] enable_confirmations`, false). */
  readonly enableConfirmations: boolean;
  /**
   * A JSON file with an array of private JWKs (`signing_keys_path`, relative to `supabase/`, as
   * `supabase gen signing-key` writes it): the first signs access tokens, all are published.
   */
  readonly signingKeysPath: string | undefined;
}

/** The CLI's local defaults. */
export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  jwtExpiry: 3600,
  refreshTokenRotation: true,
  refreshTokenReuseInterval: 10,
  minimumPasswordLength: 6,
  enableSignup: true,
  enableConfirmations: false,
  signingKeysPath: undefined,
};

interface AuthSection {
  jwt_expiry?: unknown;
  enable_refresh_token_rotation?: unknown;
  refresh_token_reuse_interval?: unknown;
  minimum_password_length?: unknown;
  enable_signup?: unknown;
  signing_keys_path?: unknown;
  email?: { enable_confirmations?: unknown };
}

/**
 * Reads `[auth]` from a config.toml text; `SANDSYNC_AUTH_JWT_EXPIRY` and
 * `SANDSYNC_AUTH_REFRESH_TOKEN_REUSE_INTERVAL` in `env` override the two lifetimes, and
 * `SANDSYNC_AUTH_SIGNING_KEYS` the signing-keys file. `supabaseDir` resolves relative paths.
 */
export function parseAuthSettings(
  toml: string,
  options: { readonly env?: Record<string, string | undefined>; readonly supabaseDir: string },
): AuthSettings {
  const env = options.env ?? {};
  const auth = ((parse(toml) as { auth?: AuthSection }).auth ?? {}) as AuthSection;
  const defaults = DEFAULT_AUTH_SETTINGS;
  const keysPath = env.SANDSYNC_AUTH_SIGNING_KEYS || stringOr(auth.signing_keys_path, "");
  return {
    jwtExpiry: seconds(
      env.SANDSYNC_AUTH_JWT_EXPIRY ?? auth.jwt_expiry,
      defaults.jwtExpiry,
      "SANDSYNC_AUTH_JWT_EXPIRY",
      1,
    ),
    refreshTokenRotation: booleanOr(
      auth.enable_refresh_token_rotation,
      defaults.refreshTokenRotation,
    ),
    refreshTokenReuseInterval: seconds(
      env.SANDSYNC_AUTH_REFRESH_TOKEN_REUSE_INTERVAL ?? auth.refresh_token_reuse_interval,
      defaults.refreshTokenReuseInterval,
      "SANDSYNC_AUTH_REFRESH_TOKEN_REUSE_INTERVAL",
      0,
    ),
    minimumPasswordLength: seconds(
      auth.minimum_password_length,
      defaults.minimumPasswordLength,
      "minimum_password_length",
      0,
    ),
    enableSignup: booleanOr(auth.enable_signup, defaults.enableSignup),
    enableConfirmations: booleanOr(auth.email?.enable_confirmations, defaults.enableConfirmations),
    signingKeysPath: keysPath === "" ? undefined : resolve(options.supabaseDir, keysPath),
  };
}

function seconds(value: unknown, fallback: number, name: string, minimum: number): number {
  if (value === undefined || value === "") return fallback;
  const number = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(number) || number < minimum) {
    throw new Error(`Invalid ${name}: "${value}" is not a whole number of at least ${minimum}`);
  }
  return number;
}

function booleanOr(value: unknown, fallback: boolean): boolean {
  return typeof value === "boolean" ? value : fallback;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}
