/**
 * The Storage API's one coded error, built only through the {@linkcode ERRORS} factory table,
 * rendered the way supabase/storage renders it: HTTP 400 (or 500) with the real status as a
 * string in the body.
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
  | "InvalidUploadSignature";

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
  readonly cause?: unknown;
}

/** An error the Storage API answers with; see {@linkcode ERRORS}. */
export class StorageError extends Error {
  readonly code: ErrorCode;
  /** The status the real server reports in the body (and TUS answers with). */
  readonly httpStatusCode: number;
  readonly error: string | undefined;

  constructor(options: StorageErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = "StorageError";
    this.code = options.code;
    this.httpStatusCode = options.httpStatusCode;
    this.error = options.error;
  }

  /** REST routes answer 400 for every error but a 500, as supabase/storage does. */
  get userStatusCode(): number {
    return this.httpStatusCode === 500 ? 500 : 400;
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
  invalidRange: () =>
    make({
      code: "InvalidRange",
      httpStatusCode: 400,
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
  invalidUploadSignature: (message?: string) =>
    make({
      code: "InvalidUploadSignature",
      httpStatusCode: 400,
      message: message ?? "Invalid upload Signature",
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
