/**
 * Local users: there is no auth server in the local stack, so users are rows in `auth.users`
 * and their access tokens are minted with the stack's JWT secret, in the shape GoTrue issues.
 *
 * @module
 */
import postgres from "postgres";
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
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ id: string }[]>`
      with inserted as (
        insert into auth.users (id, aud, role, email, email_confirmed_at, raw_app_meta_data,
          raw_user_meta_data, created_at, updated_at)
        values (gen_random_uuid(), 'authenticated', 'authenticated', ${normalized}, now(),
          '{"provider":"email","providers":["email"]}', '{}', now(), now())
        on conflict (email) where (is_sso_user = false) do nothing
        returning id
      )
      select id from inserted
      union all
      select id from auth.users where email = ${normalized} and is_sso_user = false
      limit 1`;
    if (!row) throw new Error(`Could not create user "${normalized}"`);
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
