/**
 * Workspaces, their replicas and agent tokens: create (with a conflict strategy), list, get,
 * delete (then collect the blobs nothing references any more, freeing quota), register a
 * replica, issue / list / revoke workspace-scoped agent tokens.
 *
 * @module
 */
import { errors } from "../../../shared/errors.ts";
import { assertWorkspaceScope, newAgentToken } from "./auth.ts";
import type { BlobStore } from "./blob_store.ts";
import type { Caller } from "./caller.ts";
import type { Database } from "./db.ts";

/** A workspace as the API shows it. */
export interface Workspace {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly sandboxId: string | null;
  readonly strategy: string;
  readonly mergeFallback: string;
  readonly conflictCopies: boolean;
  readonly cursor: number;
  readonly createdAt: string;
}

interface WorkspaceRow {
  id: string;
  owner_id: string;
  name: string;
  sandbox_id: string | null;
  strategy: string;
  merge_fallback: string;
  conflict_copies: boolean;
  last_seq: string;
  created_at: Date;
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
    cursor: Number(row.last_seq),
    createdAt: row.created_at.toISOString(),
  };
}

/** Input of {@linkcode WorkspaceService.create}. */
export interface CreateWorkspace {
  readonly name: string;
  readonly strategy: "last_write_wins" | "user_intervention" | "auto_merge";
  readonly mergeFallback: "user_intervention" | "last_write_wins";
  readonly sandboxId?: string | undefined;
  readonly conflictCopies: boolean;
}

/** Workspace operations. */
export class WorkspaceService {
  constructor(readonly db: Database, readonly blobs: BlobStore) {}

  /** Creates a workspace owned by the calling user. */
  async create(caller: Caller, input: CreateWorkspace): Promise<Workspace> {
    if (caller.kind !== "user") throw errors.forbidden("operation", "create workspace");
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

  /** Deletes a workspace, then removes blobs no version references any more (quota freed). */
  async delete(caller: Caller, id: string): Promise<{ deleted: true; freedObjects: number }> {
    if (caller.kind === "agent") throw errors.forbidden("operation", "delete workspace");
    const owner = (await this.get(caller, id)).ownerId;
    await this.db.asCaller(caller, (tx) => tx`select public.delete_workspace(${id})`);
    // Service role: garbage collection spans the owner's blobs, which only it may delete.
    const keys = await this.db.asService((tx) =>
      tx<{ storage_key: string }[]>`
        select storage_key from public.service_collect_blobs(interval '0 seconds')
        where storage_key like ${owner + "/%"}`
    );
    const list = keys.map((row) => row.storage_key);
    for (let i = 0; i < list.length; i += 500) await this.blobs.remove(list.slice(i, i + 500));
    return { deleted: true, freedObjects: list.length };
  }

  /** Registers (or refreshes) a replica of the workspace. */
  async registerReplica(
    caller: Caller,
    workspaceId: string,
    input: {
      replicaId: string;
      kind: string;
      name?: string | undefined;
      sandboxInstance?: string | undefined;
    },
  ) {
    assertWorkspaceScope(caller, workspaceId);
    const [row] = await this.db.asCaller(
      caller,
      (tx) =>
        tx<{ id: string; kind: string; sandbox_instance: string | null; last_cursor: string }[]>`
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
    health: {
      state: string;
      lastRunAt: string | null;
      lastSuccessAt: string | null;
      lastError: string | null;
      pending: number | null;
      heldDeletes: number;
      cursor: number | null;
    },
  ) {
    assertWorkspaceScope(caller, workspaceId);
    const [row] = await this.db.asCaller(
      caller,
      (tx) =>
        tx<{ id: string; daemon_state: string; health_reported_at: Date }[]>`
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
    input: { name: string; ttlSeconds: number },
  ) {
    if (caller.kind !== "user") throw errors.forbidden("operation", "issue agent token");
    const { token, hash, prefix } = newAgentToken();
    const expiresAt = new Date(Date.now() + input.ttlSeconds * 1000);
    const [row] = await this.db.asCaller(caller, (tx) =>
      tx<{ result: Record<string, unknown> }[]>`
        select public.create_agent_token(${workspaceId}, ${input.name}, ${hash}, ${prefix},
          ${expiresAt}) as result`);
    return { ...row!.result, token };
  }

  /** The workspace's agent tokens, without secrets. */
  async listTokens(caller: Caller, workspaceId: string) {
    await this.get(caller, workspaceId);
    const [row] = await this.db.asCaller(
      caller,
      (tx) =>
        tx<{ result: unknown[] }[]>`select public.list_agent_tokens(${workspaceId}) as result`,
    );
    return row?.result ?? [];
  }

  /** Revokes one agent token of the workspace. */
  async revokeToken(caller: Caller, workspaceId: string, tokenId: string) {
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
