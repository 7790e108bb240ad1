/**
 * What every envd handler of the stand-in knows about a call: which sandbox it addresses
 * (from the `E2b-Sandbox-Id` header), as which user (envd's `Authorization: Basic <user>:`
 * header or `username` query), and how to turn the paths it names into host paths.
 *
 * @module
 */
import type { CallContext } from "./connect_protocol.ts";
import { ConnectError } from "./connect_protocol.ts";
import {
  homeOf,
  normalizeSandboxPath,
  PathEscapeError,
  type ResolvedPath,
  resolveSandboxPath,
  SymlinkLoopError,
} from "./sandbox_paths.ts";

/** The user envd acts as when a request names none (E2B templates run as `user`). */
export const DEFAULT_USER = "user";

/** One call to one sandbox. */
export interface SandboxCall extends CallContext {
  readonly sandboxId: string;
  /** Host directory holding the sandbox's `/`. */
  readonly sandboxRoot: string;
  readonly user: string;
}

/** The user named by `Authorization: Basic base64(user:)`, else {@link DEFAULT_USER}. */
export function userFromHeaders(headers: Headers): string {
  const authorization = headers.get("authorization") ?? "";
  const match = /^Basic\s+(\S+)$/i.exec(authorization);
  if (!match) return DEFAULT_USER;
  try {
    const user = atob(match[1]!).split(":")[0] ?? "";
    return user === "" ? DEFAULT_USER : user;
  } catch {
    return DEFAULT_USER;
  }
}

/** True for user names envd could look up (the stand-in knows every well-formed name). */
export function isValidUser(user: string): boolean {
  return /^[a-z_][a-z0-9_-]{0,31}$/.test(user);
}

/**
 * Resolves a path named by the call (relative paths are relative to the user's home).
 * Escapes become `invalid_argument`, as envd reports a path it cannot resolve.
 */
export async function resolveForCall(
  call: SandboxCall,
  path: string,
  options: { followLast: boolean },
): Promise<ResolvedPath> {
  try {
    const normalized = normalizeSandboxPath(path, homeOf(call.user));
    return await resolveSandboxPath(call.sandboxRoot, normalized, options);
  } catch (error) {
    if (error instanceof PathEscapeError) throw new ConnectError("invalid_argument", error.message);
    if (error instanceof SymlinkLoopError) {
      throw new ConnectError("failed_precondition", error.message);
    }
    throw error;
  }
}
