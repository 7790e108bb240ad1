/**
 * The Auth API's rows: users, identities, sessions, refresh tokens and AMR claims in the `auth`
 * schema, written as GoTrue writes them (supabase/auth, `internal/models/`). Timestamps come from
 * the caller's clock so that the reuse interval is measured on one clock.
 *
 * @module
 */
import type postgres from "postgres";
import { newRefreshToken } from "./tokens.ts";

type Sql = postgres.Sql | postgres.TransactionSql;

/** GoTrue's `instance_id` for every row: the nil UUID. */
const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** A row of `auth.users` with the columns the Auth API reads. */
export interface UserRow {
  readonly id: string;
  readonly aud: string | null;
  readonly role: string | null;
  readonly email: string | null;
  readonly encrypted_password: string | null;
  readonly email_confirmed_at: Date | null;
  readonly phone: string | null;
  readonly phone_confirmed_at: Date | null;
  readonly confirmation_sent_at: Date | null;
  readonly last_sign_in_at: Date | null;
  readonly raw_app_meta_data: Record<string, unknown> | null;
  readonly raw_user_meta_data: Record<string, unknown> | null;
  readonly created_at: Date | null;
  readonly updated_at: Date | null;
  readonly banned_until: Date | null;
  readonly is_anonymous: boolean;
}

/** A row of `auth.identities`. */
export interface IdentityRow {
  readonly id: string;
  readonly provider_id: string;
  readonly user_id: string;
  readonly identity_data: Record<string, unknown>;
  readonly provider: string;
  readonly last_sign_in_at: Date | null;
  readonly created_at: Date | null;
  readonly updated_at: Date | null;
  readonly email: string | null;
}

/** A row of `auth.refresh_tokens`. */
export interface RefreshTokenRow {
  readonly id: string;
  readonly token: string;
  readonly user_id: string;
  readonly parent: string | null;
  readonly session_id: string | null;
  readonly revoked: boolean;
  readonly updated_at: Date;
}

/** A row of `auth.sessions`. */
export interface SessionRow {
  readonly id: string;
  readonly user_id: string;
  readonly not_after: Date | null;
}

/** Where a request came from, kept on the session as GoTrue keeps it. */
export interface Client {
  readonly userAgent: string | null;
  readonly ip: string | null;
}

const USER_COLUMNS = [
  "id",
  "aud",
  "role",
  "email",
  "encrypted_password",
  "email_confirmed_at",
  "phone",
  "phone_confirmed_at",
  "confirmation_sent_at",
  "last_sign_in_at",
  "raw_app_meta_data",
  "raw_user_meta_data",
  "created_at",
  "updated_at",
  "banned_until",
  "is_anonymous",
];

/** The user with `email` (case-insensitive) in audience `aud`, SSO users excepted. */
export async function findUserByEmail(
  sql: Sql,
  email: string,
  aud: string,
): Promise<UserRow | undefined> {
  const [row] = await sql<UserRow[]>`
    select ${sql(USER_COLUMNS)} from auth.users
    where lower(email) = ${email.toLowerCase()} and aud = ${aud} and is_sso_user = false
    limit 1`;
  return row;
}

/** The user `id`, if it exists. */
export async function findUserById(sql: Sql, id: string): Promise<UserRow | undefined> {
  const [row] = await sql<UserRow[]>`
    select ${sql(USER_COLUMNS)} from auth.users where id = ${id}`;
  return row;
}

/** The identities of a user, oldest first. */
export function findIdentities(sql: Sql, userId: string): Promise<IdentityRow[]> {
  return sql<IdentityRow[]>`
    select id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at,
      updated_at, email
    from auth.identities where user_id = ${userId} order by created_at, id`;
}

/**
 * Inserts an email user and its email identity, as GoTrue's sign-up does; `confirmedAt` null
 * leaves it unconfirmed. Returns undefined when the email is taken (the unique index decides, so
 * two concurrent sign-ups cannot both win).
 */
export async function insertEmailUser(
  sql: Sql,
  user: {
    readonly email: string;
    readonly encryptedPassword: string;
    readonly userMetadata: Record<string, unknown>;
    readonly confirmedAt: Date | null;
    readonly now: Date;
  },
): Promise<UserRow | undefined> {
  const appMetadata = { provider: "email", providers: ["email"] };
  const userMetadata = user.confirmedAt
    ? { ...user.userMetadata, email_verified: true }
    : user.userMetadata;
  const [row] = await sql<UserRow[]>`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
      email_confirmed_at, confirmation_sent_at, raw_app_meta_data, raw_user_meta_data,
      created_at, updated_at, is_anonymous)
    values (${NIL_UUID}, gen_random_uuid(), 'authenticated', 'authenticated', ${user.email},
      ${user.encryptedPassword}, ${user.confirmedAt},
      ${user.confirmedAt ? null : user.now}, ${sql.json(appMetadata)},
      ${sql.json(userMetadata as postgres.JSONValue)}, ${user.now}, ${user.now}, false)
    on conflict (email) where (is_sso_user = false) do nothing
    returning ${sql(USER_COLUMNS)}`;
  if (!row) return undefined;
  const identityData = {
    ...user.userMetadata,
    sub: row.id,
    email: user.email,
    email_verified: user.confirmedAt !== null,
    phone_verified: false,
  };
  await sql`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at,
      created_at, updated_at)
    values (${row.id}, ${row.id}, ${sql.json(identityData as postgres.JSONValue)}, 'email',
      ${user.now}, ${user.now}, ${user.now})`;
  return row;
}

/**
 * Opens a session for `userId` with its first refresh token and the AMR claim of `method`, and
 * records the sign-in: GoTrue's `IssueRefreshToken` with refresh tokens of version 1.
 */
export async function openSession(
  sql: Sql,
  session: {
    readonly userId: string;
    readonly method: string;
    readonly client: Client;
    readonly now: Date;
  },
): Promise<{ sessionId: string; refreshToken: string }> {
  const { userId, client, now } = session;
  const [row] = await sql<{ id: string }[]>`
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
    values (gen_random_uuid(), ${userId}, ${now}, ${now}, 'aal1', ${client.userAgent},
      ${client.ip})
    returning id`;
  const sessionId = row!.id;
  const refreshToken = await insertRefreshToken(sql, { userId, sessionId, parent: null, now });
  await sql`update auth.users set last_sign_in_at = ${now} where id = ${userId}`;
  await sql`update auth.identities set last_sign_in_at = ${now} where user_id = ${userId}`;
  await sql`
    insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at,
      authentication_method)
    values (gen_random_uuid(), ${sessionId}, ${now}, ${now}, ${session.method})
    on conflict on constraint mfa_amr_claims_session_id_authentication_method_pkey
    do update set updated_at = ${now}`;
  return { sessionId, refreshToken };
}

async function insertRefreshToken(
  sql: Sql,
  token: {
    readonly userId: string;
    readonly sessionId: string;
    readonly parent: string | null;
    readonly now: Date;
  },
): Promise<string> {
  const value = newRefreshToken();
  await sql`
    insert into auth.refresh_tokens (instance_id, token, user_id, parent, session_id, revoked,
      created_at, updated_at)
    values (${NIL_UUID}, ${value}, ${token.userId}, ${token.parent}, ${token.sessionId}, false,
      ${token.now}, ${token.now})`;
  return value;
}

/** The AMR claims of a session, as `[{ method, timestamp }]`. */
export async function findAmr(
  sql: Sql,
  sessionId: string,
): Promise<{ method: string; timestamp: number }[]> {
  const rows = await sql<{ authentication_method: string; updated_at: Date }[]>`
    select authentication_method, updated_at from auth.mfa_amr_claims
    where session_id = ${sessionId}`;
  return rows.map((row) => ({
    method: row.authentication_method,
    timestamp: Math.floor(row.updated_at.getTime() / 1000),
  }));
}

/** A session, locked for the transaction when `lock` is set. */
export async function findSession(
  sql: Sql,
  id: string,
  lock = false,
): Promise<SessionRow | undefined> {
  const [row] = lock
    ? await sql<SessionRow[]>`
      select id, user_id, not_after from auth.sessions where id = ${id} for update`
    : await sql<SessionRow[]>`select id, user_id, not_after from auth.sessions where id = ${id}`;
  return row;
}

/** A refresh token row, locked for the transaction (concurrent refreshes of it queue here). */
export async function lockRefreshToken(
  sql: Sql,
  token: string,
): Promise<RefreshTokenRow | undefined> {
  const [row] = await sql<RefreshTokenRow[]>`
    select id, token, user_id, parent, session_id, revoked, updated_at
    from auth.refresh_tokens where token = ${token} for update`;
  return row;
}

/** The session's active refresh token: its newest unrevoked one. */
export async function findActiveRefreshToken(
  sql: Sql,
  sessionId: string,
): Promise<RefreshTokenRow | undefined> {
  const [row] = await sql<RefreshTokenRow[]>`
    select id, token, user_id, parent, session_id, revoked, updated_at
    from auth.refresh_tokens where session_id = ${sessionId} and revoked is false
    order by id desc limit 1`;
  return row;
}

/** Revokes `token` and issues its child in the same session (GoTrue's `GrantRefreshTokenSwap`). */
export async function swapRefreshToken(
  sql: Sql,
  token: RefreshTokenRow,
  now: Date,
): Promise<string> {
  await sql`
    update auth.refresh_tokens set revoked = true, updated_at = ${now} where id = ${token.id}`;
  return await insertRefreshToken(sql, {
    userId: token.user_id,
    sessionId: token.session_id!,
    parent: token.token,
    now,
  });
}

/** Revokes every refresh token of a session (GoTrue's `RevokeTokenFamily`). */
export async function revokeSessionTokens(sql: Sql, sessionId: string, now: Date): Promise<void> {
  await sql`
    update auth.refresh_tokens set revoked = true, updated_at = ${now}
    where session_id = ${sessionId} and revoked = false`;
}

/** Records a refresh on the session (`refreshed_at` in UTC without a zone, as GoTrue keeps it). */
export async function touchSession(
  sql: Sql,
  sessionId: string,
  client: Client,
  now: Date,
): Promise<void> {
  await sql`
    update auth.sessions
    set refreshed_at = ${now}::timestamptz at time zone 'utc', user_agent = ${client.userAgent},
      ip = ${client.ip}, updated_at = ${now}
    where id = ${sessionId}`;
}

/** What a logout ends: every session of the user, this one, or all the others. */
export type LogoutScope = "global" | "local" | "others";

/** Deletes sessions (their refresh tokens and AMR claims go with them, by cascade). */
export async function deleteSessions(
  sql: Sql,
  scope: LogoutScope,
  ids: { readonly userId: string; readonly sessionId: string | undefined },
): Promise<void> {
  const { userId, sessionId } = ids;
  if (sessionId === undefined || scope === "global") {
    await sql`delete from auth.sessions where user_id = ${userId}`;
  } else if (scope === "local") {
    await sql`delete from auth.sessions where id = ${sessionId}`;
  } else {
    await sql`delete from auth.sessions where id <> ${sessionId} and user_id = ${userId}`;
  }
}
