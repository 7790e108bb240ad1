/**
 * The Storage API's one coded error, built only through the {@linkcode ERRORS} factory table,
 * rendered the way supabase/storage renders it: HTTP 400 (or 500) with the real status as a
 * string in the body.
 *
 * @module
 */

import type { ErrorCode } from "./error_codes.ts";

export type { ErrorCode } from "./error_codes.ts";

/** What {@linkcode StorageError.render} produces: the body of every error response. */
export interface RenderedError {
  readonly statusCode: string;
  readonly code: ErrorCode;
  readonly error: string;
  readonly message: string;
}

interface StorageErrorOptions {
  readonly code: ErrorCode;
  readonly httpStatusCode: number;
  readonly message: string;
  /** The legacy `error` field; falls back to the code. */
  readonly error?: string;
  /** The HTTP status of REST answers when it is not the usual 400 (or 500). */
  readonly userStatusCode?: number;
  readonly cause?: unknown;
}

/** An error the Storage API answers with; see {@linkcode ERRORS}. */
export class StorageError extends Error {
  readonly code: ErrorCode;
  /** The status the real server reports in the body (and TUS answers with). */
  readonly httpStatusCode: number;
  readonly error: string | undefined;
  /**
   * The HTTP status REST routes answer with: 400 for every error but a 500, as supabase/storage
   * does, unless the error names another (416 for ranges, 403 for a role, 404 for routes).
   */
  readonly userStatusCode: number;

  constructor(options: StorageErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = "StorageError";
    this.code = options.code;
    this.httpStatusCode = options.httpStatusCode;
    this.error = options.error;
    this.userStatusCode = options.userStatusCode ?? (options.httpStatusCode === 500 ? 500 : 400);
  }

  /** The JSON body: `{ statusCode, code, error, message }`. */
  render(): RenderedError {
    return {
      statusCode: String(this.httpStatusCode),
      code: this.code,
      error: this.error ?? this.code,
      message: this.message,
    };
  }
}

const make = (options: StorageErrorOptions) => new StorageError(options);

/** Factories for every error the server raises; messages follow supabase/storage's. */
export const ERRORS = {
  noSuchBucket: (bucket: string, cause?: unknown) =>
    make({
      code: "NoSuchBucket",
      httpStatusCode: 404,
      error: "Bucket not found",
      message: "Bucket not found",
      cause: cause ?? bucket,
    }),
  noSuchKey: (key: string, cause?: unknown) =>
    make({
      code: "NoSuchKey",
      httpStatusCode: 404,
      error: "not_found",
      message: "Object not found",
      cause: cause ?? key,
    }),
  accessDenied: (message: string, cause?: unknown) =>
    make({
      code: "AccessDenied",
      httpStatusCode: 403,
      error: "Unauthorized",
      message: message || "Access denied",
      cause,
    }),
  invalidKey: (key: string) =>
    make({ code: "InvalidKey", httpStatusCode: 400, message: `Invalid key: ${key}` }),
  invalidBucketName: (bucket: string) =>
    make({
      code: "InvalidBucketName",
      httpStatusCode: 400,
      error: "Invalid Input",
      message: "Bucket name invalid",
      cause: bucket,
    }),
  invalidParameter: (parameter: string, message?: string) =>
    make({
      code: "InvalidParameter",
      httpStatusCode: 400,
      message: message ?? `Invalid Parameter ${parameter}`,
    }),
  missingParameter: (parameter: string) =>
    make({
      code: "MissingParameter",
      httpStatusCode: 400,
      message: `Missing Required Parameter ${parameter}`,
    }),
  invalidRequest: (message: string) =>
    make({ code: "InvalidRequest", httpStatusCode: 400, message }),
  invalidFileSizeLimit: () =>
    make({
      code: "InvalidRequest",
      httpStatusCode: 400,
      message: "Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B",
    }),
  /** A Range the object cannot satisfy: the one REST error answered with its own status. */
  invalidRange: () =>
    make({
      code: "InvalidRange",
      httpStatusCode: 416,
      userStatusCode: 416,
      error: "invalid_range",
      message: "invalid range provided",
    }),
  invalidMimeType: (mimeType: string) =>
    make({
      code: "InvalidMimeType",
      httpStatusCode: 415,
      error: "invalid_mime_type",
      message: `mime type ${mimeType} is not supported`,
    }),
  entityTooLarge: (entity = "object", limit = "the maximum allowed size") =>
    make({
      code: "EntityTooLarge",
      httpStatusCode: 413,
      error: "Payload too large",
      message: `The ${entity} exceeded ${limit}`,
    }),
  keyAlreadyExists: (key: string, cause?: unknown) =>
    make({
      code: "KeyAlreadyExists",
      httpStatusCode: 409,
      error: "Duplicate",
      message: "The resource already exists",
      cause: cause ?? key,
    }),
  bucketAlreadyExists: (bucket: string, cause?: unknown) =>
    make({
      code: "BucketAlreadyExists",
      httpStatusCode: 409,
      error: "Duplicate",
      message: "The resource already exists",
      cause: cause ?? bucket,
    }),
  bucketNotEmpty: (bucket: string) =>
    make({
      code: "ResourceNotEmpty",
      httpStatusCode: 409,
      message: "The bucket you tried to delete is not empty",
      cause: bucket,
    }),
  invalidSignature: (message?: string, cause?: unknown) =>
    make({
      code: "InvalidSignature",
      httpStatusCode: 400,
      message: message ?? "Invalid signature",
      cause,
    }),
  /** A token that does not verify (signed URLs): `"400"`/InvalidJWT with jose's message. */
  invalidJwt: (message?: string, cause?: unknown) =>
    make({ code: "InvalidJWT", httpStatusCode: 400, message: message || "Invalid JWT", cause }),
  /** A valid token whose role the route does not serve: HTTP 403, not 400. */
  invalidRole: () =>
    make({
      code: "AccessDenied",
      httpStatusCode: 403,
      userStatusCode: 403,
      error: "Unauthorized",
      message: "Access denied: Invalid role",
    }),
  /** A request the route's schema refuses (Fastify's validation error in the real server). */
  invalidInput: (message: string) =>
    make({ code: "InvalidRequest", httpStatusCode: 400, error: "Error", message }),
  /** A Content-Type header that is not `type/subtype` (Fastify's FST_ERR_CTP_INVALID_MEDIA_TYPE). */
  invalidContentType: () =>
    make({
      code: "InvalidMimeType",
      httpStatusCode: 415,
      error: "invalid_mime_type",
      message: "Invalid Content-Type header",
    }),
  /** The REST not-found answer: HTTP 404 and `"404"`. */
  routeNotFound: (method: string, url: string) =>
    make({
      code: "InvalidRequest",
      httpStatusCode: 404,
      userStatusCode: 404,
      error: "Not Found",
      message: `Route ${method}:${url} not found`,
    }),
  /** An object whose row exists but whose bytes do not (the renderer's 404). */
  bytesNotFound: (version: string, cause?: unknown) =>
    make({
      code: "NoSuchKey",
      httpStatusCode: 404,
      error: "Not found",
      message: "The resource was not found",
      cause: cause ?? version,
    }),
  databaseTimeout: (cause?: unknown) =>
    make({
      code: "DatabaseTimeout",
      httpStatusCode: 544,
      message: "The connection to the database timed out",
      cause,
    }),
  databaseError: (message: string, cause?: unknown) =>
    make({ code: "DatabaseError", httpStatusCode: 500, message, cause }),
  internal: (cause?: unknown) =>
    make({
      code: "InternalError",
      httpStatusCode: 500,
      message: "Internal server error",
      cause,
    }),
} as const;

/** Whether `value` is a {@linkcode StorageError}. */
export function isStorageError(value: unknown): value is StorageError {
  return value instanceof StorageError;
}
