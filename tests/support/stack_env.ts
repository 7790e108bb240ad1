/**
 * What integration tests know about the stack they run against: read from the env file that
 * `deno task test` (or `deno task start`) wrote, named by `SANDSYNC_ENV_FILE`.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDotenv } from "../../local_stack/dotenv.ts";

/** URLs and keys of a running local stack. */
export interface StackEnv {
  readonly apiUrl: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  readonly dbUrl: string;
  readonly jwtSecret: string;
}

/** Parses the env file's dotenv text. */
export const parseEnvFile = parseDotenv;

/** Loads the running stack's env file (`SANDSYNC_ENV_FILE`, default `.local/stack.env`). */
export function loadStackEnv(): StackEnv {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const file = Deno.env.get("SANDSYNC_ENV_FILE") ?? join(root, ".local", "stack.env");
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch {
    throw new Error(
      `No running stack: cannot read "${file}"; run integration tests through \`deno task test\``,
    );
  }
  const env = parseEnvFile(text);
  const need = (key: string) => {
    const value = env[key];
    if (!value) throw new Error(`Env file "${file}" lacks ${key}`);
    return value;
  };
  return {
    apiUrl: need("SUPABASE_URL"),
    anonKey: need("SUPABASE_ANON_KEY"),
    serviceRoleKey: need("SUPABASE_SERVICE_ROLE_KEY"),
    dbUrl: need("SUPABASE_DB_URL"),
    jwtSecret: need("JWT_SECRET"),
  };
}
