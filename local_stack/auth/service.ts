/**
 * The Auth API's operations, independent of HTTP: sign-up, the password and refresh-token grants,
 * reading the signed-in user and logging out, each following GoTrue (supabase/auth,
 * `internal/api/signup.go`, `token.go`, `token_refresh.go` with `internal/tokens/service.go`,
 * `user.go`, `logout.go`, `auth.go`). Requests are already parsed; answers are JSON bodies.
 *
 * @module
 */
import type postgres from "postgres";
import { authErrors } from "./errors.ts";
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  passwordWeakness,
  verifyPassword,
} from "./passwords.ts";
import { decideRevokedReuse } from "./reuse.ts";
import type { AuthSettings } from "./settings.ts";
import type { TokenSigner } from "./signing.ts";
import {
  type Client,
  deleteSessions,
  findActiveRefreshToken,
  findAmr,
  findIdentities,
  findSession,
  findUserByEmail,
  findUserById,
  insertEmailUser,
  lockRefreshToken,
  type LogoutScope,
  openSession,
  revokeSessionTokens,
  swapRefreshToken,
  touchSession,
  type UserRow,
} from "./store.ts";
import { accessTokenClaims, assertRefreshTokenFormat } from "./tokens.ts";
import { tokenUser, userJson } from "./user_json.ts";

/** The audience and role GoTrue gives users by default (`GOTRUE_JWT_AUD`, default group). */
const AUDIENCE = "authenticated";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = "00000000-0000-0000-0000-000000000000";
/** GoTrue checks the format with `checkmail`; this is the same shape, local@domain. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const encoder = new TextEncoder();

/** The credentials of a sign-up or password grant (GoTrue's `SignupParams`/`PasswordGrantParams`). */
export interface Credentials {
  readonly email?: string;
  readonly phone?: string;
  readonly password?: string;
  /** User metadata, sign-up only. */
  readonly data?: Record<string, unknown>;
}

/** The verified caller of an authenticated endpoint. */
export interface Caller {
  readonly user: UserRow;
  readonly sessionId: string | undefined;
  readonly claims: Record<string, unknown>;
}

/** What the service is built from. */
export interface AuthServiceOptions {
  readonly sql: postgres.Sql;
  readonly signer: TokenSigner;
  readonly settings: AuthSettings;
  /** The `iss` of access tokens: `<api url>/auth/v1`. */
  readonly issuer: string;
  /** The clock (tests pass a controllable one). */
  readonly now?: () => Date;
}

/** Email/password sessions over the `auth` schema. */
export class AuthService {
  readonly #sql: postgres.Sql;
  readonly #signer: TokenSigner;
  readonly #settings: AuthSettings;
  readonly #issuer: string;
  readonly #now: () => Date;

  constructor(options: AuthServiceOptions) {
    this.#sql = options.sql;
    this.#signer = options.signer;
    this.#settings = options.settings;
    this.#issuer = options.issuer;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * `POST /signup`: creates an email user. Confirmed at once unless confirmations are on (the
   * CLI's local default is off), in which case the answer is a session; otherwise the user.
   */
  async signUp(credentials: Credentials, client: Client): Promise<Record<string, unknown>> {
    if (!this.#settings.enableSignup) throw authErrors.signupDisabled();
    const { email, phone, password } = credentials;
    if (!password) throw authErrors.validation("Signup requires a valid password");
    const weakness = passwordWeakness(password, this.#settings.minimumPasswordLength);
    if (weakness) throw authErrors.weakPassword(weakness.message, weakness.reasons);
    if (email && phone) {
      throw authErrors.validation(
        "Only an email address or phone number should be provided on signup.",
      );
    }
    if (phone) throw authErrors.phoneProviderDisabled(400, "Phone signups are disabled");
    if (!email) throw authErrors.validation("Sign up only available with email provider");
    const address = validateEmail(email);

    const existing = await findUserByEmail(this.#sql, address, AUDIENCE);
    if (existing) return await this.#repeatedSignUp(existing);
    // Hashing is slow: outside any transaction, as GoTrue does.
    const encryptedPassword = await hashPassword(password);
    const now = this.#now();
    const confirmedAt = this.#settings.enableConfirmations ? null : now;
    const user = await this.#sql.begin((tx) =>
      insertEmailUser(tx, {
        email: address,
        encryptedPassword,
        userMetadata: credentials.data ?? {},
        confirmedAt,
        now,
      })
    );
    if (!user) {
      // Lost a race with a concurrent sign-up of the same address.
      const winner = await findUserByEmail(this.#sql, address, AUDIENCE);
      if (winner) return await this.#repeatedSignUp(winner);
      throw authErrors.userAlreadyExists();
    }
    if (!confirmedAt) return userJson(user, await findIdentities(this.#sql, user.id));
    return await this.#issueSession(user, "password", client);
  }

  /** GoTrue refuses a confirmed address; an unconfirmed one gets its user back (mail resent). */
  async #repeatedSignUp(user: UserRow): Promise<Record<string, unknown>> {
    if (user.email_confirmed_at || !this.#settings.enableConfirmations) {
      throw authErrors.userAlreadyExists();
    }
    return userJson(user, await findIdentities(this.#sql, user.id));
  }

  /** `POST /token?grant_type=password`. */
  async passwordGrant(credentials: Credentials, client: Client): Promise<Record<string, unknown>> {
    const { email, phone, password = "" } = credentials;
    if (email && phone) {
      throw authErrors.validation(
        "Only an email address or phone number should be provided on login.",
      );
    }
    if (phone) throw authErrors.phoneProviderDisabled(422, "Phone logins are disabled");
    if (!email) throw authErrors.validation("missing email or phone");
    const user = await findUserByEmail(this.#sql, email, AUDIENCE);
    if (!user || !user.encrypted_password) throw authErrors.invalidCredentials();
    if (isBanned(user, this.#now())) throw authErrors.userBanned();
    // bcrypt would compare only the first 72 bytes; GoTrue's Go bcrypt refuses longer ones.
    const valid = encoder.encode(password).length <= MAX_PASSWORD_LENGTH &&
      await verifyPassword(password, user.encrypted_password);
    if (!valid) throw authErrors.invalidCredentials();
    if (!user.email_confirmed_at) throw authErrors.emailNotConfirmed();
    const weakness = passwordWeakness(password, this.#settings.minimumPasswordLength);
    const session = await this.#issueSession(user, "password", client);
    return weakness ? { ...session, weak_password: weakness } : session;
  }

  async #issueSession(
    user: UserRow,
    method: string,
    client: Client,
  ): Promise<Record<string, unknown>> {
    const now = this.#now();
    const { sessionId, refreshToken, row } = await this.#sql.begin(async (tx) => {
      const opened = await openSession(tx, { userId: user.id, method, client, now });
      return { ...opened, row: (await findUserById(tx, user.id))! };
    });
    return await this.#tokenAnswer(row, sessionId, refreshToken, now);
  }

  async #tokenAnswer(
    user: UserRow,
    sessionId: string,
    refreshToken: string,
    now: Date,
  ): Promise<Record<string, unknown>> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + this.#settings.jwtExpiry;
    const accessToken = await this.#signer.sign(accessTokenClaims(tokenUser(user), {
      id: sessionId,
      amr: await findAmr(this.#sql, sessionId),
      issuer: this.#issuer,
      issuedAt,
      expiresAt,
    }));
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: expiresAt - issuedAt,
      expires_at: expiresAt,
      refresh_token: refreshToken,
      user: userJson(user, await findIdentities(this.#sql, user.id)),
    };
  }

  /**
   * `POST /token?grant_type=refresh_token`: rotates the token. A revoked token is answered as
   * {@linkcode decideRevokedReuse} says; a refused reuse revokes the session's tokens first (that
   * revocation is committed, the answer is still an error).
   */
  async refreshGrant(refreshToken: unknown, client: Client): Promise<Record<string, unknown>> {
    assertRefreshTokenFormat(refreshToken);
    const now = this.#now();
    const outcome = await this.#sql.begin(async (tx) => {
      const token = await lockRefreshToken(tx, refreshToken);
      if (!token) return { error: authErrors.refreshTokenNotFound() };
      const user = await findUserById(tx, token.user_id);
      if (!user) return { error: authErrors.refreshTokenNotFound() };
      if (isBanned(user, now)) {
        return { error: authErrors.userBanned(400, "Invalid Refresh Token: User Banned") };
      }
      const session = token.session_id ? await findSession(tx, token.session_id, true) : undefined;
      if (!session) {
        return {
          error: authErrors.sessionNotFound(400, "Invalid Refresh Token: No Valid Session Found"),
        };
      }
      if (session.not_after && now > session.not_after) {
        return { error: authErrors.sessionExpired() };
      }
      let issued: string;
      if (token.revoked) {
        const active = await findActiveRefreshToken(tx, session.id);
        const decision = decideRevokedReuse({
          token: token.token,
          revokedAt: token.updated_at,
          activeParent: active?.parent,
          now,
          reuseIntervalSeconds: this.#settings.refreshTokenReuseInterval,
        });
        if (decision === "already_used") {
          if (this.#settings.refreshTokenRotation) await revokeSessionTokens(tx, session.id, now);
          return { error: authErrors.refreshTokenAlreadyUsed() };
        }
        issued = decision === "return_active"
          ? active!.token
          : await swapRefreshToken(tx, token, now);
      } else {
        issued = await swapRefreshToken(tx, token, now);
      }
      await touchSession(tx, session.id, client, now);
      return { user, sessionId: session.id, issued };
    });
    if ("error" in outcome) throw outcome.error;
    return await this.#tokenAnswer(outcome.user, outcome.sessionId, outcome.issued, now);
  }

  /** GoTrue's `requireAuthentication`: the bearer token, its user and its session. */
  async authenticate(token: string | undefined): Promise<Caller> {
    if (!token) throw authErrors.noAuthorization();
    let claims: Record<string, unknown>;
    try {
      claims = await this.#signer.verify(token);
    } catch (error) {
      throw authErrors.badJwt(
        `invalid JWT: unable to parse or verify signature, ${(error as Error).message}`,
      );
    }
    const sub = claims.sub;
    if (typeof sub !== "string" || sub === "") {
      throw authErrors.badJwt("invalid claim: missing sub claim");
    }
    if (!UUID.test(sub)) throw authErrors.badJwt("invalid claim: sub claim must be a UUID", 400);
    const user = await findUserById(this.#sql, sub);
    if (!user) throw authErrors.userNotFound();
    let sessionId: string | undefined;
    const claimed = claims.session_id;
    if (typeof claimed === "string" && claimed !== "" && claimed !== NIL_UUID) {
      if (!UUID.test(claimed)) {
        throw authErrors.badJwt("invalid claim: session_id claim must be a UUID");
      }
      if (!await findSession(this.#sql, claimed)) {
        throw authErrors.sessionNotFound(
          403,
          "Session from session_id claim in JWT does not exist",
        );
      }
      sessionId = claimed;
    }
    if (isBanned(user, this.#now())) throw authErrors.userBanned(403);
    return { user, sessionId, claims };
  }

  /** `GET /user`: the caller's user, if the token's audience is the one requested. */
  async getUser(
    caller: Caller,
    requestedAudience: string | null,
  ): Promise<Record<string, unknown>> {
    const aud = caller.claims.aud;
    const tokenAudience = Array.isArray(aud) ? aud[0] : aud;
    const wanted = requestedAudience || tokenAudience || AUDIENCE;
    if (typeof tokenAudience !== "string" || tokenAudience === "" || wanted !== tokenAudience) {
      throw authErrors.validation("Token audience doesn't match request audience");
    }
    return userJson(caller.user, await findIdentities(this.#sql, caller.user.id));
  }

  /** `POST /logout?scope=global|local|others`: ends sessions (a token without one: all). */
  async logout(caller: Caller, scope: string | null): Promise<void> {
    const scopes: Record<string, LogoutScope> = {
      "": "global",
      global: "global",
      local: "local",
      others: "others",
    };
    const chosen = scopes[scope ?? ""];
    if (!chosen) {
      throw authErrors.validation(`Unsupported logout scope ${JSON.stringify(scope)}`);
    }
    await this.#sql.begin((tx) =>
      deleteSessions(tx, chosen, { userId: caller.user.id, sessionId: caller.sessionId })
    );
  }
}

function validateEmail(email: string): string {
  if (email.length > 255) throw authErrors.validation("An email address is too long");
  if (!EMAIL.test(email)) {
    throw authErrors.validation("Unable to validate email address: invalid format");
  }
  return email.toLowerCase();
}

function isBanned(user: UserRow, now: Date): boolean {
  return user.banned_until !== null && user.banned_until > now;
}
