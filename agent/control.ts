/**
 * The daemon's control socket: a Unix socket in the root's state directory (state_home.ts)
 * through which other `sandsync` commands reach the live daemon instead of touching its state
 * behind its back. One request per connection, one JSON line each way:
 *
 * - `{ op: "status" }` → the daemon's {@linkcode DaemonReport};
 * - `{ op: "run", confirmDeletes?, rejectDeletes? }` → the outcome of a run that started
 *   after the request (`flush`, `sync`, the delete decisions, a `resolve` or `restore` that
 *   needs its commit applied here); while the daemon backs off after a failure, the answer is
 *   that failure at once (and the daemon retries now).
 *
 * A socket nobody listens on (left by a killed daemon) reads as "no daemon"; the next daemon,
 * holding the directory lock, replaces it.
 *
 * @module
 */
import type { SyncOutcome } from "./sync_engine.ts";

/** What a daemon is doing (see docs/agent.md, "The daemon"). */
export type DaemonPhase = "starting" | "idle" | "running" | "backoff" | "stopping";

/** A failure as the daemon reports it. */
export interface DaemonError {
  readonly message: string;
  readonly code: string | null;
  readonly status: number | null;
  /** True for a failure no retry fixes (credentials revoked, workspace deleted, bad input). */
  readonly permanent: boolean;
  readonly at: string;
}

/** The daemon's live state. */
export interface DaemonReport {
  readonly pid: number;
  readonly phase: DaemonPhase;
  readonly since: string;
  readonly lastRunAt: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastError: DaemonError | null;
  /** Runs that failed in a row. */
  readonly failures: number;
  /** Local changes not committed yet. */
  readonly pending: number;
  readonly heldDeletes: number;
  /** The journal cursor applied here. */
  readonly cursor: number | null;
  /** The newest journal cursor the daemon saw on the server. */
  readonly serverCursor: number | null;
  /** `serverCursor - cursor`: journal entries not applied here yet. */
  readonly lag: number | null;
}

/** A request to the daemon. */
export type ControlRequest =
  | { readonly op: "status" }
  | { readonly op: "run"; readonly confirmDeletes?: boolean; readonly rejectDeletes?: boolean };

/** The daemon's answer. */
export type ControlResponse =
  | { readonly ok: true; readonly report: DaemonReport; readonly outcome?: SyncOutcome }
  | { readonly ok: false; readonly report: DaemonReport; readonly error: DaemonError };

/** Serves the control socket at `path` until `close()`. */
export class ControlServer {
  readonly #listener: Deno.Listener;
  readonly #done: Promise<void>;

  private constructor(listener: Deno.Listener, handle: (r: ControlRequest) => Promise<unknown>) {
    this.#listener = listener;
    this.#done = (async () => {
      for await (const conn of listener) void serve(conn, handle);
    })().catch(() => {});
  }

  /** Listens at `path` (replacing a stale socket: the caller holds the directory lock). */
  static start(path: string, handle: (r: ControlRequest) => Promise<unknown>): ControlServer {
    try {
      Deno.removeSync(path);
    } catch { /* none */ }
    const listener = Deno.listen({ transport: "unix", path });
    try {
      Deno.chmodSync(path, 0o600);
    } catch { /* best effort */ }
    return new ControlServer(listener, handle);
  }

  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch { /* closed */ }
    await this.#done;
  }
}

async function serve(conn: Deno.Conn, handle: (r: ControlRequest) => Promise<unknown>) {
  try {
    const line = await readLine(conn);
    let answer: unknown;
    try {
      answer = await handle(JSON.parse(line) as ControlRequest);
    } catch (error) {
      answer = { ok: false, error: { message: String(error), code: null, status: null } };
    }
    await writeAll(conn, new TextEncoder().encode(`${JSON.stringify(answer)}\n`));
  } catch {
    /* the client went away */
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

/**
 * Sends `request` to the daemon listening at `path`; `undefined` when none listens. Rejects
 * when the daemon does not answer within `timeoutMs`.
 */
export async function askDaemon(
  path: string,
  request: ControlRequest,
  timeoutMs = 120_000,
): Promise<ControlResponse | undefined> {
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path });
  } catch {
    return undefined; // no socket, or nobody listening (a killed daemon's leftover)
  }
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    await writeAll(conn, new TextEncoder().encode(`${JSON.stringify(request)}\n`));
    const line = await readLine(conn);
    return JSON.parse(line) as ControlResponse;
  } catch (error) {
    throw new Error(`the sandsync daemon did not answer within ${timeoutMs} ms (${error})`);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array) {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

async function readLine(conn: Deno.Conn): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) break;
    const chunk = buffer.slice(0, n);
    chunks.push(chunk);
    if (chunk.includes(10)) break;
  }
  const text = new TextDecoder().decode(concat(chunks));
  const end = text.indexOf("\n");
  if (end < 0 && text.length === 0) throw new Error("connection closed");
  return end < 0 ? text : text.slice(0, end);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
