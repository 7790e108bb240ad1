/**
 * Reaching an E2B sandbox from a function: the settings are function secrets read from the
 * environment (never sent by clients), and SDK failures become the bridge's stable errors.
 *
 * - `E2B_API_KEY`: the team's key (hosted E2B).
 * - `E2B_DOMAIN`: a self-hosted E2B domain (optional).
 * - `E2B_API_URL` and `E2B_SANDBOX_URL`: where the control API and every sandbox's envd
 *   answer (a local fake E2B such as the tests' stand-in: the SDK builds `https://` URLs from
 *   a domain, which cannot serve locally).
 *
 * Debug mode (`E2B_DEBUG`) is never used: it skips the control API, so no sandbox's metadata,
 * and therefore its owner, could be checked. The bridge always passes `debug: false`.
 *
 * @module
 */
import { AuthenticationError, NotFoundError, Sandbox } from "e2b";
import { errors, isSyncError } from "../../../../shared/protocol/errors.ts";

/** How the bridge connects to sandboxes. */
export interface E2bSettings {
  readonly apiKey: string | undefined;
  readonly domain: string | undefined;
  readonly apiUrl: string | undefined;
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
    apiUrl: env.get("E2B_API_URL") || undefined,
    sandboxUrl: env.get("E2B_SANDBOX_URL") || undefined,
    requestTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 30_000,
  };
}

function sdkOptions(settings: E2bSettings) {
  if (!settings.apiKey) {
    throw errors.serviceUnavailable("E2B is not configured: set the E2B_API_KEY function secret");
  }
  return {
    apiKey: settings.apiKey,
    domain: settings.domain,
    apiUrl: settings.apiUrl,
    sandboxUrl: settings.sandboxUrl,
    debug: false,
    requestTimeoutMs: settings.requestTimeoutMs,
  };
}

/**
 * Connects to sandbox `sandboxId` (E2B resumes a paused one): call it only after the sandbox's
 * ownership was verified. Unknown sandboxes and missing settings are stable errors.
 */
export async function connectSandbox(settings: E2bSettings, sandboxId: string): Promise<Sandbox> {
  const options = sdkOptions(settings);
  try {
    return await Sandbox.connect(sandboxId, options);
  } catch (error) {
    if (error instanceof NotFoundError) throw errors.sandboxNotFound(sandboxId, error);
    throw sandboxFailure(sandboxId, error);
  }
}

/** E2B's metadata of sandbox `sandboxId` (`Sandbox.getInfo`: no resume, no envd call). */
export async function sandboxMetadata(
  settings: E2bSettings,
  sandboxId: string,
): Promise<Readonly<Record<string, string>>> {
  const options = sdkOptions(settings);
  try {
    return (await Sandbox.getInfo(sandboxId, options)).metadata;
  } catch (error) {
    if (error instanceof NotFoundError) throw errors.sandboxNotFound(sandboxId, error);
    throw sandboxFailure(sandboxId, error);
  }
}

/** Kills sandbox `sandboxId`, best effort (a create whose binding failed cleans up after itself). */
export async function killSandbox(settings: E2bSettings, sandboxId: string): Promise<void> {
  await Sandbox.kill(sandboxId, sdkOptions(settings)).catch(() => false);
}

/** Creates a sandbox from `template` with `metadata`; answers its id. */
export async function createSandbox(
  settings: E2bSettings,
  template: string,
  metadata: Readonly<Record<string, string>>,
): Promise<string> {
  const options = sdkOptions(settings);
  try {
    const sandbox = await Sandbox.create(template, { ...options, metadata: { ...metadata } });
    return sandbox.sandboxId;
  } catch (error) {
    if (isSyncError(error)) throw error;
    if (error instanceof AuthenticationError) {
      throw errors.serviceUnavailable("E2B refused the function's API key", error);
    }
    throw errors.serviceUnavailable(
      `E2B could not create a sandbox from ${JSON.stringify(template)}`,
      error,
    );
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
