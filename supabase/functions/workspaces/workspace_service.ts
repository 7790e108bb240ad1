/**
 * Workspaces, their replicas and agent tokens: create (with a conflict strategy), list, get,
 * update settings, delete (then collect the blobs nothing references any more, freeing quota), register a
 * replica, issue / list / revoke workspace-scoped agent tokens. Attaching a sandbox
 * (`sandboxId` on create or update) is refused with `sandbox_not_owned` unless E2B's metadata
 * for it names the caller as owner (and this workspace, when it names one).
 *
 * @module
 */
import { errors } from "../../../shared/protocol/errors.ts";
import { assertWorkspaceScope, newAgentToken } from "../_shared/edge/auth.ts";
import { COLLECT_GRACE_SECONDS, collectBlobs } from "../_shared/blobs/blob_collect.ts";
import type { BlobStore } from "../_shared/blobs/blob_store.ts";
import type { Caller } from "../_shared/edge/caller.ts";
import type { Database } from "../_shared/db/db.ts";
import { type SandboxLookup, verifySandboxOwner } from "../_shared/sandboxes/sandbox_ownership.ts";
import type {
  AgentToken,
  CreateWorkspaceRequest,
  DeletedWorkspace,
  HeartbeatAnswer,
  HeartbeatRequest,
  IssuedToken,
  IssueTokenRequest,
  RegisterReplicaRequest,
  Replica,
  ReplicaKind,
  RevokedToken,
  UpdateWorkspaceRequest,
  Workspace,
} from "../../../shared/protocol/workspaces.ts";
import type { ConflictStrategy, MergeFallback } from "../../../shared/merge/conflict.ts";

interface WorkspaceRow {
  id: string;
  owner_id: string;
  name: string;
  sandbox_id: string | null;
  strategy: ConflictStrategy;
  merge_fallback: MergeFallback;
  conflict_copies: boolean;
  sync_git?: boolean;
  last_seq: string;
  created_at: Date;
}

/** `create_agent_token`'s answer (snake_case SQL; converted here, once). */
interface IssuedTokenRow {
  id: string;
  workspace_id: string;
  name: string;
  token_prefix: string;
  created_at: string;
  expires_at: string;
}

/** One token of `list_agent_tokens`' answer. */
interface TokenRow {
  id: string;
  name: string;
  token_prefix: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
  active: boolean;
}

function toWorkspace(row: WorkspaceRow): Workspace {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    sandboxId: row.sandbox_id,
    strategy: row.strategy,
    mergeFallback: row.merge_fallback,
    conflictCopies: row.conflict_copies,
    syncGit: row.sync_git ?? false,
    cursor: Number(row.last_seq),
    createdAt: row.created_at.toISOString(),
  };
}

/** Workspace operations. */
export class WorkspaceService {
  /** `sandboxes` reads E2B metadata for attach checks; without it attaching is refused. */
  constructor(
    readonly db: Database,
    readonly blobs: BlobStore,
    readonly sandboxes?: SandboxLookup,
  ) {}

  async #assertAttachable(sandboxId: string, ownerId: string, workspaceId: string | undefined) {
    if (!this.sandboxes) {
      throw errors.serviceUnavailable("E2B is not configured: cannot verify sandbox ownership");
    }
    await verifySandboxOwner(this.sandboxes, sandboxId, { ownerId, workspaceId });
  }

  /** Creates a workspace owned by the calling user. */
  async create(caller: Caller, input: CreateWorkspaceRequest): Promise<Workspace> {
    if (caller.kind !== "user") throw errors.forbidden("operation", "create workspace");
    if (input.sandboxId !== undefined) {
      await this.#assertAttachable(input.sandboxId, caller.userId!, undefined);
    }
    const [row] = await this.db.asCaller(
      caller,
      (tx) =>
        tx<WorkspaceRow[]>`select * from public.create_workspace(${input.name}, ${input.strategy},
        ${input.sandboxId ?? null}, ${input.mergeFallback}, ${input.conflictCopies})`,
    );
    return toWorkspace(row!);
  }

  /** The caller's workspaces (an agent sees only its own). */
  async list(caller: Caller): Promise<Workspace[]> {
    const rows = await this.db.asCaller(
      caller,
      (tx) => tx<WorkspaceRow[]>`select * from public.list_workspaces()`,
    );
    return rows.filter((row) => caller.workspaceId === undefined || row.id === caller.workspaceId)
      .map(toWorkspace);
  }

  /** One workspace, or `workspace_not_found`. */
  async get(caller: Caller, id: string): Promise<Workspace> {
    assertWorkspaceScope(caller, id);
    const [row] = await this.db.asCaller(
      caller,
      (tx) => tx<WorkspaceRow[]>`select * from sandsync.workspaces where id = ${id}`,
    );
    if (!row) throw errors.workspaceNotFound(id);
    return toWorkspace(row);
  }

  /**
   * Changes settings of the workspace; attaching a sandbox needs E2B metadata naming its owner.
   * Agent tokens may change nothing, and `syncGit` (it lifts a protection) only the owner's user
   * session may change: a replica must not be able to lift a protection.
   */
  async update(caller: Caller, id: string, input: UpdateWorkspaceRequest): Promise<Workspace> {
    if (caller.kind === "agent") throw errors.forbidden("operation", "update workspace");
    if (input.syncGit !== undefined && caller.kind !== "user") {
      throw errors.forbidden("operation", "change workspace settings");
    }
    const current = await this.get(caller, id);
    if (typeof input.sandboxId === "string" && input.sandboxId !== current.sandboxId) {
      await this.#assertAttachable(input.sandboxId, current.ownerId, id);
    }
    const settings: Record<string, unknown> = {};
    if (input.name !== undefined) settings.name = input.name;
    if (input.strategy !== undefined) settings.strategy = input.strategy;
    if (input.mergeFallback !== undefined) settings.merge_fallback = input.mergeFallback;
    if (input.sandboxId !== undefined) settings.sandbox_id = input.sandboxId;
    if (input.conflictCopies !== undefined) settings.conflict_copies = input.conflictCopies;
    if (input.syncGit !== undefined) settings.sync_git = input.syncGit;
    const [row] = await this.db.asCaller(
      caller,
      (tx) =>
        tx<WorkspaceRow[]>`select * from public.update_workspace(${id}, ${
          tx.json(settings as never)
        })`,
    );
    return toWorkspace(row!);
  }

  /**
   * Deletes a workspace, then collects the owner's blobs nothing references any more (quota
   * freed): that owner's only, and past the usual grace, like housekeeping.
   */
  async delete(caller: Caller, id: string): Promise<DeletedWorkspace> {
    if (caller.kind === "agent") throw errors.forbidden("operation", "delete workspace");
    const owner = (await this.get(caller, id)).ownerId;
    // The workspace's packs hold its bytes only: they go with it (their rows go by cascade).
    const packs = await this.db.asService((tx) =>
      tx<
        { storage_key: string }[]
      >`select storage_key from sandsync.packs where workspace_id = ${id}`
    );
    await this.db.asCaller(caller, (tx) => tx`select public.delete_workspace(${id})`);
    const packKeys = packs.map((pack) => pack.storage_key);
    if (packKeys.length > 0) await this.blobs.remove(packKeys);
    const collected = await collectBlobs(
      { db: this.db, blobs: this.blobs },
      { graceSeconds: COLLECT_GRACE_SECONDS, ownerId: owner },
    );
    return {
      deleted: true,
      freedObjects: packKeys.length + collected.objects + collected.strays + collected.packs.packs,
    };
  }

  /** Registers (or refreshes) a replica of the workspace. */
  async registerReplica(
    caller: Caller,
    workspaceId: string,
    input: RegisterReplicaRequest,
  ): Promise<Replica> {
    assertWorkspaceScope(caller, workspaceId);
    const [row] = await this.db.asCaller(
      caller,
      (tx) =>
        tx<
          { id: string; kind: ReplicaKind; sandbox_instance: string | null; last_cursor: string }[]
        >`
        select * from public.register_replica(${workspaceId}, ${input.replicaId}, ${input.kind},
          ${input.name ?? null}, ${input.sandboxInstance ?? null})`,
    );
    return {
      replicaId: row!.id,
      kind: row!.kind,
      sandboxInstance: row!.sandbox_instance,
      lastCursor: Number(row!.last_cursor),
    };
  }

  /** Records a replica daemon's health (state, last run and error, pending, held deletions). */
  async reportHealth(
    caller: Caller,
    workspaceId: string,
    replicaId: string,
    health: HeartbeatRequest,
  ): Promise<HeartbeatAnswer> {
    assertWorkspaceScope(caller, workspaceId);
    const [row] = await this.db.asCaller(
      caller,
      (tx) =>
        tx<{ id: string; daemon_state: HeartbeatRequest["state"]; health_reported_at: Date }[]>`
        select id, daemon_state, health_reported_at from public.report_replica_health(
          ${workspaceId}, ${replicaId}, ${tx.json(health)})`,
    );
    return {
      replicaId: row!.id,
      state: row!.daemon_state,
      reportedAt: new Date(row!.health_reported_at).toISOString(),
    };
  }

  /** Issues an agent token for the workspace; the secret is in this answer only. */
  async issueToken(
    caller: Caller,
    workspaceId: string,
    input: IssueTokenRequest,
  ): Promise<IssuedToken> {
    if (caller.kind !== "user") throw errors.forbidden("operation", "issue agent token");
    const { token, hash, prefix } = newAgentToken();
    const expiresAt = new Date(Date.now() + input.ttlSeconds * 1000);
    const [row] = await this.db.asCaller(caller, (tx) =>
      tx<{ result: IssuedTokenRow }[]>`
        select public.create_agent_token(${workspaceId}, ${input.name}, ${hash}, ${prefix},
          ${expiresAt}) as result`);
    const issued = row!.result;
    return {
      id: issued.id,
      workspaceId: issued.workspace_id,
      name: issued.name,
      tokenPrefix: issued.token_prefix,
      createdAt: issued.created_at,
      expiresAt: issued.expires_at,
      token,
    };
  }

  /** The workspace's agent tokens, without secrets. */
  async listTokens(caller: Caller, workspaceId: string): Promise<AgentToken[]> {
    await this.get(caller, workspaceId);
    const [row] = await this.db.asCaller(
      caller,
      (tx) =>
        tx<{ result: TokenRow[] }[]>`select public.list_agent_tokens(${workspaceId}) as result`,
    );
    return (row?.result ?? []).map((token) => ({
      id: token.id,
      name: token.name,
      tokenPrefix: token.token_prefix,
      createdAt: token.created_at,
      expiresAt: token.expires_at,
      revokedAt: token.revoked_at,
      lastUsedAt: token.last_used_at,
      active: token.active,
    }));
  }

  /** Revokes one agent token of the workspace. */
  async revokeToken(caller: Caller, workspaceId: string, tokenId: string): Promise<RevokedToken> {
    if (caller.kind !== "user") throw errors.forbidden("operation", "revoke agent token");
    await this.get(caller, workspaceId);
    const [row] = await this.db.asCaller(caller, (tx) =>
      tx<{ revoked: boolean }[]>`
        select public.revoke_agent_token(${tokenId}) as revoked
        where exists (select 1 from sandsync.agent_tokens where id = ${tokenId}
          and workspace_id = ${workspaceId})`);
    if (!row?.revoked) throw errors.notFound("agent token", tokenId);
    return { revoked: true };
  }
}
