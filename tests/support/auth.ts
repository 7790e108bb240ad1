/**
 * Helpers for the Auth API's integration tests: supabase-js clients that keep their session in
 * memory, unique addresses, decoded access tokens, and a second Auth API over the stack's
 * database with its own settings and clock (GoTrue configured differently, same data), for the
 * tests where lifetimes matter.
 *
 * @module
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { createAuthApi } from "../../local_stack/auth/mod.ts";
import { type AuthSettings, DEFAULT_AUTH_SETTINGS } from "../../local_stack/auth/settings.ts";
import { loadStackEnv, type StackEnv } from "./stack_env.ts";

/** A supabase-js client of the stack at `apiUrl` whose session lives in memory only. */
export function authClient(env: StackEnv, apiUrl = env.apiUrl): SupabaseClient {
  return createClient(apiUrl, env.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}

/** An address no other test uses. */
export function newEmail(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}@auth.test`;
}

/** The claims of a JWT, unverified. */
export function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  const base64 = payload.replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "=")));
}

/** A second Auth API on a free port, with `settings` and a clock the test moves. */
export interface SideAuth {
  readonly env: StackEnv;
  readonly apiUrl: string;
  /** Moves the server's clock forward. */
  advance(seconds: number): void;
  close(): Promise<void>;
}

/** Starts a {@linkcode SideAuth} over the running stack's database and secret. */
export async function startSideAuth(settings: Partial<AuthSettings>): Promise<SideAuth> {
  const env = loadStackEnv();
  let offsetMs = 0;
  let handler: (request: Request) => Promise<Response> = () =>
    Promise.resolve(new Response(null, { status: 503 }));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => handler(request),
  );
  const apiUrl = `http://127.0.0.1:${server.addr.port}`;
  const api = await createAuthApi({
    dbUrl: env.dbUrl,
    jwtSecret: env.jwtSecret,
    apiUrl,
    settings: { ...DEFAULT_AUTH_SETTINGS, ...settings },
    now: () => new Date(Date.now() + offsetMs),
  });
  handler = (request) => api.fetch(request);
  return {
    env,
    apiUrl,
    advance: (seconds) => offsetMs += seconds * 1000,
    close: async () => {
      await server.shutdown();
      await api.close();
    },
  };
}

/** POSTs JSON to `<apiUrl>/auth/v1<path>` and parses the answer. */
export async function authPost(
  apiUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${apiUrl}/auth/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
}
