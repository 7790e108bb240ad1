/**
 * Helpers for the e2b-bridge integration tests: the bridge function runs in the local stack
 * and reaches E2B at `E2B_API_URL` / `E2B_SANDBOX_URL`, read from the stack's function secrets
 * (`FUNCTIONS_ENV_FILE` in the stack env file; `deno task test` writes one pointing at a free
 * port). Each test starts the stand-in (a whole fake E2B) on that port over a temp directory
 * for as long as it runs, and creates its sandboxes through the stand-in's control API with
 * the ownership metadata, so the unmodified `e2b` SDK inside the function is exercised end to
 * end, control API included.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { Sandbox } from "e2b";
import postgres from "postgres";
import { parseDotenv } from "../../local_stack/dotenv.ts";
import { STANDIN_API_KEY } from "../e2b_standin/control_api.ts";
import { type EnvdStandin, startEnvdStandin } from "../e2b_standin/standin.ts";
import { type ApiClient, newUser, newWorkspace } from "../support/api.ts";
import type { StackEnv } from "../support/stack_env.ts";

/** The sandbox root the tests sync. */
export const ROOT = "/home/user/project";

/** Where the bridge function expects envd: the port the stand-in must listen on. */
export function sandboxPort(): number {
  const file = Deno.env.get("SANDSYNC_ENV_FILE");
  const stackFile = file ?? join(Deno.cwd(), ".local", "stack.env");
  const stack = parseDotenv(Deno.readTextFileSync(stackFile));
  const secretsFile = stack.FUNCTIONS_ENV_FILE;
  const secrets = secretsFile ? parseDotenv(Deno.readTextFileSync(secretsFile)) : {};
  const url = secrets.E2B_SANDBOX_URL;
  if (!url || secrets.E2B_API_URL !== url || secrets.E2B_DEBUG) {
    throw new Error(
      `The stack's function secrets (${secretsFile}) lack E2B_API_URL = E2B_SANDBOX_URL ` +
        "(and E2B_DEBUG unset): run through `deno task test`, or start the stack with " +
        "SANDSYNC_FUNCTIONS_ENV_FILE set",
    );
  }
  return Number(new URL(url).port);
}

/**
 * Creates a sandbox through the stand-in's control API (the real SDK, as a user's own code
 * would) with `metadata`; answers its id and the host directory of its `/`.
 */
export async function createE2bSandbox(
  standin: EnvdStandin,
  metadata: Record<string, string>,
  apiKey = STANDIN_API_KEY,
): Promise<{ id: string; dir: string }> {
  const sandbox = await Sandbox.create("base", {
    apiKey,
    apiUrl: standin.url,
    sandboxUrl: standin.url,
    debug: false,
    metadata,
  });
  return { id: sandbox.sandboxId, dir: standin.sandboxDir(sandbox.sandboxId) };
}

/** Binds sandbox `id` to the workspace directly in the database (test setup, not the API). */
export async function bindSandbox(sql: postgres.Sql, workspaceId: string, id: string | null) {
  await sql`update sandsync.workspaces set sandbox_id = ${id} where id = ${workspaceId}`;
}

/** What a bridge test gets. */
export interface BridgeFixture {
  readonly env: StackEnv;
  readonly client: ApiClient;
  readonly userId: string;
  readonly workspaceId: string;
  /** The agent-kind replica of the workspace (for racing commits). */
  readonly replicaId: string;
  readonly standin: EnvdStandin;
  readonly sql: postgres.Sql;
  /**
   * Creates a sandbox owned by the user for the workspace (E2B metadata) and binds it to the
   * workspace; returns its id and the host path of its project root.
   */
  sandbox(files?: Record<string, string | Uint8Array>): Promise<{ id: string; root: string }>;
  /** Binds an earlier sandbox of this fixture to the workspace again. */
  use(id: string): Promise<void>;
}

/** Runs `work` with a stand-in on the bridge's port, a user and a workspace. */
export async function withBridge(
  work: (fixture: BridgeFixture) => Promise<void>,
  options: { strategy?: string; port?: number } = {},
): Promise<void> {
  const temp = await Deno.makeTempDir({ prefix: "bridge-test-" });
  const standin = await startEnvdStandin({ root: temp, port: options.port ?? sandboxPort() });
  const { client, env, id: userId } = await newUser("bridge");
  const { workspaceId, replicas } = await newWorkspace(client, { strategy: options.strategy });
  const sql = postgres(env.dbUrl, { max: 2, onnotice: () => {} });
  try {
    await work({
      env,
      client,
      userId,
      workspaceId,
      replicaId: replicas[0]!,
      standin,
      sql,
      async sandbox(files = {}) {
        const { id, dir } = await createE2bSandbox(standin, {
          sandsync_owner: userId,
          sandsync_workspace: workspaceId,
        });
        await bindSandbox(sql, workspaceId, id);
        const root = join(dir, ROOT);
        await Deno.mkdir(root, { recursive: true });
        await writeTree(root, files);
        return { id, root };
      },
      use: (id) => bindSandbox(sql, workspaceId, id),
    });
  } finally {
    await sql.end();
    await standin.close();
    await Deno.remove(temp, { recursive: true });
  }
}

/** Writes files (relative paths) under `root`. */
export async function writeTree(root: string, files: Record<string, string | Uint8Array>) {
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    await Deno.mkdir(dirname(file), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(file, content);
    else await Deno.writeFile(file, content);
  }
}

/** SHA-256 of every regular file under `root` (relative path → hash), `.sandsync/` excluded. */
export async function treeHashes(root: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  const walk = async (dir: string, prefix: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory && path !== ".sandsync") await walk(join(dir, entry.name), path);
      else if (entry.isFile) hashes.set(path, sha256(await Deno.readFile(join(dir, entry.name))));
    }
  };
  await walk(root, "");
  return hashes;
}

/** SHA-256 hex. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A bridge answer with the fields the tests read. */
export interface BridgePage {
  done: boolean;
  cursor: string | null;
  replicaId: string;
  pulled: number;
  skipped: number;
  deleted: number;
  /** Restore/push: removals held by the mass-delete guard. */
  heldDeletes?: number;
  written: number;
  bytes: number;
  refused: { path: string; reason: string }[];
  commit: { outcomes: Record<string, number>; conflicts: { path: string }[] } | null;
  checkpoint?: { name: string; seq: number } | null;
  manifest?: string | null;
  seq?: number;
}

/** Calls `e2b-bridge/<op>` page by page until done; returns the pages and their sums. */
export async function runAll(
  client: ApiClient,
  op: "pull" | "restore" | "push" | "snapshot",
  body: Record<string, unknown>,
): Promise<{ pages: BridgePage[]; pulled: number; bytes: number; written: number }> {
  const pages: BridgePage[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const answer = await client.call<BridgePage>("POST", `e2b-bridge/${op}`, { ...body, cursor });
    if (answer.status !== 200) {
      throw new Error(`${op} page ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    pages.push(answer.body);
    if (answer.body.done) break;
    cursor = answer.body.cursor ?? undefined;
  }
  const sum = (key: "pulled" | "bytes" | "written") =>
    pages.reduce((total, page) => total + (page[key] ?? 0), 0);
  return { pages, pulled: sum("pulled"), bytes: sum("bytes"), written: sum("written") };
}

/** Live files of a workspace in the database: path → sha256. */
export async function workspaceFiles(
  sql: postgres.Sql,
  workspaceId: string,
): Promise<Map<string, string>> {
  const rows = await sql<{ path: string; sha256: string }[]>`
    select path, sha256 from sandsync.files where workspace_id = ${workspaceId} and not deleted`;
  return new Map(rows.map((row) => [row.path, row.sha256]));
}

/** How many objects the owner holds in the sync bucket. */
export async function storedObjects(sql: postgres.Sql, ownerId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from storage.objects
    where bucket_id = 'sandsync' and name like ${ownerId + "/%"}`;
  return row?.n ?? 0;
}
