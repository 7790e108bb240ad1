/**
 * Reaching an E2B sandbox from a function: the settings are function secrets read from the
 * environment (never sent by clients), and SDK failures become the bridge's stable errors.
 *
 * - `E2B_API_KEY`: the team's key (hosted E2B).
 * - `E2B_DOMAIN`: a self-hosted E2B domain (optional).
 * - `E2B_DEBUG=true` with `E2B_SANDBOX_URL`: no control-plane call; every sandbox's envd is at
 *   that URL, named by the `E2b-Sandbox-Id` header (the local tests' envd stand-in).
 *
 * @module
 */
import { AuthenticationError, NotFoundError, Sandbox } from "e2b";
import { errors, isSyncError } from "../../../shared/errors.ts";

/** How the bridge connects to sandboxes. */
export interface E2bSettings {
  readonly apiKey: string | undefined;
  readonly domain: string | undefined;
  readonly debug: boolean;
  readonly sandboxUrl: string | undefined;
  /** Per-request timeout of SDK calls (default 30 s). */
  readonly requestTimeoutMs: number;
}

/** Reads {@linkcode E2bSettings} from the function's environment. */
export function e2bSettingsFromEnv(
  env: { get(name: string): string | undefined } = Deno.env,
): E2bSettings {
  const timeout = Number(env.get("E2B_REQUEST_TIMEOUT_MS") ?? "");
  return {
    apiKey: env.get("E2B_API_KEY") || undefined,
    domain: env.get("E2B_DOMAIN") || undefined,
    debug: env.get("E2B_DEBUG") === "true" || env.get("E2B_DEBUG") === "1",
    sandboxUrl: env.get("E2B_SANDBOX_URL") || undefined,
    requestTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 30_000,
  };
}

/** Connects to sandbox `sandboxId`; unknown sandboxes and missing settings are stable errors. */
export async function connectSandbox(settings: E2bSettings, sandboxId: string): Promise<Sandbox> {
  if (!settings.debug && !settings.apiKey) {
    throw errors.serviceUnavailable("E2B is not configured: set the E2B_API_KEY function secret");
  }
  try {
    return await Sandbox.connect(sandboxId, {
      apiKey: settings.apiKey,
      domain: settings.domain,
      debug: settings.debug,
      sandboxUrl: settings.sandboxUrl,
      requestTimeoutMs: settings.requestTimeoutMs,
    });
  } catch (error) {
    if (error instanceof NotFoundError) throw errors.sandboxNotFound(sandboxId, error);
    throw sandboxFailure(sandboxId, error);
  }
}

/**
 * A failure talking to a connected sandbox as a stable error: a rejected key is
 * `service_unavailable` (the function's configuration, not the caller's fault); everything else
 * (timeouts, refused connections, a sandbox killed mid-call, E2B's proxy answering 502 for a
 * sandbox that is gone: `SandboxNotFoundError` included) is `sandbox_unavailable`, because the
 * sandbox was there when the operation began. SyncErrors pass through.
 */
export function sandboxFailure(sandboxId: string, error: unknown): unknown {
  if (isSyncError(error)) return error;
  if (error instanceof AuthenticationError) {
    return errors.serviceUnavailable("E2B refused the function's API key", error);
  }
  return errors.sandboxUnavailable(sandboxId, error);
}
