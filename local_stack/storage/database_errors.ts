/**
 * Postgres errors mapped to Storage errors, in one place (as supabase/storage's
 * `database/errors.ts`): SQLSTATE `42501` (RLS, or a quota trigger's refusal) becomes
 * `"403"`/AccessDenied with the database's message; anything unknown is a 500 DatabaseError.
 *
 * @module
 */
import { ERRORS, isStorageError, type StorageError } from "./errors.ts";

/** The resource a statement touched, so duplicate keys name the right thing. */
export type ResourceKind = "object" | "bucket";

interface PgErrorLike {
  readonly code: string;
  readonly message: string;
}

function isPgError(error: unknown): error is PgErrorLike {
  return typeof error === "object" && error !== null && "code" in error &&
    typeof (error as { code: unknown }).code === "string" &&
    /^[0-9A-Z]{5}$/.test((error as { code: string }).code) && "message" in error;
}

/** Converts any error thrown by a database call into a {@linkcode StorageError}. */
export function fromDatabaseError(
  error: unknown,
  resource: { kind: ResourceKind; name: string } = { kind: "object", name: "" },
): StorageError {
  if (isStorageError(error)) return error;
  if (!isPgError(error)) return ERRORS.internal(error);
  switch (error.code) {
    case "42501":
      return ERRORS.accessDenied(error.message, error);
    case "23505":
      return resource.kind === "bucket"
        ? ERRORS.bucketAlreadyExists(resource.name, error)
        : ERRORS.keyAlreadyExists(resource.name, error);
    case "23503":
      return ERRORS.noSuchBucket(resource.name, error);
    case "57014":
      return ERRORS.databaseTimeout(error);
    default:
      return ERRORS.databaseError(error.message, error);
  }
}
