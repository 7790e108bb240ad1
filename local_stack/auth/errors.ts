/**
 * The Auth API's errors, answered as GoTrue answers them (supabase/auth,
 * `internal/api/errors.go`, `internal/api/apierrors/`): a request carrying
 * `X-Supabase-Api-Version: 2024-01-01` or later (supabase-js sends it) gets
 * `{ code: "<error code>", message }` and the version header echoed back; any other request gets
 * the initial shape `{ code: <HTTP status>, error_code, msg }`. Both carry `x-sb-error-code`.
 *
 * @module
 */

/** The error codes of GoTrue's `errorcode.go` this API answers with. */
export type AuthErrorCode =
  | "bad_json"
  | "bad_jwt"
  | "email_not_confirmed"
  | "email_provider_disabled"
  | "invalid_credentials"
  | "no_authorization"
  | "phone_provider_disabled"
  | "refresh_token_already_used"
  | "refresh_token_not_found"
  | "request_entity_too_large"
  | "session_expired"
  | "session_not_found"
  | "signup_disabled"
  | "unexpected_failure"
  | "user_already_exists"
  | "user_banned"
  | "user_not_found"
  | "validation_failed"
  | "weak_password";

/** An error the Auth API answers with its own status, code and message. */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: AuthErrorCode,
    message: string,
    /** GoTrue's `weak_password` payload, only for `weak_password`. */
    readonly reasons?: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AuthError";
  }
}

const make = (status: number, code: AuthErrorCode) => (message: string) =>
  new AuthError(status, code, message);

/** Factories for every error the Auth API answers with; messages are GoTrue's. */
export const authErrors = {
  validation: make(400, "validation_failed"),
  badJson: (detail: string) =>
    new AuthError(400, "bad_json", `Could not parse request body as JSON: ${detail}`),
  bodyTooLarge: (limit: number) =>
    new AuthError(413, "request_entity_too_large", `Request body too large (max ${limit} bytes)`),
  invalidCredentials: (message = "Invalid login credentials") =>
    new AuthError(400, "invalid_credentials", message),
  emailNotConfirmed: () => new AuthError(400, "email_not_confirmed", "Email not confirmed"),
  userBanned: (status = 400, message = "User is banned") =>
    new AuthError(status, "user_banned", message),
  userAlreadyExists: () => new AuthError(422, "user_already_exists", "User already registered"),
  signupDisabled: () =>
    new AuthError(422, "signup_disabled", "Signups not allowed for this instance"),
  phoneProviderDisabled: (status: number, message: string) =>
    new AuthError(status, "phone_provider_disabled", message),
  weakPassword: (message: string, reasons: readonly string[]) =>
    new AuthError(422, "weak_password", message, reasons),
  refreshTokenNotFound: () =>
    new AuthError(
      400,
      "refresh_token_not_found",
      "Invalid Refresh Token: Refresh Token Not Found",
    ),
  refreshTokenAlreadyUsed: () =>
    new AuthError(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used"),
  sessionNotFound: (status: number, message: string) =>
    new AuthError(status, "session_not_found", message),
  sessionExpired: () =>
    new AuthError(400, "session_expired", "Invalid Refresh Token: Session Expired"),
  noAuthorization: () =>
    new AuthError(401, "no_authorization", "This endpoint requires a valid Bearer token"),
  badJwt: (message: string, status = 403) => new AuthError(status, "bad_jwt", message),
  userNotFound: () =>
    new AuthError(403, "user_not_found", "User from sub claim in JWT does not exist"),
} as const;

/** The API version header GoTrue reads and echoes. */
export const API_VERSION_HEADER = "x-supabase-api-version";
const API_VERSION_2024 = "2024-01-01";

/**
 * Whether a request asked for the 2024-01-01 error shape: a `YYYY-MM-DD` date on or after it (an
 * unparsable header falls back to the initial shape, as GoTrue does).
 */
export function wantsVersion2024(header: string | null): boolean {
  if (!header || !/^\d{4}-\d{2}-\d{2}$/.test(header)) return false;
  const date = Date.parse(`${header}T00:00:00Z`);
  return Number.isFinite(date) && date >= Date.parse(`${API_VERSION_2024}T00:00:00Z`);
}

/**
 * Renders `error` as GoTrue would for a request whose version header is `versionHeader`; an
 * error that is not an {@linkcode AuthError} is a 500 with a generic message, its cause logged.
 */
export function renderAuthError(error: unknown, versionHeader: string | null): Response {
  let known: AuthError;
  if (error instanceof AuthError) known = error;
  else {
    console.error("auth: unexpected failure:", error);
    known = new AuthError(
      500,
      "unexpected_failure",
      "Unexpected failure, please check server logs for more information",
    );
  }
  const headers = new Headers({ "x-sb-error-code": known.code });
  const weak = known.reasons ? { weak_password: { reasons: known.reasons } } : {};
  if (wantsVersion2024(versionHeader)) {
    headers.set(API_VERSION_HEADER, API_VERSION_2024);
    // GoTrue sets no x-sb-error-code on a weak password answered in the 2024 shape.
    if (known.reasons) headers.delete("x-sb-error-code");
    return Response.json({ code: known.code, message: known.message, ...weak }, {
      status: known.status,
      headers,
    });
  }
  return Response.json(
    { code: known.status, error_code: known.code, msg: known.message, ...weak },
    { status: known.status, headers },
  );
}
