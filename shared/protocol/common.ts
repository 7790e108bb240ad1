/**
 * Primitives every API module of the protocol shares: ids, hashes and the headers that carry
 * identity. Every JSON answer of every function is camelCase; SQL's snake_case is converted once,
 * on the server, where it is read.
 *
 * @module
 */
import { z } from "zod";
import { SHA256_HEX_PATTERN } from "../hash.ts";

/** Any uuid in a body, query or URL segment (workspace, version, conflict, token ids). */
export const uuidSchema = z.uuid();

/**
 * A replica id: a UUID, as the `replicas` table and every vector key in SQL hold it. Checked on
 * every route so a malformed id is a 400 before any reservation, never a database cast error.
 */
export const replicaIdSchema = z.uuid();

/** A lowercase hex SHA-256. */
export const sha256Schema = z.string().regex(SHA256_HEX_PATTERN, {
  error: "expected 64 lowercase hex characters",
});

/** Latest accepted `mtime`, in ms since the epoch: the end of JavaScript's `Date` range. */
export const MAX_MTIME_MS = 8.64e15;

/** The header that carries an agent token (`sst_...`), next to the anon key as bearer. */
export const AGENT_TOKEN_HEADER = "x-sandsync-token";

/** Where a blob sits in a pack object. */
export interface ByteSpan {
  readonly offset: number;
  readonly length: number;
}

/** The HTTP `Range` header asking for one span (inclusive end; a span is never empty). */
export function spanHeader(span: ByteSpan): string {
  return `bytes=${span.offset}-${span.offset + span.length - 1}`;
}
