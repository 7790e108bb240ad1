/**
 * What the stack's functions logged: each worker's output goes to `<FUNCTIONS_LOG_DIR>/<name>.log`
 * (`local_stack/function_workers.ts`), as the hosted dashboard keeps function logs. Tests read
 * the JSON lines a function printed, such as the bridge's per-page usage.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDotenv } from "../../local_stack/dotenv.ts";

/** The JSON objects of a function's log lines (other lines skipped), oldest first. */
export async function functionLogObjects(name: string): Promise<Record<string, unknown>[]> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const envFile = Deno.env.get("SANDSYNC_ENV_FILE") ?? join(root, ".local", "stack.env");
  const dir = parseDotenv(await Deno.readTextFile(envFile)).FUNCTIONS_LOG_DIR;
  if (!dir) throw new Error(`The stack's env file "${envFile}" names no FUNCTIONS_LOG_DIR`);
  const text = await Deno.readTextFile(join(dir, `${name}.log`)).catch(() => "");
  const objects: Record<string, unknown>[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      objects.push(JSON.parse(line));
    } catch { /* a line that only looks like JSON */ }
  }
  return objects;
}

/**
 * Waits (up to `timeoutMs`) until `pick` selects at least `count` log objects of function
 * `name` (the worker's output reaches the file a moment after its answer), and answers them.
 */
export async function waitForLogObjects(
  name: string,
  pick: (object: Record<string, unknown>) => boolean,
  count: number,
  timeoutMs = 5000,
): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await functionLogObjects(name)).filter(pick);
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
