/**
 * The sync API (`POST sync/negotiate`, `POST sync/commit`, `GET sync/changes`,
 * `GET sync/manifest`): its request bodies and queries as zod schemas with their inferred types,
 * and its answers as plain types, defined once for the function and its clients. Validate once at
 * the boundary, so nothing past it sees malformed input (docs/decisions/0012-one-contract.md),
 * with {@linkcode parseWire}, which throws a `validation_failed` {@linkcode SyncError} listing
 * every issue with its dotted path. Unknown keys are stripped, not refused, so older servers
 * accept newer clients.
 *
 * @module
 */
import { z } from "zod";
import { errors, type SyncError, type ValidationIssue } from "./errors.ts";
import { type ByteSpan, MAX_MTIME_MS, replicaIdSchema, sha256Schema } from "./common.ts";
import { validatePath } from "../paths/path_rules.ts";
import { MAX_VECTOR_COUNTER, MAX_VECTOR_KEYS, type VersionVector } from "../version_vector.ts";

/** Most changes in one negotiate or commit request. */
export const MAX_CHANGES_PER_REQUEST = 10_000;
/**
 * Largest file that may travel inline in a commit, in bytes: a small blob, which rests in a pack
 * of its workspace (docs/decisions/0014-packs.md says why 4 MiB).
 */
export const MAX_INLINE_FILE_BYTES = 4 * 1024 * 1024;
/**
 * Most inline bytes (decoded) in one commit request: one pack, at most 16 MiB like restic's
 * packs; the request body (base64, about 21 MiB) stays well inside a hosted function's 256 MB.
 */
export const MAX_INLINE_TOTAL_BYTES = 16 * 1024 * 1024;
/** Longest `wait` of a changes request, in seconds. */
export const MAX_WAIT_SECONDS = 25;

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

/** `GET sync/manifest`: one page of the current files, by path, after `after`. */
export const manifestQuerySchema = z.object({
  workspaceId: z.uuid(),
  after: z.string().max(4096).default(""),
  limit: queryNumber(/^\d+$/).pipe(z.int().min(1).max(5000)).default(1000),
  deleted: z.enum(["0", "1", "true", "false"]).default("0").transform((v) =>
    v === "1" || v === "true"
  ),
});

/** A manifest query after validation. */
export type ManifestQuery = z.infer<typeof manifestQuerySchema>;

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

// ---- answers ----

/** How to move one blob into Storage, as `sync/negotiate` says. */
export type UploadInstruction =
  | { readonly sha256: string; readonly size: number; readonly method: "inline" }
  | {
    readonly sha256: string;
    readonly size: number;
    readonly method: "signed_url";
    readonly key: string;
    readonly url: string;
  }
  | {
    readonly sha256: string;
    readonly size: number;
    readonly method: "tus";
    readonly key: string;
    readonly endpoint: string;
    readonly bucket: string;
    /** Sent as `x-signature` on every TUS request. */
    readonly signature: string;
    readonly chunkSize: number;
  };

/** The answer of `POST sync/negotiate`. */
export interface NegotiateAnswer {
  readonly workspaceId: string;
  /** Blobs Storage lacks, with how to upload each (quota is reserved). */
  readonly uploads: readonly UploadInstruction[];
  /** Blobs Storage already holds: nothing to upload. */
  readonly present: readonly string[];
}

/** What a commit did with one change. */
export type CommitOutcome = "applied" | "merged" | "superseded" | "conflict" | "rejected";

/** One item of the commit answer (docs/schema.md, Outcomes). Absent fields do not apply. */
export interface CommitItemAnswer {
  /** The change's position in the request. */
  readonly index: number;
  readonly path: string;
  readonly outcome: CommitOutcome;
  /** Set for `rejected` (`path_case_conflict`). */
  readonly code?: string;
  /** The version this change became (or, for a no-op `merged`, the current one). */
  readonly versionId?: string;
  /** The file's current version afterwards. */
  readonly currentVersionId?: string;
  /** The current version's vector afterwards. */
  readonly vector?: VersionVector;
  readonly conflictId?: string;
  readonly ancestorVersionId?: string;
  readonly supersededVersionId?: string;
  /** Where the server kept the loser of a last-write-wins conflict. */
  readonly conflictCopyPath?: string;
  /** `auto_merge`: the server merged the conflict this change opened (outcome `merged`). */
  readonly autoMerged?: boolean;
  /** The current content's SHA-256 when the server made it (an auto-merge): not what was sent. */
  readonly sha256?: string;
  /** The size of that server-made content. */
  readonly size?: number;
  /**
   * `merged` by the server: the vector it gave the version this change became, before the merge
   * (the current `vector` dominates it).
   */
  readonly incomingVector?: VersionVector;
  /**
   * `auto_merge`: why the server did not merge (a merge refusal such as `overlapping`,
   * `deferred`, or the code of the error that stopped it).
   */
  readonly mergeRefused?: string;
}

/** The answer of `POST sync/commit`. */
export interface CommitAnswer {
  readonly changeSetId: string;
  readonly workspaceId: string;
  /** True when the idempotency key was seen before: the stored answer. */
  readonly replayed: boolean;
  /** The workspace's journal cursor after the commit. */
  readonly cursor: number;
  readonly items: readonly CommitItemAnswer[];
}

/** One journal entry (or, in a manifest, one current file). */
export interface ChangeEntry {
  readonly seq: number;
  /** `file`: the current state of `path` changed; `conflict`: a conflict was opened. */
  readonly kind: "file" | "conflict";
  readonly path: string;
  readonly versionId: string | null;
  readonly conflictId: string | null;
  readonly sha256: string | null;
  readonly size: number;
  readonly mode: number;
  /** Client modification time, ms since the epoch. */
  readonly mtime: number | null;
  readonly deleted: boolean;
  readonly vector: VersionVector;
  readonly replicaId: string | null;
  readonly committedAt: string;
  /** Signed download URL of the bytes (live files only). */
  readonly url?: string;
  /**
   * Set when the bytes rest in a pack: `url` is the pack's, and the file is `length` bytes from
   * `offset` (fetch them with a `Range` request; neighbours in one pack may share one request).
   */
  readonly range?: ByteSpan;
  /**
   * Set instead of `url` when the bytes cannot be served (their object is missing from Storage):
   * the entry is reported, the rest of the page flows. Clients skip the path and retry later.
   */
  readonly error?: EntryError;
}

/** Why one feed entry carries no bytes. */
export interface EntryError {
  /** `blob_missing`: Storage holds no object for the entry's hash. */
  readonly code: "blob_missing";
  readonly message: string;
}

/** A page of `GET sync/changes`. */
export interface ChangesPage {
  readonly workspaceId: string;
  readonly changes: readonly ChangeEntry[];
  /** The cursor to ask from next. */
  readonly cursor: number;
  readonly hasMore: boolean;
}

/** A page of `GET sync/manifest`. */
export interface ManifestPage {
  readonly workspaceId: string;
  /** The journal cursor the listing is consistent with (read it before paging). */
  readonly cursor: number;
  readonly files: readonly ChangeEntry[];
  /** The `after` of the next page, or `null` at the end. */
  readonly next: string | null;
}
