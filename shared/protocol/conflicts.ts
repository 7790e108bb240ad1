/**
 * The conflicts API (`GET conflicts`, `POST conflicts/:id/resolve`, `POST conflicts/:id/merge`):
 * its queries and bodies as zod schemas with their types, and its answers, defined once for the
 * function and its clients.
 *
 * @module
 */
import { z } from "zod";
import { type ByteSpan, replicaIdSchema, uuidSchema } from "./common.ts";
import type { ConflictStrategy } from "../merge/conflict.ts";
import type { VersionVector } from "../version_vector.ts";

/** Largest content of a `merged` resolution (decoded), in bytes. */
export const MAX_RESOLVE_CONTENT_BYTES = 4 * 1024 * 1024;

/** `GET conflicts?workspaceId=&status=`: open conflicts (or all), oldest first. */
export const listConflictsQuerySchema = z.object({
  workspaceId: uuidSchema,
  status: z.enum(["open", "all"]).default("open"),
});

/** A conflicts listing query after validation. */
export type ListConflictsQuery = z.infer<typeof listConflictsQuerySchema>;

/** How a conflict is settled: keep the current side, take the incoming one, or new content. */
export type ConflictResolutionKind = "current" | "incoming" | "merged";

/** `POST conflicts/:id/resolve`. */
export const resolveRequestSchema = z.object({
  /** A replica registered in the workspace: the new version is recorded for it. */
  replicaId: replicaIdSchema,
  resolution: z.enum(["current", "incoming", "merged"]),
  /** Merged bytes, base64 (only with `merged`, at most {@linkcode MAX_RESOLVE_CONTENT_BYTES}). */
  content: z.base64().max(Math.ceil(MAX_RESOLVE_CONTENT_BYTES * 4 / 3)).optional(),
  /** File mode of a `merged` resolution (default: the file's). */
  mode: z.int().min(0).max(0o777).optional(),
  /** The file's current version the caller looked at (default: the conflict's current side). */
  expectedCurrentVersionId: uuidSchema.optional(),
}).superRefine((body, ctx) => {
  if ((body.resolution === "merged") !== (body.content !== undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["content"],
      message: body.resolution === "merged"
        ? 'required with resolution "merged"'
        : 'only allowed with resolution "merged"',
    });
  }
  if (body.mode !== undefined && body.resolution !== "merged") {
    ctx.addIssue({
      code: "custom",
      path: ["mode"],
      message: 'only allowed with resolution "merged"',
    });
  }
});

/** A resolve request body (content base64). */
export type ResolveRequest = z.infer<typeof resolveRequestSchema>;

/** `POST conflicts/:id/merge` (the body is optional). */
export const mergeRequestSchema = z.object({
  /** The replica the resolution is recorded for; default: the incoming side's replica. */
  replicaId: replicaIdSchema.optional(),
  /** When set, the file's current version the caller saw (else: whatever is current now). */
  expectedCurrentVersionId: uuidSchema.optional(),
});

/** A merge request body. */
export type MergeRequest = z.infer<typeof mergeRequestSchema>;

/** One side of a conflict. */
export interface ConflictSide {
  readonly versionId: string;
  readonly sha256: string | null;
  readonly size: number;
  readonly deleted: boolean;
  readonly replicaId: string | null;
  readonly committedAt: string;
  /** Signed download URL (one hour); absent for deletions. */
  readonly url?: string;
  /** Set when the bytes rest in a pack: `url` is the pack's, the side is this span of it. */
  readonly range?: ByteSpan;
}

/** A conflict as `GET conflicts` lists it. */
export interface Conflict {
  readonly id: string;
  readonly workspaceId: string;
  readonly path: string;
  readonly strategy: ConflictStrategy;
  readonly mergeRequired: boolean;
  readonly status: "open" | "resolved";
  readonly resolution: ConflictResolutionKind | "last_write_wins" | null;
  readonly resolvedVersionId: string | null;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
  /** The file's current version now (send it as `expectedCurrentVersionId`). */
  readonly fileCurrentVersionId: string | null;
  readonly conflictCopyPath: string | null;
  /** The server's side when the conflict arose (`null` once that version is gone). */
  readonly current: ConflictSide | null;
  /** The committer's side, kept as a version, not current (`null` once it is gone). */
  readonly incoming: ConflictSide | null;
  /** The common base, when known. */
  readonly ancestor: ConflictSide | null;
}

/** The answer of `GET conflicts`. */
export interface ConflictList {
  readonly workspaceId: string;
  readonly status: "open" | "all";
  readonly conflicts: readonly Conflict[];
}

/** The new version a resolution made: the answer of `POST conflicts/:id/resolve`. */
export interface ResolvedConflict {
  readonly conflictId: string;
  readonly resolution: ConflictResolutionKind;
  readonly versionId: string;
  readonly vector: VersionVector;
  /** The journal position of the resolution. */
  readonly seq: number;
  readonly path: string;
  readonly sha256: string | null;
  readonly size: number;
  readonly deleted: boolean;
}

/** Why a conflict was not merged. */
export type MergeRefusal =
  /** No common ancestor is known, or it is a deletion. */
  | "no_ancestor"
  /** One side is a deletion: nothing to merge line by line. */
  | "deleted"
  /** A side is over the server's merge limit (1 MiB). */
  | "too_large"
  /** A side is not UTF-8 text (or has a NUL in its first 8 KiB). */
  | "binary"
  /** Both sides changed the same (or adjacent) lines. */
  | "overlapping";

/** A range of lines of one side: `start` is 1-based; an empty range sits before line `start`. */
export interface LineRange {
  readonly start: number;
  readonly count: number;
  readonly lines: readonly string[];
}

/** One region both sides changed differently. */
export interface MergeHunk {
  readonly base: LineRange;
  readonly current: LineRange;
  readonly incoming: LineRange;
}

/** The answer of `POST conflicts/:id/merge`. */
export type MergeAnswer =
  | {
    readonly merged: true;
    readonly conflictId: string;
    readonly versionId: string;
    readonly vector: VersionVector;
    readonly seq: number;
    readonly sha256: string;
    readonly size: number;
  }
  | {
    readonly merged: false;
    readonly conflictId: string;
    readonly reason: MergeRefusal;
    readonly hunks: readonly MergeHunk[];
  };
