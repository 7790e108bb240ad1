/**
 * Reads the per-function settings of `supabase/config.toml` (`[functions.<name>]`) and the
 * functions folder layout, as `supabase functions serve` does.
 *
 * @module
 */
import { parse } from "smol-toml";
import { join } from "node:path";

/** Settings of one function. */
export interface FunctionSettings {
  /** Refuse requests without a valid JWT (the CLI's default is true). */
  readonly verifyJwt: boolean;
}

/** Function names are URL segments: the CLI's rule (letters, digits, `-`, `_`). */
export const FUNCTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Reads `[functions.<name>]` sections of a config.toml text. */
export function parseFunctionSettings(toml: string): Map<string, FunctionSettings> {
  const config = parse(toml) as { functions?: Record<string, { verify_jwt?: unknown }> };
  const settings = new Map<string, FunctionSettings>();
  for (const [name, section] of Object.entries(config.functions ?? {})) {
    settings.set(name, { verifyJwt: section.verify_jwt !== false });
  }
  return settings;
}

/** Whether `supabase/functions/<name>/index.ts` exists (folders starting with `_` are shared code). */
export function functionExists(functionsDir: string, name: string): boolean {
  if (!FUNCTION_NAME.test(name) || name.startsWith("_")) return false;
  try {
    return Deno.statSync(join(functionsDir, name, "index.ts")).isFile;
  } catch {
    return false;
  }
}
