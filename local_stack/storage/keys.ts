/**
 * Object key and bucket name rules of supabase/storage (`limits.ts`): an ASCII subset that is
 * safe in S3 keys. Like the real server's file backend (`backend/secure-path.ts`, what
 * `supabase start` runs) this server refuses `.` and `..` segments; empty segments (`a//b`) are
 * kept. Two rules are this server's own: keys longer than S3's 1,024 bytes are refused as
 * InvalidKey (the real server leaves them to its backend), and bucket ids that are a fixed
 * segment of an object route (`list-v2`, `sign`, ...) are refused, since `/object/list-v2/x`
 * could otherwise mean a listing or an upload.
 *
 * @module
 */
import { ERRORS } from "./errors.ts";

const KEY_CHARACTERS = /^[\w/!\-.*'() &$@=;:+,?]+$/;
const BUCKET_CHARACTERS = /^[\w!\-.*'() &$@=;:+,?]+$/;

/** Longest key accepted (S3's limit, in bytes; ASCII keys make it characters). */
export const MAX_KEY_LENGTH = 1024;

/**
 * Bucket ids that are also a fixed segment after `/object/`: a bucket so named would make
 * routes ambiguous (`POST /object/list-v2/b` lists bucket `b`, it never uploads `b`).
 */
export const RESERVED_BUCKET_IDS: readonly string[] = [
  "list",
  "list-v2",
  "sign",
  "upload",
  "info",
  "public",
  "authenticated",
  "copy",
  "move",
];

function hasDotSegment(key: string): boolean {
  return key.split("/").some((segment) => segment === "." || segment === "..");
}

/** Whether `key` is a valid object key. */
export function isValidKey(key: string): boolean {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_CHARACTERS.test(key)) return false;
  return !hasDotSegment(key);
}

/** Throws `"400"`/InvalidKey unless `key` is valid. */
export function mustBeValidKey(key: string | undefined): asserts key is string {
  if (!key || !isValidKey(key)) throw ERRORS.invalidKey(key ?? "");
}

/** Whether `name` is a valid bucket name (1-63 characters of the key set, no slash). */
export function isValidBucketName(name: string): boolean {
  return name.length > 0 && name.length < 64 && BUCKET_CHARACTERS.test(name) && name !== "." &&
    name !== "..";
}

/** Throws `"400"`/InvalidBucketName for a name a new bucket may not take. */
export function mustBeNewBucketName(name: string): void {
  mustBeValidBucketName(name);
  if (RESERVED_BUCKET_IDS.includes(name.toLowerCase())) throw ERRORS.invalidBucketName(name);
}

/** Throws `"400"`/InvalidBucketName unless `name` is valid. */
export function mustBeValidBucketName(name: string | undefined): asserts name is string {
  if (!name || !isValidBucketName(name)) throw ERRORS.invalidBucketName(name ?? "");
}

/** Parses a bucket size limit: a byte count or a string such as `"20MB"` (decimal units). */
export function parseFileSizeLimit(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw ERRORS.invalidFileSizeLimit();
    return value;
  }
  if (typeof value !== "string") throw ERRORS.invalidFileSizeLimit();
  const match = /^([0-9]+(?:\.[0-9]+)?)(gb|mb|kb|b)$/i.exec(value.trim());
  if (!match?.[1] || !match[2]) throw ERRORS.invalidFileSizeLimit();
  const units: Record<string, number> = { gb: 1e9, mb: 1e6, kb: 1e3, b: 1 };
  return Math.floor(
    Number(parseFloat(match[1]).toPrecision(3)) * (units[match[2].toLowerCase()] ?? 1),
  );
}
