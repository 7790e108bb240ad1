/**
 * Passwords as GoTrue keeps and checks them (supabase/auth, `internal/crypto/password.go`,
 * `internal/api/password.go`): bcrypt at cost 10 with Go's `$2a$` prefix, at most 72 bytes, and a
 * minimum length whose failure is a `weak_password` error with reasons.
 *
 * @module
 */
import bcrypt from "bcryptjs";
import { authErrors } from "./errors.ts";

/** bcrypt reads at most 72 bytes; GoTrue refuses longer passwords rather than truncate them. */
export const MAX_PASSWORD_LENGTH = 72;

/** Go's `bcrypt.DefaultCost`, what GoTrue hashes with. */
const BCRYPT_COST = 10;

/** Hashes `password` as GoTrue stores it in `auth.users.encrypted_password`. */
export async function hashPassword(password: string): Promise<string> {
  const hash = await bcrypt.hash(password, BCRYPT_COST);
  // bcryptjs writes `$2b$`, Go writes `$2a$`; they differ only past 255 bytes, beyond our limit.
  return hash.replace(/^\$2b\$/, "$2a$");
}

/** Whether `password` matches a bcrypt `hash` (`$2a$`, `$2b$` or `$2y$`); false for no hash. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash || !/^\$2[aby]\$\d\d\$/.test(hash)) return false;
  return await bcrypt.compare(password, hash.replace(/^\$2y\$/, "$2b$"));
}

/** Why a password is weak, or undefined when it is strong enough. */
export interface Weakness {
  readonly message: string;
  readonly reasons: readonly string[];
}

/**
 * GoTrue's strength check: over 72 bytes is a 400 `validation_failed` (thrown); shorter than
 * `minimumLength` is a weakness (returned: sign-up refuses it, sign-in reports it).
 */
export function passwordWeakness(password: string, minimumLength: number): Weakness | undefined {
  // Go's len(): bytes, not characters.
  const length = new TextEncoder().encode(password).length;
  if (length > MAX_PASSWORD_LENGTH) {
    throw authErrors.validation(`Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
  if (length < minimumLength) {
    return {
      message: `Password should be at least ${minimumLength} characters.`,
      reasons: ["length"],
    };
  }
  return undefined;
}
