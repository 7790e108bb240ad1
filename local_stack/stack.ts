/**
 * The Docker-free local Supabase stack: Postgres (ephemeral cluster or DATABASE_URL), Supabase
 * bootstrap, migrations through the Supabase CLI, the Auth API, the Storage API and the Edge
 * Functions gateway, all behind one base URL.
 *
 * @module
 */
import { join } from "node:path";
import type { StackConfig } from "./config.ts";
import { applyMigrations, bootstrapDatabase } from "./database.ts";
import { startHousekeeping } from "./housekeeping_timer.ts";
import { formatDotenv, parseDotenv } from "./dotenv.ts";
import { FunctionWorkers } from "./function_workers.ts";
import { functionExists, parseFunctionSettings } from "./functions_config.ts";
import { createGateway } from "./gateway.ts";
import { apiKeys } from "./jwt.ts";
import { freePort, isPortFree } from "./ports.ts";
import { type PostgresCluster, startPostgres } from "./postgres.ts";
import { createStorageApi } from "./storage/mod.ts";
import { createAuthApi, parseAuthSettings } from "./auth/mod.ts";

/** A running stack: what `supabase status` would print, and how to stop it. */
export interface Stack {
  readonly apiUrl: string;
  readonly dbUrl: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  readonly jwtSecret: string;
  readonly storageDir: string;
  readonly envFile: string;
  /** Stops every service and removes the ephemeral state; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the stack described by `config`. */
export async function startStack(config: StackConfig): Promise<Stack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error) => console.error("stack: shutdown step failed:", error));
    }
  };
  try {
    return await start(config, cleanups, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

async function start(
  config: StackConfig,
  cleanups: (() => Promise<void>)[],
  stop: () => Promise<void>,
): Promise<Stack> {
  await claimStateDir(config.stateDir);
  // The postgres user must be able to reach its data dir below ours.
  await Deno.chmod(config.stateDir, 0o755);
  if (!config.keepState) {
    cleanups.push(() => Deno.remove(config.stateDir, { recursive: true }));
  } else cleanups.push(() => Deno.remove(join(config.stateDir, "stack.pid")).catch(() => {}));

  let dbUrl = config.databaseUrl;
  if (!dbUrl) {
    const cluster: PostgresCluster = await startPostgres({
      dataDir: join(config.stateDir, "postgres"),
      port: config.dbPort,
    });
    cleanups.push(() => cluster.stop());
    dbUrl = cluster.url;
  }
  await bootstrapDatabase(dbUrl);
  await applyMigrations(dbUrl, config.rootDir);

  const apiPort = await choosePort(config.apiPort);
  const apiUrl = `http://${config.host}:${apiPort}`;
  const keys = await apiKeys(config.jwtSecret);
  const storageDir = join(config.stateDir, "storage");
  const storage = await createStorageApi({
    dbUrl,
    jwtSecret: config.jwtSecret,
    dataDir: storageDir,
    fileSizeLimit: config.fileSizeLimit,
    publicUrl: apiUrl,
  });
  cleanups.push(() => storage.close());

  const functionsDir = join(config.rootDir, "supabase", "functions");
  const configToml = join(config.rootDir, "supabase", "config.toml");
  const auth = await createAuthApi({
    dbUrl,
    jwtSecret: config.jwtSecret,
    apiUrl,
    settings: parseAuthSettings(await Deno.readTextFile(configToml), {
      env: config.authEnv,
      supabaseDir: join(config.rootDir, "supabase"),
    }),
  });
  cleanups.push(() => auth.close());
  const functionEnv = {
    SUPABASE_URL: apiUrl,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    SUPABASE_DB_URL: dbUrl,
    // Functions verify tokens themselves (whatever `verify_jwt` says); hosted, set as a secret.
    SANDSYNC_JWT_SECRET: config.jwtSecret,
  };
  const workers = new FunctionWorkers({
    functionsDir,
    cwd: config.rootDir,
    // Read per worker start, so secrets added to .env apply on the next (re)start.
    env: () => ({ ...readSecrets(config.functionsEnvFile), ...functionEnv }),
    logDir: join(config.stateDir, "logs"),
  });
  cleanups.push(() => workers.close());

  const gateway = createGateway({
    jwtSecret: config.jwtSecret,
    storage: (request) => storage.fetch(request),
    auth: (request) => auth.fetch(request),
    authKeys: () => auth.publicKeys(),
    invokeFunction: (name, request, path) => workers.fetch(name, request, path),
    functionSettings: (name) => {
      if (!functionExists(functionsDir, name)) return undefined;
      // Re-read per request: config.toml edits apply without a restart, as file edits do.
      const settings = parseFunctionSettings(Deno.readTextFileSync(configToml)).get(name);
      return settings ?? { verifyJwt: true };
    },
  });
  const server = Deno.serve({
    hostname: config.host,
    port: apiPort,
    onListen: () => {},
  }, gateway);
  cleanups.push(async () => {
    // Workers first: a long poll they hold (up to 25 s) would otherwise keep the graceful
    // shutdown waiting; its client gets a 502 and reconnects elsewhere.
    await workers.close();
    await server.shutdown();
  });

  const housekeeping = startHousekeeping({
    apiUrl,
    serviceRoleKey: keys.serviceRoleKey,
    intervalSeconds: config.housekeepingSeconds,
  });
  cleanups.push(() => housekeeping.stop());

  const values = {
    API_URL: apiUrl,
    DB_URL: dbUrl,
    STORAGE_URL: `${apiUrl}/storage/v1`,
    FUNCTIONS_URL: `${apiUrl}/functions/v1`,
    ANON_KEY: keys.anonKey,
    SERVICE_ROLE_KEY: keys.serviceRoleKey,
    JWT_SECRET: config.jwtSecret,
    STORAGE_DIR: storageDir,
    SUPABASE_URL: apiUrl,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    SUPABASE_DB_URL: dbUrl,
    // Where the function secrets come from (tests read the E2B stand-in's address there).
    FUNCTIONS_ENV_FILE: config.functionsEnvFile,
    // Each function's output, `<name>.log` (tests read what a function logged).
    FUNCTIONS_LOG_DIR: join(config.stateDir, "logs"),
  };
  await writeAtomically(config.envFile, formatDotenv(values));
  cleanups.push(() => Deno.remove(config.envFile).catch(() => {}));

  return {
    apiUrl,
    dbUrl,
    anonKey: keys.anonKey,
    serviceRoleKey: keys.serviceRoleKey,
    jwtSecret: config.jwtSecret,
    storageDir,
    envFile: config.envFile,
    stop,
  };
}

/** Refuses to start over a state dir another live stack owns; clears one a dead stack left. */
async function claimStateDir(stateDir: string): Promise<void> {
  const pidFile = join(stateDir, "stack.pid");
  const pid = Number(await Deno.readTextFile(pidFile).catch(() => ""));
  if (pid > 0 && pid !== Deno.pid && isAlive(pid)) {
    throw new Error(
      `Another stack (pid ${pid}) is running with state dir "${stateDir}": stop it, or set SANDSYNC_STATE_DIR`,
    );
  }
  await Deno.remove(stateDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(stateDir, { recursive: true });
  await Deno.writeTextFile(pidFile, String(Deno.pid));
}

function isAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

async function choosePort(preferred: number): Promise<number> {
  if (preferred === 0) return await freePort();
  if (await isPortFree(preferred)) return preferred;
  throw new Error(
    `API port ${preferred} is in use (another stack?): stop it, or set SANDSYNC_API_PORT (0 picks a free port)`,
  );
}

function readSecrets(file: string): Record<string, string> {
  try {
    return parseDotenv(Deno.readTextFileSync(file));
  } catch {
    return {};
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = file.slice(0, file.lastIndexOf("/")) || ".";
  await Deno.mkdir(dir, { recursive: true });
  const temp = `${file}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(temp, text, { mode: 0o600 });
  await Deno.rename(temp, file);
}
