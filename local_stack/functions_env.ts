/**
 * Function secrets for test and benchmark stacks: the developer's `supabase/functions/.env`
 * (if any) with the E2B settings replaced so the `e2b-bridge` function talks to an envd
 * stand-in on a fixed local port (debug mode, no E2B account). Whoever listens on that port is
 * "the sandbox": each bridge test starts `tests/e2b_standin` there for as long as it runs.
 *
 * @module
 */
import { formatDotenv, parseDotenv } from "./dotenv.ts";
import { freePort } from "./ports.ts";

/** What {@linkcode writeStandinFunctionsEnv} wrote. */
export interface StandinFunctionsEnv {
  /** The dotenv file for `StackConfig.functionsEnvFile`. */
  readonly file: string;
  /** Where the bridge expects envd (`E2B_SANDBOX_URL`). */
  readonly sandboxUrl: string;
}

/**
 * Writes `file`: the secrets of `baseFile` (when it exists) without `E2B_API_KEY`, plus
 * `E2B_DEBUG=true`, `E2B_SANDBOX_URL=http://127.0.0.1:<port>` (a free port unless given) and
 * `SANDSYNC_BRIDGE_PAGE_FILES` (default 250 here; the function's own default is 1000).
 */
export async function writeStandinFunctionsEnv(
  file: string,
  options: { readonly baseFile?: string; readonly port?: number; readonly pageFiles?: number } = {},
): Promise<StandinFunctionsEnv> {
  let base: Record<string, string> = {};
  if (options.baseFile) {
    base = parseDotenv(await Deno.readTextFile(options.baseFile).catch(() => ""));
  }
  delete base.E2B_API_KEY;
  const sandboxUrl = `http://127.0.0.1:${options.port ?? await freePort()}`;
  const values = {
    ...base,
    E2B_DEBUG: "true",
    E2B_SANDBOX_URL: sandboxUrl,
    // Small pages, so bridge tests exercise paging with trees of a few hundred files.
    SANDSYNC_BRIDGE_PAGE_FILES: options.pageFiles === undefined ? "250" : String(options.pageFiles),
  };
  await Deno.writeTextFile(file, formatDotenv(values), { mode: 0o600 });
  return { file, sandboxUrl };
}
