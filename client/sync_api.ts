/**
 * A typed HTTP client for the Sandsync functions (`sync` and `workspaces` here; `files` and
 * `conflicts` in files_api.ts and conflicts_api.ts over {@linkcode SyncApi.send}):
 * authentication as a user (JWT) or as an agent (anon key plus an `sst_` token), JSON in and
 * out, errors rebuilt as {@linkcode SyncError} with their stable codes, and retries with
 * backoff where a request may succeed on a second try (see retry.ts). Only `fetch`: runs in
 * Deno, Node and browsers.
 *
 * @module
 */
import { errorFromResponse } from "../shared/protocol/errors.ts";
import { AGENT_TOKEN_HEADER } from "../shared/protocol/common.ts";
import { type RetryOptions, withRetry } from "./retry.ts";
import { rebaseStorageUrl } from "./storage_url.ts";
import type {
  AgentToken,
  ChangeEntry,
  ChangesPage,
  CommitAnswer,
  CommitRequest,
  CreateWorkspaceInput,
  HeartbeatAnswer,
  IssuedToken,
  IssueTokenInput,
  ManifestPage,
  NegotiateAnswer,
  NegotiateRequest,
  RegisterReplicaInput,
  Replica,
  ReplicaHealth,
  Workspace,
} from "./types.ts";

export { AGENT_TOKEN_HEADER };

/** How to reach the API and as whom. */
export interface SyncApiOptions {
  /** `SUPABASE_URL` (the project's base URL). */
  readonly url: string;
  /** `SUPABASE_ANON_KEY`: required with an agent token, sent as `apikey` otherwise. */
  readonly anonKey?: string;
  /** A user access token (JWT) or an `sst_` agent token. */
  readonly token: string;
  /** Retry policy of every request. */
  readonly retry?: RetryOptions;
  /** Timeout of one attempt, in ms (long polls add their wait). Default 60,000. */
  readonly timeoutMs?: number;
  /** The `fetch` to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** Options of one request. */
export interface RequestOptions {
  readonly signal?: AbortSignal;
}

/** True for an `sst_` agent token. */
export function isAgentToken(token: string): boolean {
  return token.startsWith("sst_");
}

/** The client of the sync and workspaces functions. */
export class SyncApi {
  /** The project's base URL, without a trailing slash. */
  readonly url: string;
  readonly #options: SyncApiOptions;
  readonly #fetch: typeof fetch;

  constructor(options: SyncApiOptions) {
    if (isAgentToken(options.token) && !options.anonKey) {
      throw new TypeError("An agent token needs the anon key (SUPABASE_ANON_KEY)");
    }
    this.url = options.url.replace(/\/+$/, "");
    this.#options = options;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The headers that authenticate a request. */
  authHeaders(): Record<string, string> {
    const { token, anonKey } = this.#options;
    if (isAgentToken(token)) {
      return { authorization: `Bearer ${anonKey}`, apikey: anonKey!, [AGENT_TOKEN_HEADER]: token };
    }
    return { authorization: `Bearer ${token}`, ...(anonKey ? { apikey: anonKey } : {}) };
  }

  /** The anon key, when configured (Storage's gateway wants an `apikey`). */
  get anonKey(): string | undefined {
    return this.#options.anonKey;
  }

  /** Sends one JSON request to `/functions/v1/<path>` with retries; returns the parsed body. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions & { timeoutMs?: number; retry?: boolean } = {},
  ): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const attempt = async () => {
      const response = await this.send(method, path, {
        ...options,
        retry: false,
        body: payload,
        headers: payload === undefined ? {} : { "content-type": "application/json" },
      });
      const text = await response.text();
      try {
        return (text ? JSON.parse(text) : null) as T;
      } catch {
        return text as T; // not JSON: the caller asked for it
      }
    };
    if (options.retry === false) return await attempt();
    return await withRetry(attempt, { ...this.#options.retry, signal: options.signal });
  }

  /**
   * Sends one request to `/functions/v1/<path>` with retries and returns the response when it
   * is a success (2xx, or 304); anything else is thrown as a {@linkcode SyncError}. For raw
   * bodies (the `files` function): the caller reads (or cancels) the response body.
   */
  async send(
    method: string,
    path: string,
    options: RequestOptions & {
      body?: string | Uint8Array;
      headers?: Record<string, string>;
      timeoutMs?: number;
      retry?: boolean;
    } = {},
  ): Promise<Response> {
    const url = `${this.url}/functions/v1/${path}`;
    const attempt = async () => {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#options.timeoutMs ?? 60_000);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      const response = await this.#fetch(url, {
        method,
        headers: { ...this.authHeaders(), ...options.headers },
        body: options.body as BodyInit | undefined,
        signal,
      });
      if (response.ok || response.status === 304) return response;
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch { /* not JSON (a proxy's page): keep the text for the error */ }
      const error = errorFromResponse(response.status, parsed);
      // Keep the real status for retry decisions (WORKER_LIMIT is 546 with its own body).
      if (error.details?.status === undefined) {
        Object.assign(error, { details: { ...error.details, status: response.status } });
      }
      throw error;
    };
    if (options.retry === false) return await attempt();
    return await withRetry(attempt, { ...this.#options.retry, signal: options.signal });
  }

  // ---- sync ----

  /** `POST sync/negotiate`: which blobs to upload and how (reserves quota). */
  async negotiate(
    request: NegotiateRequest,
    options: RequestOptions = {},
  ): Promise<NegotiateAnswer> {
    const plan = await this.request<NegotiateAnswer>("POST", "sync/negotiate", request, options);
    return {
      ...plan,
      uploads: plan.uploads.map((upload) =>
        upload.method === "signed_url"
          ? { ...upload, url: this.storageUrl(upload.url) }
          : upload.method === "tus"
          ? { ...upload, endpoint: this.storageUrl(upload.endpoint) }
          : upload
      ),
    };
  }

  /** `POST sync/commit`: applies a change set; retried safely thanks to its idempotency key. */
  commit(request: CommitRequest, options: RequestOptions = {}): Promise<CommitAnswer> {
    return this.request<CommitAnswer>("POST", "sync/commit", request, options);
  }

  /** `GET sync/changes`: journal entries after `cursor`; `wait` seconds of long poll (≤ 25). */
  async changes(
    query: { workspaceId: string; cursor: number; limit?: number; wait?: number },
    options: RequestOptions = {},
  ): Promise<ChangesPage> {
    const params = new URLSearchParams({
      workspaceId: query.workspaceId,
      cursor: String(query.cursor),
      limit: String(query.limit ?? 1000),
      wait: String(query.wait ?? 0),
    });
    const timeoutMs = (this.#options.timeoutMs ?? 60_000) + (query.wait ?? 0) * 1000;
    const page = await this.request<ChangesPage>("GET", `sync/changes?${params}`, undefined, {
      ...options,
      timeoutMs,
    });
    return { ...page, changes: page.changes.map((entry) => this.#rebaseEntry(entry)) };
  }

  /** `GET sync/manifest`: one page of the workspace's current files, by path. */
  async manifest(
    query: { workspaceId: string; after?: string; limit?: number; deleted?: boolean },
    options: RequestOptions = {},
  ): Promise<ManifestPage> {
    const params = new URLSearchParams({
      workspaceId: query.workspaceId,
      after: query.after ?? "",
      limit: String(query.limit ?? 1000),
      deleted: query.deleted ? "1" : "0",
    });
    const page = await this.request<ManifestPage>(
      "GET",
      `sync/manifest?${params}`,
      undefined,
      options,
    );
    return { ...page, files: page.files.map((entry) => this.#rebaseEntry(entry)) };
  }

  /**
   * A Storage URL the server handed out, moved onto this client's project URL (see
   * storage_url.ts: the server's idea of its public address may not be reachable from here).
   */
  storageUrl(url: string): string {
    return rebaseStorageUrl(url, this.url);
  }

  #rebaseEntry(entry: ChangeEntry): ChangeEntry {
    return entry.url ? { ...entry, url: this.storageUrl(entry.url) } : entry;
  }

  /**
   * Every current file of the workspace (with `deleted`, tombstones too), with the cursor read
   * before the first page (so changes committed while paging are caught by the changes feed
   * afterwards).
   */
  async fullManifest(
    workspaceId: string,
    options: RequestOptions & { deleted?: boolean } = {},
  ): Promise<{ cursor: number; files: ChangeEntry[] }> {
    const files: ChangeEntry[] = [];
    let after = "";
    let cursor: number | undefined;
    for (;;) {
      const page = await this.manifest(
        { workspaceId, after, limit: 5000, deleted: options.deleted },
        options,
      );
      cursor ??= page.cursor;
      files.push(...page.files);
      if (page.next === null) break;
      after = page.next;
    }
    return { cursor: cursor ?? 0, files };
  }

  // ---- workspaces ----

  /** `POST workspaces`: creates a workspace owned by the calling user. */
  createWorkspace(input: CreateWorkspaceInput, options: RequestOptions = {}): Promise<Workspace> {
    return this.request("POST", "workspaces", input, options);
  }

  /** `GET workspaces`: the caller's workspaces (an agent token sees its own only). */
  async listWorkspaces(options: RequestOptions = {}): Promise<Workspace[]> {
    return (await this.request<{ workspaces: Workspace[] }>(
      "GET",
      "workspaces",
      undefined,
      options,
    ))
      .workspaces;
  }

  /** `GET workspaces/:id`. */
  getWorkspace(id: string, options: RequestOptions = {}): Promise<Workspace> {
    return this.request("GET", `workspaces/${encodeURIComponent(id)}`, undefined, options);
  }

  /** `POST workspaces/:id/replicas`: registers (or refreshes) a replica. */
  registerReplica(
    workspaceId: string,
    input: RegisterReplicaInput,
    options: RequestOptions = {},
  ): Promise<Replica> {
    return this.request(
      "POST",
      `workspaces/${encodeURIComponent(workspaceId)}/replicas`,
      input,
      options,
    );
  }

  /**
   * `POST workspaces/:id/replicas/:replicaId/heartbeat`: a daemon's health (its state, last
   * run, last success, last error, pending changes, held deletions, cursor).
   */
  replicaHeartbeat(
    workspaceId: string,
    health: ReplicaHealth & { replicaId: string },
    options: RequestOptions & { retry?: boolean } = {},
  ): Promise<HeartbeatAnswer> {
    const { replicaId, ...body } = health;
    return this.request(
      "POST",
      `workspaces/${encodeURIComponent(workspaceId)}/replicas/${
        encodeURIComponent(replicaId)
      }/heartbeat`,
      body,
      { timeoutMs: 10_000, ...options },
    );
  }

  /** `POST workspaces/:id/tokens`: a workspace-scoped agent token (users only). */
  issueToken(
    workspaceId: string,
    input: IssueTokenInput,
    options: RequestOptions = {},
  ): Promise<IssuedToken> {
    return this.request(
      "POST",
      `workspaces/${encodeURIComponent(workspaceId)}/tokens`,
      input,
      options,
    );
  }

  /** `GET workspaces/:id/tokens`: the workspace's agent tokens, without secrets. */
  async listTokens(workspaceId: string, options: RequestOptions = {}): Promise<AgentToken[]> {
    const path = `workspaces/${encodeURIComponent(workspaceId)}/tokens`;
    return (await this.request<{ tokens: AgentToken[] }>("GET", path, undefined, options)).tokens;
  }

  /** `DELETE workspaces/:id/tokens/:tokenId`. */
  revokeToken(workspaceId: string, tokenId: string, options: RequestOptions = {}) {
    const path = `workspaces/${encodeURIComponent(workspaceId)}/tokens/${
      encodeURIComponent(tokenId)
    }`;
    return this.request<{ revoked: boolean }>("DELETE", path, undefined, options);
  }
}
