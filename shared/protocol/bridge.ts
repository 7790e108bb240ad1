/**
 * Request bodies and answers of the `e2b-bridge` function (pull, restore/push, snapshot), as
 * zod schemas with their types, for the function and its clients alike.
 *
 * @module
 */
import { z } from "zod";

/** Where a sandbox's project lives unless the request names another root. */
export const DEFAULT_SANDBOX_ROOT = "/home/user/project";

/** An E2B sandbox id. */
export const sandboxIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
  error: "expected 1 to 64 letters, digits, '_' or '-'",
});

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The sync root inside the sandbox: absolute, normalised (no `.`/`..`/empty segments, no
 * trailing slash), never `/` itself.
 */
export const sandboxRootSchema = z.string().max(1024).superRefine((root, ctx) => {
  const problem = !root.startsWith("/")
    ? "must be absolute"
    : root === "/"
    ? "must not be the sandbox's /"
    : CONTROL.test(root)
    ? "must not contain control characters"
    : root.slice(1).split("/").some((s) => s === "" || s === "." || s === "..")
    ? "must not contain empty, '.' or '..' segments"
    : undefined;
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** A checkpoint name: never mistakable for a version id or a time (restore's `at`). */
export const checkpointNameSchema = z.string().min(1).max(200).superRefine((name, ctx) => {
  if (CONTROL.test(name)) ctx.addIssue({ code: "custom", message: "control character" });
  if (UUID.test(name)) ctx.addIssue({ code: "custom", message: "must not look like a uuid" });
  if (ISO_TIME.test(name)) ctx.addIssue({ code: "custom", message: "must not look like a time" });
});

/** Where a restore starts from: a checkpoint name, a version id or an ISO 8601 time. */
export const restorePointSchema = z.string().min(1).max(200);

/** The paging cursor of a multi-call operation (opaque). */
export const bridgeCursorSchema = z.string().min(1).max(4096);

const target = {
  workspaceId: z.uuid(),
  sandboxId: sandboxIdSchema,
  root: sandboxRootSchema.default(DEFAULT_SANDBOX_ROOT),
  cursor: bridgeCursorSchema.optional(),
};

/** `POST e2b-bridge/pull`. */
export const pullRequestSchema = z.object(target);
/** A pull request body. */
export type PullRequest = z.infer<typeof pullRequestSchema>;

/** `POST e2b-bridge/restore` and `POST e2b-bridge/push`. */
export const restoreRequestSchema = z.object({
  ...target,
  at: restorePointSchema.optional(),
  /** Remove the sandbox files the target lacks even past the mass-delete guard. */
  confirmDeletes: z.boolean().optional(),
});
/** A restore request body. */
export type RestoreRequest = z.infer<typeof restoreRequestSchema>;

/** `POST e2b-bridge/snapshot`. */
export const snapshotRequestSchema = z.object({ ...target, name: checkpointNameSchema });
/** A snapshot request body. */
export type SnapshotRequest = z.infer<typeof snapshotRequestSchema>;

/** An E2B template name or id (what `Sandbox.create(template)` takes). */
export const templateSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:\/-]{0,127}$/, {
  error: "expected 1 to 128 letters, digits, '_', '.', ':', '/' or '-'",
});

/**
 * `POST e2b-bridge/create`: a new sandbox for the workspace, bound to it. Strict: a body
 * cannot name an existing sandbox to bind (attach one with `PATCH /workspaces/:id`).
 */
export const createRequestSchema = z.strictObject({
  workspaceId: z.uuid(),
  template: templateSchema.optional(),
});
/** A create request body. */
export type CreateRequest = z.infer<typeof createRequestSchema>;

/** The answer of `POST e2b-bridge/create`. */
export interface CreateAnswer {
  readonly workspaceId: string;
  /** The new sandbox, now the workspace's bound sandbox. */
  readonly sandboxId: string;
  readonly template: string;
}

/** A path the bridge left alone, and why. */
export interface RefusedPath {
  readonly path: string;
  readonly reason:
    | "symlink"
    | "outside_root"
    | "invalid_path"
    | "not_a_file"
    | "changed_during_pull"
    | "vanished"
    | "symlinked_parent"
    | "hash_mismatch"
    | "ignored"
    | "held_delete";
}

/** The commit a pull page made. */
export interface PullCommit {
  readonly changeSetId: string;
  /** The workspace journal's last seq after the commit. */
  readonly journalCursor: number;
  /** How many items ended with each outcome (`applied`, `merged`, `conflict`, ...). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Paths whose change opened a conflict (user_intervention, auto_merge). */
  readonly conflicts: readonly { path: string; conflictId: string | null }[];
}

/** One page of a pull (or snapshot). */
export interface PullAnswer {
  /** False while more pages remain: call again with `cursor`. */
  readonly done: boolean;
  readonly cursor: string | null;
  readonly replicaId: string;
  /** Files whose bytes were moved into Storage and committed this page. */
  readonly pulled: number;
  /** Files looked at and found unchanged (size and mtime, or hash). */
  readonly skipped: number;
  /** Deletions committed this page. */
  readonly deleted: number;
  /** Bytes moved from the sandbox into Storage this page. */
  readonly bytes: number;
  /** Paths left alone (capped at 100). */
  readonly refused: readonly RefusedPath[];
  readonly commit: PullCommit | null;
}

/** A snapshot's last page also names the checkpoint. */
export interface SnapshotAnswer extends PullAnswer {
  readonly checkpoint: { id: string; name: string; seq: number } | null;
}

/** One page of a restore (or push). */
export interface RestoreAnswer {
  readonly done: boolean;
  readonly cursor: string | null;
  readonly replicaId: string;
  /** The journal position written (the workspace's state at `at`). */
  readonly seq: number;
  /** Files written into the sandbox this page. */
  readonly written: number;
  /** Files the sandbox already held with the same content. */
  readonly skipped: number;
  /** Synced files the target lacks, removed from the sandbox (last page only). */
  readonly deleted: number;
  /**
   * Removals held back by the mass-delete guard (more than half of at least 10 synced files);
   * listed in `refused` as `held_delete`; `confirmDeletes: true` removes them.
   */
  readonly heldDeletes: number;
  readonly bytes: number;
  readonly refused: readonly RefusedPath[];
  /** Where the instance manifest was written (last page only). */
  readonly manifest: string | null;
}
