/**
 * A whole fake E2B for tests, in one process: E2B's control API (`control_api.ts`: create,
 * info, list, connect, kill, with metadata and per-key teams) and the in-sandbox daemon
 * `envd`, on one port. Point the unmodified `e2b` SDK here with `E2B_API_URL` and
 * `E2B_SANDBOX_URL` (both this URL) and a key from `apiKeys`; every sandbox's envd traffic then
 * comes to this address naming the sandbox in the `E2b-Sandbox-Id` header, with the
 * `X-Access-Token` the control API issued for it (checked). Debug mode (`E2B_DEBUG=true`, no
 * control API, no token) still works for sandboxes made with `createSandbox(id)`.
 * The stand-in keeps each sandbox's `/` in `<root>/<id>/`; a sandbox exists while its
 * directory does (like E2B's proxy, it answers 502 for any other).
 *
 * Routes: the control routes, `GET /health`, `GET|POST /files`, and Connect RPC at
 * `/filesystem.Filesystem/<Method>` and `/process.Process/<Method>`. It listens on
 * 127.0.0.1 only: it runs commands for anyone who can reach it.
 *
 * Test tree only: nothing under `supabase/functions` may import it.
 *
 * @module
 */
import { join } from "node:path";
import {
  controlApi,
  type SandboxRecord,
  STANDIN_API_KEY,
  STANDIN_OTHER_TEAM_KEY,
} from "./control_api.ts";
import { ConnectError, type Method, serveServerStream, serveUnary } from "./connect_protocol.ts";
import { httpError, serveFiles } from "./files_http.ts";
import { FILESYSTEM_METHODS } from "./filesystem_service.ts";
import { processMethods, ProcessTable } from "./process_service.ts";
import { isValidUser, type SandboxCall, userFromHeaders } from "./sandbox_call.ts";

/** The port envd listens on inside a sandbox (the SDK's default in debug mode). */
export const ENVD_PORT = 49983;

/** Options of {@link startEnvdStandin}. */
export interface EnvdStandinOptions {
  /** Directory holding one subdirectory per sandbox (created if missing). */
  readonly root: string;
  /** Port to listen on; `0` or absent picks a free one. */
  readonly port?: number;
  /** Accepted `X-API-KEY`s, one team each (default: the two test keys). */
  readonly apiKeys?: readonly string[];
}

/** A running stand-in. */
export interface EnvdStandin {
  /** Base URL, e.g. `http://127.0.0.1:49983` (the SDK's `sandboxUrl`). */
  readonly url: string;
  readonly port: number;
  /** The real path of the root directory. */
  readonly root: string;
  /** Creates sandbox `id` (its `/home/user` too); returns the host directory of its `/`. */
  createSandbox(id: string): Promise<string>;
  /** The host directory of sandbox `id`'s `/` (whether or not it exists). */
  sandboxDir(id: string): string;
  /**
   * Every request so far, as `METHOD /path` with the sandbox it addressed (the
   * `E2b-Sandbox-Id` header, or the id in a control API path), for tests asserting what a
   * caller did or did not reach.
   */
  readonly requests: readonly { readonly call: string; readonly sandboxId: string | null }[];
  /** What the control API recorded for sandbox `id` (created through `POST /v2/sandboxes`). */
  record(id: string): SandboxRecord | undefined;
  /** Ends open streams, kills running commands, stops listening (idempotent). */
  close(): Promise<void>;
}

const SANDBOX_ID = /^[A-Za-z0-9_-]{1,64}$/;

function checkedId(id: string): string {
  if (!SANDBOX_ID.test(id)) throw new Error(`Invalid sandbox id "${id}"`);
  return id;
}

/** Starts the stand-in; resolves once it listens. */
export async function startEnvdStandin(options: EnvdStandinOptions): Promise<EnvdStandin> {
  await Deno.mkdir(options.root, { recursive: true });
  const root = await Deno.realPath(options.root);
  const table = new ProcessTable();
  const stopping = new AbortController();
  const services: Record<string, Record<string, Method<SandboxCall>>> = {
    "filesystem.Filesystem": FILESYSTEM_METHODS,
    "process.Process": processMethods(table),
  };
  const sandboxDir = (id: string) => join(root, checkedId(id));
  const createSandbox = async (id: string) => {
    const dir = sandboxDir(id);
    await Deno.mkdir(join(dir, "home", "user"), { recursive: true });
    return dir;
  };
  const control = await controlApi(root, {
    apiKeys: options.apiKeys ?? [STANDIN_API_KEY, STANDIN_OTHER_TEAM_KEY],
    makeSandbox: createSandbox,
  });

  async function sandboxOf(request: Request): Promise<{ id: string; dir: string } | Response> {
    const id = request.headers.get("e2b-sandbox-id");
    if (!id) return httpError(400, "missing E2b-Sandbox-Id header");
    if (!SANDBOX_ID.test(id)) return httpError(400, `invalid sandbox id '${id}'`);
    const dir = join(root, id);
    const info = await Deno.stat(dir).catch(() => null);
    if (!info?.isDirectory) {
      return Response.json(
        { code: 502, message: `The sandbox '${id}' was not found`, sandboxId: id },
        { status: 502 },
      );
    }
    // A sandbox the control API created answers only with the access token it issued.
    const record = control.record(id);
    if (record && request.headers.get("x-access-token") !== record.envdAccessToken) {
      return httpError(401, "invalid or missing X-Access-Token");
    }
    return { id, dir };
  }

  const requests: { call: string; sandboxId: string | null }[] = [];

  async function handle(request: Request): Promise<Response> {
    const { pathname, searchParams } = new URL(request.url);
    requests.push({
      call: `${request.method} ${pathname}`,
      sandboxId: request.headers.get("e2b-sandbox-id") ??
        /^\/(?:v2\/)?sandboxes\/([^/]+)/.exec(pathname)?.[1] ?? null,
    });
    if (pathname === "/health" && !request.headers.has("e2b-sandbox-id")) {
      return new Response(null, { status: 204 });
    }
    if (!request.headers.has("e2b-sandbox-id")) {
      const answer = await control.handle(request);
      if (answer) return answer;
    }
    const sandbox = await sandboxOf(request);
    if (sandbox instanceof Response) return sandbox;
    const isRpc = request.method === "POST" && /^\/[\w.]+\/\w+$/.test(pathname);
    const user = isRpc
      ? userFromHeaders(request.headers)
      : searchParams.get("username") || userFromHeaders(request.headers);
    if (!isValidUser(user)) return httpError(401, `error looking up user '${user}'`);
    const call = (signal: AbortSignal): SandboxCall => ({
      headers: request.headers,
      signal,
      sandboxId: sandbox.id,
      sandboxRoot: sandbox.dir,
      user,
    });
    if (pathname === "/health") return new Response(null, { status: 204 });
    if (pathname === "/files") return await serveFiles(request, call(stopping.signal));
    if (!isRpc) return httpError(404, `no route for ${request.method} ${pathname}`);
    const [, service = "", name = ""] = pathname.split("/");
    const method = services[service]?.[name];
    if (!method) {
      return await serveUnary(request, () => {
        throw new ConnectError("unimplemented", `${service}/${name} is not implemented`);
      }, null);
    }
    if ("unary" in method) return await serveUnary(request, method.unary, call(stopping.signal));
    return await serveServerStream(request, method, call, stopping.signal);
  }

  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    onListen: (address) => listening.resolve(address as Deno.NetAddr),
  }, handle);
  const address = await listening.promise;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    root,
    sandboxDir,
    requests,
    createSandbox,
    record: (id) => control.record(id),
    close() {
      closed ??= (async () => {
        stopping.abort();
        await table.killAll();
        await server.shutdown();
      })();
      return closed;
    },
  };
}
