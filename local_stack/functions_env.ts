/**
 * Function secrets for test and benchmark stacks: the developer's `supabase/functions/.env`
 * (if any) with the E2B settings replaced so the `e2b-bridge` and `workspaces` functions talk
 * to a fake E2B on a fixed local port (control API and envd in one process, no E2B account):
 * `E2B_API_URL` and `E2B_SANDBOX_URL` both name it, `E2B_API_KEY` is its first test key and
 * `E2B_DEBUG` is unset (debug mode skips the control API, so ownership could not be checked).
 * Whoever listens on that port is "E2B": each bridge test starts `tests/e2b_standin` there
 * for as long as it runs.
 *
 * @module
 */
import { STANDIN_API_KEY } from "../tests/e2b_standin/control_api.ts";
import { formatDotenv, parseDotenv } from "./dotenv.ts";
import { freePort } from "./ports.ts";

/** What {@linkcode writeStandinFunctionsEnv} wrote. */
export interface StandinFunctionsEnv {
  /** The dotenv file for `StackConfig.functionsEnvFile`. */
  readonly file: string;
  /** Where the functions expect E2B (`E2B_API_URL` = `E2B_SANDBOX_URL`). */
  readonly sandboxUrl: string;
  /** The `E2B_API_KEY` the functions use. */
  readonly apiKey: string;
}

/**
 * Writes `file`: the secrets of `baseFile` (when it exists) without its E2B settings, plus
 * `E2B_API_URL` and `E2B_SANDBOX_URL` (`http://127.0.0.1:<port>`, a free port unless given),
 * the stand-in's `E2B_API_KEY` and `SANDSYNC_BRIDGE_PAGE_FILES` (default 250 here; the
 * function's own default is 1000).
 */
export async function writeStandinFunctionsEnv(
  file: string,
  options: { readonly baseFile?: string; readonly port?: number; readonly pageFiles?: number } = {},
): Promise<StandinFunctionsEnv> {
  let base: Record<string, string> = {};
  if (options.baseFile) {
    base = parseDotenv(await Deno.readTextFile(options.baseFile).catch(() => ""));
  }
  for (const name of ["E2B_API_KEY", "E2B_DEBUG", "E2B_DOMAIN", "E2B_API_URL"]) delete base[name];
  const sandboxUrl = `http://127.0.0.1:${options.port ?? await freePort()}`;
  const values = {
    ...base,
    E2B_API_URL: sandboxUrl,
    E2B_SANDBOX_URL: sandboxUrl,
    E2B_API_KEY: STANDIN_API_KEY,
    // Small pages, so bridge tests exercise paging with trees of a few hundred files.
    SANDSYNC_BRIDGE_PAGE_FILES: options.pageFiles === undefined ? "250" : String(options.pageFiles),
  };
  await Deno.writeTextFile(file, formatDotenv(values), { mode: 0o600 });
  return { file, sandboxUrl, apiKey: STANDIN_API_KEY };
}
