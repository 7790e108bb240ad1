/**
 * The local stack's settings: the Supabase CLI's local defaults, each overridable by an
 * environment variable so that several stacks (a developer's, the tests') can run side by side.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The Supabase CLI's well-known local JWT secret. */
export const DEFAULT_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

/** Everything the stack needs to start; see {@linkcode loadStackConfig}. */
export interface StackConfig {
  /** Repository root (holds `supabase/`). */
  readonly rootDir: string;
  /** Host the API binds to and advertises. */
  readonly host: string;
  /** API port (Storage and Functions behind one base URL); 0 picks a free one. */
  readonly apiPort: number;
  /** Preferred Postgres port for the ephemeral cluster; 0 or a busy port picks a free one. */
  readonly dbPort: number;
  /** An existing server to use instead of an ephemeral cluster. */
  readonly databaseUrl: string | undefined;
  /** HS256 secret for every JWT the stack issues and accepts. */
  readonly jwtSecret: string;
  /** Where the cluster's data and Storage's bytes live while the stack runs. */
  readonly stateDir: string;
  /** Where the stack writes its URLs and keys (dotenv format). */
  readonly envFile: string;
  /** Global upload size limit in bytes. */
  readonly fileSizeLimit: number;
  /** Keep the state directory after stopping (default: remove it). */
  readonly keepState: boolean;
  /**
   * Function secrets in dotenv format, read at each worker start (default
   * `supabase/functions/.env`, as `supabase functions serve --env-file` reads). The test runner
   * points this at a file that adds the E2B stand-in's settings.
   */
  readonly functionsEnvFile: string;
  /** Seconds between housekeeping runs (the `housekeeping` function); 0 turns them off. */
  readonly housekeepingSeconds: number;
  /**
   * Overrides of the Auth API's `[auth]` settings: `SANDSYNC_AUTH_JWT_EXPIRY`,
   * `SANDSYNC_AUTH_REFRESH_TOKEN_REUSE_INTERVAL`, `SANDSYNC_AUTH_SIGNING_KEYS`.
   */
  readonly authEnv: Readonly<Record<string, string | undefined>>;
}

const ROOT_DIR = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** Reads the stack's settings from the environment, falling back to the CLI's defaults. */
export function loadStackConfig(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): StackConfig {
  const stateDir = env.SANDSYNC_STATE_DIR ?? join(ROOT_DIR, ".local", "stack");
  return {
    rootDir: ROOT_DIR,
    host: env.SANDSYNC_HOST ?? "127.0.0.1",
    apiPort: parsePort(env.SANDSYNC_API_PORT, 54321, "SANDSYNC_API_PORT"),
    dbPort: parsePort(env.SANDSYNC_DB_PORT, 54322, "SANDSYNC_DB_PORT"),
    databaseUrl: env.DATABASE_URL || undefined,
    jwtSecret: env.SANDSYNC_JWT_SECRET ?? env.JWT_SECRET ?? DEFAULT_JWT_SECRET,
    stateDir,
    envFile: env.SANDSYNC_ENV_FILE ?? join(ROOT_DIR, ".local", "stack.env"),
    fileSizeLimit: parseSize(env.SANDSYNC_FILE_SIZE_LIMIT ?? "10GiB"),
    keepState: env.SANDSYNC_KEEP_STATE === "1",
    functionsEnvFile: env.SANDSYNC_FUNCTIONS_ENV_FILE ??
      join(ROOT_DIR, "supabase", "functions", ".env"),
    housekeepingSeconds: parseSeconds(env.SANDSYNC_HOUSEKEEPING_SECONDS, 300),
    authEnv: Object.fromEntries(
      Object.entries(env).filter(([name]) => name.startsWith("SANDSYNC_AUTH_")),
    ),
  };
}

function parseSeconds(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(`Invalid SANDSYNC_HOUSEKEEPING_SECONDS: "${value}" is not a number of seconds`);
  }
  return seconds;
}

function parsePort(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Invalid ${name}: "${value}" is not a port number`);
  }
  return port;
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** Parses a size such as `"50MiB"`, `"10GiB"` or `"1048576"` into bytes. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = SIZE_UNITS[(match?.[2] ?? "").toLowerCase()];
  if (!match || unit === undefined) throw new Error(`Invalid size: "${text}"`);
  return Math.floor(Number(match[1]) * unit);
}
