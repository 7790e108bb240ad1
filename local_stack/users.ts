/**
 * Local users made without the Auth API: rows in `auth.users` (with an email identity, as GoTrue
 * keeps them) and access tokens minted with the stack's JWT secret in the shape GoTrue issues
 * (without a session: such a token cannot be refreshed). Given a password, the user can also sign
 * in through `/auth/v1` like any other.
 *
 * @module
 */
import postgres from "postgres";
import { hashPassword } from "./auth/passwords.ts";
import { signJwt } from "./jwt.ts";

/** A local user and a fresh access token for it. */
export interface LocalUser {
  readonly id: string;
  readonly email: string;
  readonly accessToken: string;
}

/** Options for {@linkcode createUser}. */
export interface CreateUserOptions {
  /** Token lifetime in seconds (default 3600). */
  readonly ttlSeconds?: number;
  /** Sets the user's password (bcrypt, as GoTrue stores it), also for an existing user. */
  readonly password?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * Creates the user `email` in `auth.users` if it does not exist yet (idempotent) and mints an
 * access token for it: `sub`, `role: authenticated`, `aud`, `email`, `iat`, `exp`.
 */
export async function createUser(
  dbUrl: string,
  email: string,
  options: CreateUserOptions & { readonly jwtSecret: string },
): Promise<LocalUser> {
  const normalized = email.trim().toLowerCase();
  if (!EMAIL.test(normalized)) throw new Error(`Invalid email: "${email}"`);
  if (options.password !== undefined && options.password.length < 6) {
    throw new Error("Invalid password: GoTrue's minimum length is 6 characters");
  }
  const encryptedPassword = options.password === undefined
    ? null
    : await hashPassword(options.password);
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ id: string }[]>`
      with inserted as (
        insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
          email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
        values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
          'authenticated', ${normalized}, ${encryptedPassword}, now(),
          '{"provider":"email","providers":["email"]}', '{"email_verified":true}', now(), now())
        on conflict (email) where (is_sso_user = false) do nothing
        returning id
      )
      select id from inserted
      union all
      select id from auth.users where email = ${normalized} and is_sso_user = false
      limit 1`;
    if (!row) throw new Error(`Could not create user "${normalized}"`);
    await sql`
      insert into auth.identities (provider_id, user_id, identity_data, provider, created_at,
        updated_at)
      values (${row.id}, ${row.id}, ${
      sql.json({ sub: row.id, email: normalized, email_verified: true, phone_verified: false })
    }, 'email', now(), now())
      on conflict (provider_id, provider) do nothing`;
    if (encryptedPassword !== null) {
      await sql`
        update auth.users set encrypted_password = ${encryptedPassword}, updated_at = now()
        where id = ${row.id}`;
    }
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await signJwt({
      aud: "authenticated",
      sub: row.id,
      email: normalized,
      role: "authenticated",
      iat: now,
      exp: now + (options.ttlSeconds ?? 3600),
      app_metadata: { provider: "email", providers: ["email"] },
      user_metadata: {},
      is_anonymous: false,
    }, options.jwtSecret);
    return { id: row.id, email: normalized, accessToken };
  } finally {
    await sql.end();
  }
}
