/**
 * The part of E2B's control API (`api.e2b.app`) the `e2b` SDK 2.51 calls for sandbox
 * lifecycle and metadata, served by the stand-in on the same port as its envd routes:
 *
 * - `POST /v2/sandboxes`: create from `templateID` with `metadata`; answers `sandboxID`,
 *   `envdVersion`, `envdAccessToken` (201);
 * - `GET /sandboxes/{id}`: the sandbox's info with `metadata` (404 when unknown to the team);
 * - `GET /v2/sandboxes?metadata=k%3Dv&limit=&nextToken=`: the team's sandboxes whose metadata
 *   holds every pair, paged with the `x-next-token` header;
 * - `POST /v2/sandboxes/{id}/connect`: the same answer as create (a running sandbox stays so);
 * - `DELETE /sandboxes/{id}`: kills it (its directory goes) (204).
 *
 * Every call needs `X-API-KEY` with one of the configured keys; each key is its own team, and a
 * team sees only the sandboxes it created. Records live in `<root>/.control/<id>.json` so a
 * restarted stand-in over the same root still knows them.
 *
 * @module
 */
import { join } from "node:path";

/** The envd version the stand-in reports: the envd whose behaviour it implements. */
export const ENVD_VERSION = "0.6.4";

/** A test API key (team A). */
export const STANDIN_API_KEY = "e2b_standin_team_a_key";
/** A second test API key: another team, which sees none of team A's sandboxes. */
export const STANDIN_OTHER_TEAM_KEY = "e2b_standin_team_b_key";

/** What the control API knows about one sandbox. */
export interface SandboxRecord {
  readonly sandboxID: string;
  readonly templateID: string;
  /** The API key that created it (its team). */
  readonly team: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly envdAccessToken: string;
  readonly startedAt: string;
  readonly endAt: string;
}

/** The registry behind the control routes. */
export interface ControlApi {
  /** Serves a control route, or answers `undefined` when the path is not one. */
  handle(request: Request): Promise<Response | undefined>;
  /** The record of sandbox `id` (any team), if the control API created it. */
  record(id: string): SandboxRecord | undefined;
}

function apiError(status: number, message: string): Response {
  return Response.json({ code: status, message }, { status });
}

function randomId(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

function info(record: SandboxRecord) {
  return {
    sandboxID: record.sandboxID,
    templateID: record.templateID,
    clientID: "standin",
    metadata: record.metadata,
    envdVersion: ENVD_VERSION,
    startedAt: record.startedAt,
    endAt: record.endAt,
    state: "running",
    cpuCount: 2,
    memoryMB: 512,
    diskSizeMB: 1024,
    domain: null,
  };
}

function connection(record: SandboxRecord) {
  return {
    sandboxID: record.sandboxID,
    templateID: record.templateID,
    clientID: "standin",
    envdVersion: ENVD_VERSION,
    envdAccessToken: record.envdAccessToken,
    trafficAccessToken: null,
    domain: null,
  };
}

function metadataOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.some(([, v]) => typeof v !== "string")) return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * Starts the control API over `root`: loads the records kept there and creates each new
 * sandbox's `/` (with `/home/user`) as `<root>/<id>/` through `makeSandbox`.
 */
export async function controlApi(
  root: string,
  options: { apiKeys: readonly string[]; makeSandbox: (id: string) => Promise<string> },
): Promise<ControlApi> {
  const dir = join(root, ".control");
  await Deno.mkdir(dir, { recursive: true });
  const records = new Map<string, SandboxRecord>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    const record = JSON.parse(await Deno.readTextFile(join(dir, entry.name))) as SandboxRecord;
    records.set(record.sandboxID, record);
  }

  const owned = (key: string, id: string) => {
    const record = records.get(id);
    return record && record.team === key ? record : undefined;
  };

  async function create(key: string, request: Request): Promise<Response> {
    const body = await request.json().catch(() => null) as Record<string, unknown> | null;
    const templateID = body?.templateID;
    const metadata = metadataOf(body?.metadata);
    if (typeof templateID !== "string" || templateID === "" || !metadata) {
      return apiError(400, "body must name templateID and string metadata");
    }
    const timeout = typeof body?.timeout === "number" ? body.timeout : 300;
    const now = Date.now();
    const record: SandboxRecord = {
      sandboxID: `i${randomId(19)}`,
      templateID,
      team: key,
      metadata,
      envdAccessToken: randomId(32),
      startedAt: new Date(now).toISOString(),
      endAt: new Date(now + timeout * 1000).toISOString(),
    };
    await options.makeSandbox(record.sandboxID);
    await Deno.writeTextFile(join(dir, `${record.sandboxID}.json`), JSON.stringify(record));
    records.set(record.sandboxID, record);
    return Response.json(connection(record), { status: 201 });
  }

  function list(key: string, params: URLSearchParams): Response {
    const wanted = [...new URLSearchParams(params.get("metadata") ?? "")].map((
      [k, v],
    ) => [decodeURIComponent(k), decodeURIComponent(v)]);
    const limit = Math.min(Math.max(Number(params.get("limit")) || 100, 1), 100);
    const after = params.get("nextToken") ?? "";
    const matching = [...records.values()]
      .filter((r) => r.team === key && wanted.every(([k, v]) => r.metadata[k!] === v))
      .sort((a, b) => a.sandboxID.localeCompare(b.sandboxID))
      .filter((r) => r.sandboxID > after);
    const page = matching.slice(0, limit);
    const headers = new Headers();
    if (matching.length > limit) headers.set("x-next-token", page.at(-1)!.sandboxID);
    return Response.json(page.map(info), { headers });
  }

  async function kill(record: SandboxRecord): Promise<Response> {
    records.delete(record.sandboxID);
    await Deno.remove(join(dir, `${record.sandboxID}.json`)).catch(() => {});
    await Deno.remove(join(root, record.sandboxID), { recursive: true }).catch(() => {});
    return new Response(null, { status: 204 });
  }

  return {
    record: (id) => records.get(id),
    async handle(request) {
      const { pathname, searchParams } = new URL(request.url);
      const match = /^\/(v2\/)?sandboxes(?:\/([^/]+))?(\/connect)?$/.exec(pathname);
      if (!match) return undefined;
      const [, v2, id, connect] = match;
      const key = request.headers.get("x-api-key") ?? "";
      if (!options.apiKeys.includes(key)) return apiError(401, "Invalid API key");
      const method = request.method;
      if (v2 && !id && method === "POST") return await create(key, request);
      if (v2 && !id && method === "GET") return list(key, searchParams);
      if (!id) return apiError(404, `no route for ${method} ${pathname}`);
      const record = owned(key, decodeURIComponent(id));
      if (!record) return apiError(404, `sandbox "${id}" not found`);
      if (v2 && connect && method === "POST") return Response.json(connection(record));
      if (!v2 && !connect && method === "GET") return Response.json(info(record));
      if (!v2 && !connect && method === "DELETE") return await kill(record);
      return apiError(404, `no route for ${method} ${pathname}`);
    },
  };
}
