/**
 * Version vectors: one counter per replica, used to order file versions
 * (docs/decisions/0004-version-vectors.md). A missing entry means 0, so `{}`
 * and `{ a: 0 }` are the same vector.
 *
 * @module
 */

/** A version vector: replica id → counter. Missing entries count as 0. */
export type VersionVector = Readonly<Record<string, number>>;

/**
 * How vector `a` relates to vector `b`: `before` means `b` has seen
 * everything `a` has (and more), `concurrent` means neither has seen all of
 * the other.
 */
export type VectorOrder = "equal" | "before" | "after" | "concurrent";

/** Longest replica id accepted by {@linkcode isVectorValid}. */
export const MAX_REPLICA_ID_LENGTH = 128;

/**
 * Largest counter a vector may hold: below 2^52, so one more bump is still a safe integer and a
 * hostile base near 2^53 cannot wedge a path (SQL checks the same bound).
 */
export const MAX_VECTOR_COUNTER = 2 ** 52 - 1;

/**
 * Most replicas in one vector. A vector holds only the replicas that wrote the file and is copied
 * into every later version, so a bound keeps a hostile base from bloating every version after it;
 * 256 writers of one file is far beyond any workspace seen (SQL checks the same bound).
 */
export const MAX_VECTOR_KEYS = 256;

/**
 * Compares two vectors entry by entry, missing entries counting as 0.
 *
 * @example
 * ```ts
 * compareVectors({ a: 1 }, { a: 2 }); // "before"
 * compareVectors({ a: 1 }, { b: 1 }); // "concurrent"
 * ```
 */
export function compareVectors(a: VersionVector, b: VersionVector): VectorOrder {
  let aAhead = false;
  let bAhead = false;
  for (const replica of unionKeys(a, b)) {
    const x = get(a, replica);
    const y = get(b, replica);
    if (x > y) aAhead = true;
    else if (y > x) bAhead = true;
    if (aAhead && bAhead) return "concurrent";
  }
  if (aAhead) return "after";
  if (bAhead) return "before";
  return "equal";
}

/**
 * The pointwise maximum of two vectors: the smallest vector that dominates
 * both. Zero entries are dropped so equal vectors have one spelling.
 */
export function mergeVectors(a: VersionVector, b: VersionVector): VersionVector {
  // Object.fromEntries defines own properties, so a replica named
  // "__proto__" stays an entry instead of replacing the prototype.
  const entries: [string, number][] = [];
  for (const replica of unionKeys(a, b)) {
    const counter = Math.max(get(a, replica), get(b, replica));
    if (counter > 0) entries.push([replica, counter]);
  }
  return Object.fromEntries(entries);
}

/**
 * A copy of `v` with the counter of `replica` increased by one: the vector
 * of a new version written by `replica` on top of `v`.
 *
 * @throws {RangeError} if `replica` is not a valid replica id or the counter
 *   would leave the safe-integer range.
 */
export function incrementVector(v: VersionVector, replica: string): VersionVector {
  if (!isReplicaIdValid(replica)) {
    throw new RangeError(`Invalid replica id "${replica}": expected 1 to 128 characters`);
  }
  const next = get(v, replica) + 1;
  if (!Number.isSafeInteger(next)) {
    throw new RangeError(`Cannot increment "${replica}": counter exceeds the safe-integer range`);
  }
  return { ...v, [replica]: next };
}

/**
 * True when `a` has seen everything `b` has: `a` is equal to or after `b`.
 */
export function dominates(a: VersionVector, b: VersionVector): boolean {
  const order = compareVectors(a, b);
  return order === "equal" || order === "after";
}

/** True when `replica` is a non-empty string of at most 128 characters. */
export function isReplicaIdValid(replica: unknown): replica is string {
  return typeof replica === "string" && replica.length > 0 &&
    replica.length <= MAX_REPLICA_ID_LENGTH;
}

/**
 * True when `value` is a plain object whose keys are valid replica ids and
 * whose values are integers from 0 to {@linkcode MAX_VECTOR_COUNTER}, at most
 * {@linkcode MAX_VECTOR_KEYS} of them. Use it on vectors that come
 * from outside (the wire, a database row, a local state file).
 */
export function isVectorValid(value: unknown): value is VersionVector {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const entries = Object.entries(value);
  if (entries.length > MAX_VECTOR_KEYS) return false;
  for (const [replica, counter] of entries) {
    if (!isReplicaIdValid(replica)) return false;
    if (!Number.isSafeInteger(counter) || counter < 0 || counter > MAX_VECTOR_COUNTER) return false;
  }
  return true;
}

function unionKeys(a: VersionVector, b: VersionVector): Set<string> {
  return new Set([...Object.keys(a), ...Object.keys(b)]);
}

/** Own entries only: `{}` has no "constructor" or "__proto__" counter. */
function get(v: VersionVector, replica: string): number {
  return Object.hasOwn(v, replica) ? v[replica] ?? 0 : 0;
}
