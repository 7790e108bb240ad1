/**
 * A user as GoTrue renders it in JSON (supabase/auth, `internal/models/user.go` and
 * `identity.go`): fields tagged `omitempty` appear only when set, `phone` is `""` when null,
 * `confirmed_at` is the earlier of the email and phone confirmations, and an identity's `id` is
 * its provider id while `identity_id` is its row id.
 *
 * @module
 */
import type { IdentityRow, UserRow } from "./store.ts";
import type { TokenUser } from "./tokens.ts";

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : undefined);
/** Go's zero time would print as 0001-01-01; a NULL timestamp is rare enough for the epoch. */
const EPOCH = new Date(0).toISOString();

/** The user's JSON body, identities included. */
export function userJson(
  user: UserRow,
  identities: readonly IdentityRow[],
): Record<string, unknown> {
  const confirmations = [user.email_confirmed_at, user.phone_confirmed_at].filter(
    (date): date is Date => date !== null,
  );
  const confirmedAt = confirmations.length === 0
    ? null
    : new Date(Math.min(...confirmations.map((date) => date.getTime())));
  // Key order follows GoTrue's struct; `omitempty` fields are left out when unset.
  return withoutUndefined({
    id: user.id,
    aud: user.aud ?? "",
    role: user.role ?? "",
    email: user.email ?? "",
    email_confirmed_at: iso(user.email_confirmed_at),
    phone: user.phone ?? "",
    phone_confirmed_at: iso(user.phone_confirmed_at),
    confirmation_sent_at: iso(user.confirmation_sent_at),
    confirmed_at: iso(confirmedAt),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    created_at: iso(user.created_at) ?? EPOCH,
    updated_at: iso(user.updated_at) ?? EPOCH,
    banned_until: iso(user.banned_until),
    is_anonymous: user.is_anonymous,
  });
}

function identityJson(identity: IdentityRow): Record<string, unknown> {
  return withoutUndefined({
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    identity_data: identity.identity_data,
    provider: identity.provider,
    last_sign_in_at: iso(identity.last_sign_in_at),
    created_at: iso(identity.created_at) ?? EPOCH,
    updated_at: iso(identity.updated_at) ?? EPOCH,
    email: identity.email ?? undefined,
  });
}

/** The user fields an access token carries. */
export function tokenUser(user: UserRow): TokenUser {
  return {
    id: user.id,
    aud: user.aud ?? "",
    role: user.role ?? "",
    email: user.email ?? "",
    phone: user.phone ?? "",
    appMetadata: user.raw_app_meta_data ?? {},
    userMetadata: user.raw_user_meta_data ?? {},
    isAnonymous: user.is_anonymous,
  };
}

function withoutUndefined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
