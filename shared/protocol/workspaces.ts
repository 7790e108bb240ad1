/**
 * The workspaces API (`workspaces`, `workspaces/:id`, its replicas and heartbeats, its agent
 * tokens): bodies as zod schemas with their types, and the answers, defined once for the
 * function and its clients. Every answer is camelCase, the token API's included.
 *
 * @module
 */
import { z } from "zod";
import { replicaIdSchema } from "./common.ts";
import { sandboxIdSchema } from "./bridge.ts";
import type { ConflictStrategy, MergeFallback } from "../merge/conflict.ts";

const strategySchema = z.enum(["last_write_wins", "user_intervention", "auto_merge"]);
const mergeFallbackSchema = z.enum(["user_intervention", "last_write_wins"]);
const nameSchema = z.string().trim().min(1).max(200);

/** `POST workspaces`. */
export const createWorkspaceSchema = z.object({
  name: nameSchema,
  strategy: strategySchema.default("last_write_wins"),
  mergeFallback: mergeFallbackSchema.default("user_intervention"),
  /** A sandbox to attach: E2B's metadata for it must name the caller as owner. */
  sandboxId: sandboxIdSchema.optional(),
  conflictCopies: z.boolean().default(true),
});

/** A create body after validation (defaults applied). */
export type CreateWorkspaceRequest = z.infer<typeof createWorkspaceSchema>;
/** A create body as a client sends it (defaults optional). */
export type CreateWorkspaceInput = z.input<typeof createWorkspaceSchema>;

/** `PATCH workspaces/:id`: only the settings given change. */
export const updateWorkspaceSchema = z.strictObject({
  name: nameSchema.optional(),
  strategy: strategySchema.optional(),
  mergeFallback: mergeFallbackSchema.optional(),
  /** A sandbox to attach, or `null` to detach. */
  sandboxId: sandboxIdSchema.nullable().optional(),
  conflictCopies: z.boolean().optional(),
  /** Sync `.git/` directories (protected otherwise); the owner's user session only. */
  syncGit: z.boolean().optional(),
});

/** An update body. */
export type UpdateWorkspaceRequest = z.infer<typeof updateWorkspaceSchema>;

/** Kinds of replica the server knows. */
export const REPLICA_KINDS = ["agent", "mobile", "bridge", "cli", "web"] as const;
/** A kind of replica. */
export type ReplicaKind = typeof REPLICA_KINDS[number];

/** `POST workspaces/:id/replicas`: registers (or refreshes) a replica. */
export const registerReplicaSchema = z.object({
  replicaId: replicaIdSchema,
  kind: z.enum(REPLICA_KINDS),
  name: z.string().max(200).optional(),
  sandboxInstance: z.string().max(200).optional(),
});

/** A register body. */
export type RegisterReplicaRequest = z.infer<typeof registerReplicaSchema>;
/** A register body as a client sends it. */
export type RegisterReplicaInput = z.input<typeof registerReplicaSchema>;

/** `POST workspaces/:id/replicas/:replicaId/heartbeat`: a daemon's health (agent/control.ts). */
export const heartbeatSchema = z.object({
  state: z.enum(["starting", "idle", "running", "backoff", "stopping"]),
  lastRunAt: z.iso.datetime({ offset: true }).nullable().default(null),
  lastSuccessAt: z.iso.datetime({ offset: true }).nullable().default(null),
  lastError: z.string().max(1000).nullable().default(null),
  pending: z.int().min(0).max(1e9).nullable().default(null),
  heldDeletes: z.int().min(0).max(1e9).default(0),
  cursor: z.int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().default(null),
});

/** A heartbeat body after validation (defaults applied). */
export type HeartbeatRequest = z.infer<typeof heartbeatSchema>;
/** A heartbeat body as a daemon sends it. */
export type ReplicaHealth = z.input<typeof heartbeatSchema>;

/** `POST workspaces/:id/tokens`: a workspace-scoped agent token (users only). */
export const issueTokenSchema = z.object({
  name: nameSchema,
  /** Lifetime in seconds: one minute to one year, default 30 days. */
  ttlSeconds: z.int().min(60).max(366 * 86400).default(30 * 86400),
});

/** An issue-token body after validation. */
export type IssueTokenRequest = z.infer<typeof issueTokenSchema>;
/** An issue-token body as a client sends it. */
export type IssueTokenInput = z.input<typeof issueTokenSchema>;

/** A workspace. */
export interface Workspace {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly sandboxId: string | null;
  readonly strategy: ConflictStrategy;
  readonly mergeFallback: MergeFallback;
  readonly conflictCopies: boolean;
  /** `.git/` is synced (the owner opted in); protected otherwise. */
  readonly syncGit: boolean;
  /** The workspace journal's last seq. */
  readonly cursor: number;
  readonly createdAt: string;
}

/** The answer of `GET workspaces`. */
export interface WorkspaceList {
  readonly workspaces: readonly Workspace[];
}

/** The answer of `DELETE workspaces/:id`. */
export interface DeletedWorkspace {
  readonly deleted: true;
  /** Storage objects collected because nothing references them any more. */
  readonly freedObjects: number;
}

/** A registered replica: the answer of `POST workspaces/:id/replicas`. */
export interface Replica {
  readonly replicaId: string;
  readonly kind: ReplicaKind;
  readonly sandboxInstance: string | null;
  readonly lastCursor: number;
}

/** The answer of a heartbeat. */
export interface HeartbeatAnswer {
  readonly replicaId: string;
  readonly state: HeartbeatRequest["state"];
  readonly reportedAt: string;
}

/** A newly issued agent token: the answer of `POST workspaces/:id/tokens`. */
export interface IssuedToken {
  readonly id: string;
  readonly workspaceId: string;
  readonly name: string;
  /** The first characters of the token, to recognise it in listings. */
  readonly tokenPrefix: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** The secret (`sst_...`), sent as `x-sandsync-token`: shown only here. */
  readonly token: string;
}

/** An agent token as `GET workspaces/:id/tokens` lists it (never its secret). */
export interface AgentToken {
  readonly id: string;
  readonly name: string;
  readonly tokenPrefix: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
  /** Neither revoked nor expired. */
  readonly active: boolean;
}

/** The answer of `GET workspaces/:id/tokens`. */
export interface AgentTokenList {
  readonly tokens: readonly AgentToken[];
}

/** The answer of `DELETE workspaces/:id/tokens/:tokenId`. */
export interface RevokedToken {
  readonly revoked: true;
}
