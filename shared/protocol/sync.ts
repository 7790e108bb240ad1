/**
 * Zod schemas for the bodies of the sync API, with their inferred types:
 * validate once at the boundary (STYLE rule 7) with {@linkcode parseWire},
 * which throws a `validation_failed` {@linkcode SyncError} listing every
 * issue with its dotted path. Unknown keys are stripped, not refused, so
 * older servers accept newer clients.
 *
 * @module
 */
import { z } from "zod";
import { errors, type SyncError, type ValidationIssue } from "./errors.ts";
import { SHA256_HEX_PATTERN } from "../hash.ts";
import { validatePath } from "../paths/path_rules.ts";
import { MAX_VECTOR_COUNTER, MAX_VECTOR_KEYS } from "../version_vector.ts";

/** Most changes in one negotiate or commit request. */
export const MAX_CHANGES_PER_REQUEST = 10_000;
/** Largest file that may travel inline in a commit, in bytes. */
export const MAX_INLINE_FILE_BYTES = 256 * 1024;
/** Most inline bytes (decoded) in one commit request. */
export const MAX_INLINE_TOTAL_BYTES = 4 * 1024 * 1024;
/** Longest `wait` of a changes request, in seconds. */
export const MAX_WAIT_SECONDS = 25;

/** Latest accepted `mtime`, in ms since the epoch: the end of JavaScript's `Date` range. */
export const MAX_MTIME_MS = 8.64e15;

/**
 * A replica id: a UUID, as the `replicas` table and every vector key in SQL hold it. Checked on
 * every route so a malformed id is a 400 before any reservation, never a database cast error.
 */
export const replicaIdSchema = z.uuid();

/** A lowercase hex SHA-256. */
export const sha256Schema = z.string().regex(SHA256_HEX_PATTERN, {
  error: "expected 64 lowercase hex characters",
});

/** A synced path that passes the path rules (path_rules.ts). */
export const pathSchema = z.string().superRefine((path, ctx) => {
  const result = validatePath(path);
  if (!result.ok) {
    ctx.addIssue({ code: "custom", message: result.message, params: { problem: result.code } });
  }
});

/**
 * A version vector: replica id → counter below 2^52 (so a bump stays a safe integer), with at
 * most {@linkcode MAX_VECTOR_KEYS} keys (a vector is copied into every later version of its file).
 */
export const versionVectorSchema = z.record(replicaIdSchema, z.int().min(0).max(MAX_VECTOR_COUNTER))
  .refine((vector) => Object.keys(vector).length <= MAX_VECTOR_KEYS, {
    error: `at most ${MAX_VECTOR_KEYS} replicas per vector`,
  });

/** One file change a replica wants to commit. `sha256: null` is a deletion. */
export const fileChangeSchema = z.object({
  path: pathSchema,
  sha256: sha256Schema.nullable(),
  size: z.int().min(0),
  /** Permission bits only (`0o777`): setuid, setgid and sticky bits are refused. */
  mode: z.int().min(0).max(0o777),
  /** Client modification time, ms since the epoch: recorded, not trusted for ordering. */
  mtime: z.int().min(0).max(MAX_MTIME_MS),
  /** The version the change was made on; `null` for a path new to this replica. */
  base: versionVectorSchema.nullable(),
  deleted: z.boolean().optional(),
  diffStats: z.object({ added: z.int().min(0), removed: z.int().min(0) }).optional(),
}).superRefine((change, ctx) => {
  if (change.deleted === true && change.sha256 !== null) {
    ctx.addIssue({ code: "custom", path: ["sha256"], message: "must be null for a deletion" });
  }
  if (change.deleted === false && change.sha256 === null) {
    ctx.addIssue({
      code: "custom",
      path: ["deleted"],
      message: "must not be false when sha256 is null",
    });
  }
  if (change.sha256 === null && change.size !== 0) {
    ctx.addIssue({ code: "custom", path: ["size"], message: "must be 0 for a deletion" });
  }
});

/** A file change as validated by {@linkcode fileChangeSchema}. */
export type FileChange = z.infer<typeof fileChangeSchema>;

const changesSchema = z.array(fileChangeSchema).max(MAX_CHANGES_PER_REQUEST)
  .superRefine((changes, ctx) => {
    const seen = new Set<string>();
    changes.forEach((change, i) => {
      if (seen.has(change.path)) {
        ctx.addIssue({
          code: "custom",
          path: [i, "path"],
          message: `duplicate path "${change.path}"`,
        });
      }
      seen.add(change.path);
    });
  });

/** `POST sync/negotiate`: which blobs to upload, and where. */
export const negotiateRequestSchema = z.object({
  workspaceId: z.uuid(),
  replicaId: replicaIdSchema,
  changes: changesSchema,
});

/** A negotiate request body. */
export type NegotiateRequest = z.infer<typeof negotiateRequestSchema>;

/** `POST sync/commit`: the change set, once its bytes are in Storage or inline. */
export const commitRequestSchema = z.object({
  workspaceId: z.uuid(),
  replicaId: replicaIdSchema,
  /** Makes a retried commit a no-op. */
  idempotencyKey: z.uuid(),
  changes: changesSchema,
  /** Small files' bytes: SHA-256 → base64. */
  inline: z.record(sha256Schema, z.base64()).optional(),
}).superRefine((request, ctx) => {
  const declared = new Map(request.changes.map((c) => [c.sha256, c.size]));
  let total = 0;
  for (const [sha256, data] of Object.entries(request.inline ?? {})) {
    const size = base64Size(data);
    total += size;
    if (!declared.has(sha256)) {
      ctx.addIssue({
        code: "custom",
        path: ["inline", sha256],
        message: "no change has this sha256",
      });
    } else if (declared.get(sha256) !== size) {
      ctx.addIssue({
        code: "custom",
        path: ["inline", sha256],
        message: `decoded size ${size} differs from declared ${declared.get(sha256)}`,
      });
    } else if (size > MAX_INLINE_FILE_BYTES) {
      ctx.addIssue({
        code: "custom",
        path: ["inline", sha256],
        message: `size ${size} exceeds inline limit ${MAX_INLINE_FILE_BYTES}`,
      });
    }
  }
  if (total > MAX_INLINE_TOTAL_BYTES) {
    ctx.addIssue({
      code: "custom",
      path: ["inline"],
      message: `total ${total} exceeds inline limit ${MAX_INLINE_TOTAL_BYTES}`,
    });
  }
});

/** A commit request body. */
export type CommitRequest = z.infer<typeof commitRequestSchema>;

/** A query-string integer: digits only, so `""` and `"1e3"` are refused. */
const queryNumber = (pattern: RegExp) =>
  z.preprocess((v) => (typeof v === "string" && pattern.test(v) ? Number(v) : v), z.number());

/**
 * `GET sync/changes`: changes after `cursor`, at most `limit`, waiting up to
 * `wait` seconds for one. Accepts numbers or query-string values, so a
 * handler passes `Object.fromEntries(url.searchParams)`.
 */
export const changesQuerySchema = z.object({
  workspaceId: z.uuid(),
  cursor: queryNumber(/^\d+$/).pipe(z.int().min(0)).default(0),
  limit: queryNumber(/^\d+$/).pipe(z.int().min(1).max(1000)).default(100),
  wait: queryNumber(/^\d+(\.\d+)?$/).pipe(z.number().min(0).max(MAX_WAIT_SECONDS)).default(0),
});

/** A changes query after validation (numbers, defaults applied). */
export type ChangesQuery = z.infer<typeof changesQuerySchema>;

/**
 * Validates `input` with `schema` and returns the typed value, or throws a
 * `validation_failed` error whose `details.issues` give every problem with
 * a dotted path (`changes.3.sha256`).
 */
export function parseWire<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(result.error);
}

/** Turns a zod error into the `validation_failed` {@linkcode SyncError}. */
export function validationError(error: z.ZodError): SyncError {
  const issues: ValidationIssue[] = error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  return errors.validationFailed(issues);
}

/** Decoded size of a base64 string (already validated as base64). */
function base64Size(data: string): number {
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return (data.length / 4) * 3 - padding;
}
