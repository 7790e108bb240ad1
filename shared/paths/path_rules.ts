/**
 * The Sandsync path rules, shared by functions and clients (no runtime-specific APIs). A synced
 * path is relative and `/`-separated, NFC-normalised, without empty, `.` or `..` segments,
 * control characters, invisible format characters that spoof how a name displays (bidi controls
 * U+202A–U+202E and U+2066–U+2069, zero-width U+200B–U+200D, U+2060, U+FEFF, and the line and
 * paragraph separators U+2028/U+2029), backslashes or drive letters, at most 1024 bytes in total and 255 bytes per
 * segment (UTF-8). The SQL check `sandsync.path_problem()` applies the same rules in the same
 * order, and both are tested against `shared/testdata/paths.json`.
 *
 * Non-NFC paths are rejected rather than normalised: a sandbox may hold an NFC and an NFD name as
 * two different files, and rewriting one would merge them. {@linkcode normalizePath} is for
 * lenient inputs (a path typed on a phone) before validation.
 *
 * @module
 */

/** Maximum UTF-8 length of a whole path. */
export const MAX_PATH_BYTES = 1024;
/** Maximum UTF-8 length of one segment. */
export const MAX_SEGMENT_BYTES = 255;

/** Why a path is invalid; the first failing rule wins (same order as the SQL check). */
export type PathProblemCode =
  | "path_empty"
  | "path_invalid_unicode"
  | "path_control_char"
  | "path_format_char"
  | "path_backslash"
  | "path_absolute"
  | "path_drive_letter"
  | "path_not_nfc"
  | "path_too_long"
  | "path_empty_segment"
  | "path_dot_segment"
  | "path_segment_too_long";

/** The result of {@linkcode validatePath}. */
export type PathValidation =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly code: PathProblemCode; readonly message: string };

const encoder = new TextEncoder();
// C0 controls (NUL included), DEL and C1 controls.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Bidi embeddings/overrides/isolates, zero-width characters and BOM, line/paragraph separators:
// invisible in a listing, they make one name display as another ("txt.exe" shown as "exe.txt").
const FORMAT = /[\u200b-\u200d\u2028-\u202e\u2060\u2066-\u2069\ufeff]/;
const DRIVE = /^[A-Za-z]:/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function byteLength(text: string): number {
  return encoder.encode(text).length;
}

function fail(code: PathProblemCode, path: string, detail: string): PathValidation {
  return { ok: false, code, message: `Invalid path ${JSON.stringify(path)}: ${detail}` };
}

/** Checks a path against the rules; returns it unchanged when valid, else the first problem. */
export function validatePath(path: string): PathValidation {
  if (path === "") return fail("path_empty", path, "empty");
  if (LONE_SURROGATE.test(path)) return fail("path_invalid_unicode", path, "lone surrogate");
  if (CONTROL.test(path)) return fail("path_control_char", path, "control character");
  if (FORMAT.test(path)) {
    return fail("path_format_char", path, "invisible format character (bidi, zero-width)");
  }
  if (path.includes("\\")) return fail("path_backslash", path, "backslash");
  if (path.startsWith("/")) return fail("path_absolute", path, "absolute");
  if (DRIVE.test(path)) return fail("path_drive_letter", path, "drive letter");
  if (path.normalize("NFC") !== path) return fail("path_not_nfc", path, "not NFC-normalised");
  const bytes = byteLength(path);
  if (bytes > MAX_PATH_BYTES) {
    return fail("path_too_long", path, `${bytes} bytes exceeds ${MAX_PATH_BYTES}`);
  }
  for (const segment of path.split("/")) {
    if (segment === "") return fail("path_empty_segment", path, "empty segment");
    if (segment === "." || segment === "..") return fail("path_dot_segment", path, "dot segment");
    const segmentBytes = byteLength(segment);
    if (segmentBytes > MAX_SEGMENT_BYTES) {
      return fail(
        "path_segment_too_long",
        path,
        `segment of ${segmentBytes} bytes exceeds ${MAX_SEGMENT_BYTES}`,
      );
    }
  }
  return { ok: true, path };
}

/**
 * Tidies a lenient input before {@linkcode validatePath}: NFC-normalises, collapses repeated
 * slashes, and drops `./` segments and a trailing slash. It never resolves `..` (that would
 * change which file is meant) and never makes an absolute path relative.
 */
export function normalizePath(path: string): string {
  const nfc = path.normalize("NFC");
  const absolute = nfc.startsWith("/");
  const segments = nfc.split("/").filter((segment) => segment !== "" && segment !== ".");
  return (absolute ? "/" : "") + segments.join("/");
}

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const WINDOWS_CHARS = /[<>:"|?*]/;

/**
 * Why a valid path cannot be held on Windows, or `null`: a segment that is a device name (`CON`,
 * `PRN`, `AUX`, `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9`, with or without an extension), ends in a
 * dot or a space (Windows strips them, so the name would change), or holds `<>:"|?*`. Such
 * paths are valid in a workspace (Linux and macOS sandboxes hold them); an agent on Windows
 * leaves them out of its directory and says so, rather than writing a different name.
 */
export function windowsNameProblem(path: string): string | null {
  for (const segment of path.split("/")) {
    if (WINDOWS_DEVICE.test(segment)) return `"${segment}" is a device name on Windows`;
    if (/[. ]$/.test(segment)) return `"${segment}" ends in a dot or a space`;
    if (WINDOWS_CHARS.test(segment)) return `"${segment}" holds a character Windows refuses`;
  }
  return null;
}
