/**
 * The tokens of an Auth session, shaped as GoTrue issues them (supabase/auth,
 * `internal/tokens/service.go`, `internal/crypto/crypto.go`, `internal/api/token_refresh.go`):
 * access-token claims and the 12-character refresh tokens GoTrue keeps in `auth.refresh_tokens`.
 *
 * @module
 */
import { authErrors } from "./errors.ts";

/** GoTrue's refresh tokens: 12 characters of lower-case base32 (a-z, 2-7). */
const REFRESH_TOKEN_LENGTH = 12;
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** A new refresh token, 60 random bits as GoTrue's `SecureAlphanumeric(12)` makes them. */
export function newRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(REFRESH_TOKEN_LENGTH));
  // 32 divides 256, so `byte % 32` is uniform.
  return [...bytes].map((byte) => BASE32[byte % 32]).join("");
}

/**
 * Refuses a refresh token that cannot be one before any lookup, as GoTrue's
 * `RefreshTokenGrantParams.Validate` does: 400 `validation_failed`. Tokens longer than 12
 * characters are GoTrue's signed v2 format, which this API never issues.
 */
export function assertRefreshTokenFormat(token: unknown): asserts token is string {
  if (typeof token !== "string" || !/^[a-z0-9]{12}$/.test(token)) {
    throw authErrors.validation("Refresh token is not valid");
  }
}

/** The user fields an access token carries. */
export interface TokenUser {
  readonly id: string;
  readonly aud: string;
  readonly role: string;
  readonly email: string;
  readonly phone: string;
  readonly appMetadata: Record<string, unknown>;
  readonly userMetadata: Record<string, unknown>;
  readonly isAnonymous: boolean;
}

/** One authentication method of a session (`auth.mfa_amr_claims`). */
export interface AmrEntry {
  readonly method: string;
  readonly timestamp: number;
}

/**
 * The claims of an access token, in GoTrue's order: `iss`, `sub`, `aud` (a string), `exp`, `iat`,
 * `email`, `phone`, `app_metadata`, `user_metadata`, `role`, `aal`, `amr` (most recent first),
 * `session_id`, `is_anonymous`.
 */
export function accessTokenClaims(
  user: TokenUser,
  session: {
    readonly id: string;
    readonly amr: readonly AmrEntry[];
    readonly issuer: string;
    readonly issuedAt: number;
    readonly expiresAt: number;
  },
): Record<string, unknown> {
  return {
    iss: session.issuer,
    sub: user.id,
    aud: user.aud,
    exp: session.expiresAt,
    iat: session.issuedAt,
    email: user.email,
    phone: user.phone,
    app_metadata: user.appMetadata,
    user_metadata: user.userMetadata,
    role: user.role,
    aal: "aal1",
    amr: [...session.amr].sort((a, b) => b.timestamp - a.timestamp),
    session_id: session.id,
    is_anonymous: user.isAnonymous,
  };
}
