/**
 * The codes of Storage errors: a closed subset of supabase/storage's `ErrorCode`
 * (`internal/errors/codes.ts`).
 *
 * @module
 */

/** The closed set of codes this server answers with (a subset of supabase/storage's). */
export type ErrorCode =
  | "NoSuchBucket"
  | "NoSuchKey"
  | "InvalidRequest"
  | "EntityTooLarge"
  | "InternalError"
  | "ResourceNotEmpty"
  | "InvalidBucketName"
  | "InvalidKey"
  | "InvalidRange"
  | "InvalidMimeType"
  | "KeyAlreadyExists"
  | "BucketAlreadyExists"
  | "DatabaseTimeout"
  | "InvalidSignature"
  | "AccessDenied"
  | "DatabaseError"
  | "InvalidParameter"
  | "MissingParameter"
  | "InvalidJWT";
