/**
 * A small HTTP client for integration tests of the sync functions: real requests to the
 * running stack, JSON in and out, no knowledge of the server's internals.
 *
 * @module
 */
import { encodeBase64 } from "./base64.ts";
import { sha256Hex } from "../../shared/hash.ts";
import { createUser } from "../../local_stack/users.ts";
import { loadStackEnv, type StackEnv } from "./stack_env.ts";
import { MAX_INLINE_FILE_BYTES } from "../../shared/protocol/sync.ts";

/** A size negotiate sends to one signed PUT: above the inline limit, below TUS (6 MiB). */
export const SIGNED_PUT_SIZE = MAX_INLINE_FILE_BYTES + 64 * 1024;

/** A JSON answer: status and parsed body. */
export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** Calls functions as one identity (a user token, or the anon key plus an agent token). */
export class ApiClient {
  constructor(
    readonly env: StackEnv,
    readonly bearer: string,
    readonly extraHeaders: Record<string, string> = {},
  ) {}

  /** Sends a request to `/functions/v1/<path>` and parses the JSON answer. */
  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    const response = await fetch(`${this.env.apiUrl}/functions/v1/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.bearer}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...this.extraHeaders,
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch { /* not JSON: keep the text */ }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}

/** A fresh user with a client, for tests that need isolation. */
export async function newUser(
  label: string,
): Promise<{ id: string; client: ApiClient; env: StackEnv }> {
  const env = loadStackEnv();
  const email = `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const user = await createUser(env.dbUrl, email, { jwtSecret: env.jwtSecret });
  return { id: user.id, client: new ApiClient(env, user.accessToken), env };
}

/** Creates a workspace and registers `replicas` replicas in it; returns their ids. */
export async function newWorkspace(
  client: ApiClient,
  options: {
    strategy?: string;
    mergeFallback?: string;
    replicas?: number;
    conflictCopies?: boolean;
  } = {},
): Promise<{ workspaceId: string; replicas: string[] }> {
  const created = await client.call<{ id: string }>("POST", "workspaces", {
    name: `test-${crypto.randomUUID().slice(0, 8)}`,
    strategy: options.strategy ?? "last_write_wins",
    ...(options.mergeFallback ? { mergeFallback: options.mergeFallback } : {}),
    ...(options.conflictCopies === undefined ? {} : { conflictCopies: options.conflictCopies }),
  });
  if (created.status !== 201) throw new Error(`create workspace: ${JSON.stringify(created.body)}`);
  const replicas: string[] = [];
  for (let i = 0; i < (options.replicas ?? 1); i++) {
    const replicaId = crypto.randomUUID();
    const registered = await client.call("POST", `workspaces/${created.body.id}/replicas`, {
      replicaId,
      kind: i === 0 ? "agent" : "mobile",
    });
    if (registered.status !== 200) {
      throw new Error(`register replica: ${JSON.stringify(registered.body)}`);
    }
    replicas.push(replicaId);
  }
  return { workspaceId: created.body.id, replicas };
}

/** A file to commit with its bytes. */
export interface TestFile {
  readonly path: string;
  readonly content: string | Uint8Array | null;
  readonly base?: Record<string, number> | null;
}

/** Builds a commit body with every file inline. */
export function inlineCommit(workspaceId: string, replicaId: string, files: readonly TestFile[]) {
  const inline: Record<string, string> = {};
  const changes = files.map((file) => {
    if (file.content === null) {
      return {
        path: file.path,
        sha256: null,
        size: 0,
        mode: 420,
        mtime: Date.now(),
        base: file.base ?? null,
        deleted: true,
      };
    }
    const bytes = typeof file.content === "string"
      ? new TextEncoder().encode(file.content)
      : file.content;
    const sha256 = sha256Hex(bytes);
    inline[sha256] = encodeBase64(bytes);
    return {
      path: file.path,
      sha256,
      size: bytes.byteLength,
      mode: 420,
      mtime: Date.now(),
      base: file.base ?? null,
    };
  });
  return { workspaceId, replicaId, idempotencyKey: crypto.randomUUID(), changes, inline };
}
