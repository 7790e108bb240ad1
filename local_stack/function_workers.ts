/**
 * Runs each Edge Function in its own Deno process, as the edge runtime isolates functions: the
 * worker is started on first request with `deno run --watch` (a file change restarts it, so edits
 * are picked up without restarting the stack) and the environment a hosted function receives.
 *
 * @module
 */
import { join } from "node:path";
import { freePort } from "./ports.ts";

/** Options for {@linkcode FunctionWorkers}. */
export interface FunctionWorkersOptions {
  /** `supabase/functions`. */
  readonly functionsDir: string;
  /** Working directory for workers (the repository root, so its deno.json applies). */
  readonly cwd: string;
  /** Environment every function receives (SUPABASE_URL, keys, secrets from .env). */
  readonly env: () => Record<string, string>;
  /**
   * When set, each worker's output also goes to `<logDir>/<name>.log` (the hosted dashboard's
   * function logs, for tests that read what a function logged).
   */
  readonly logDir?: string;
}

interface Worker {
  readonly port: number;
  readonly process: Deno.ChildProcess;
  exited: boolean;
}

/** Variables a worker process needs from ours to run Deno at all (cache, npm, paths). */
const PASS_THROUGH = ["PATH", "HOME", "DENO_DIR", "TMPDIR", "NPM_CONFIG_REGISTRY", "LANG"];

/** Starts, proxies to and stops one worker process per function. */
export class FunctionWorkers {
  readonly #options: FunctionWorkersOptions;
  readonly #workers = new Map<string, Promise<Worker>>();
  #closed = false;

  constructor(options: FunctionWorkersOptions) {
    this.#options = options;
  }

  /** Forwards `request` to the worker of `name`, starting it when needed. */
  async fetch(name: string, request: Request, path: string): Promise<Response> {
    // Retries cover a worker restarting after a file change (`--watch`): its port is briefly closed.
    const body = request.body ? await request.arrayBuffer() : undefined;
    const deadline = Date.now() + 15_000;
    for (let attempt = 0;; attempt++) {
      const worker = await this.#worker(name);
      const url = `http://127.0.0.1:${worker.port}${path}`;
      try {
        return await fetch(url, {
          method: request.method,
          headers: request.headers,
          body,
          redirect: "manual",
        });
      } catch (error) {
        if (Date.now() > deadline) throw error;
        if (worker.exited) this.#workers.delete(name);
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 500)));
      }
    }
  }

  #worker(name: string): Promise<Worker> {
    if (this.#closed) return Promise.reject(new Error("Function workers are shut down"));
    let worker = this.#workers.get(name);
    if (!worker) {
      worker = this.#start(name);
      this.#workers.set(name, worker);
      worker.catch(() => this.#workers.delete(name));
    }
    return worker;
  }

  async #start(name: string): Promise<Worker> {
    const port = await freePort();
    const env: Record<string, string> = {};
    for (const key of PASS_THROUGH) {
      const value = Deno.env.get(key);
      if (value !== undefined) env[key] = value;
    }
    Object.assign(env, this.#options.env(), {
      DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${port}`,
      DENO_NO_UPDATE_CHECK: "1",
      SB_FUNCTION_NAME: name,
    });
    const process = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--watch",
        "--no-clear-screen",
        join(this.#options.functionsDir, name, "index.ts"),
      ],
      cwd: this.#options.cwd,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: this.#options.logDir ? "piped" : "inherit",
      stderr: this.#options.logDir ? "piped" : "inherit",
    }).spawn();
    if (this.#options.logDir) await teeOutput(process, join(this.#options.logDir, `${name}.log`));
    const worker: Worker = { port, process, exited: false };
    process.status.then(() => {
      worker.exited = true;
      this.#workers.delete(name);
    });
    await waitForPort(port, () => worker.exited, name);
    return worker;
  }

  /** Stops every worker and waits for them to exit. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = await Promise.allSettled(this.#workers.values());
    this.#workers.clear();
    await Promise.all(workers.map(async (result) => {
      if (result.status !== "fulfilled") return;
      const { process } = result.value;
      try {
        process.kill("SIGTERM");
      } catch { /* already exited */ }
      await process.status;
    }));
  }
}

/** Copies a worker's stdout and stderr to ours and appends both to `file`. */
async function teeOutput(process: Deno.ChildProcess, file: string): Promise<void> {
  await Deno.mkdir(join(file, ".."), { recursive: true });
  const log = await Deno.open(file, { create: true, append: true });
  const writeAll = async (out: { write(p: Uint8Array): Promise<number> }, chunk: Uint8Array) => {
    for (let at = 0; at < chunk.byteLength;) at += await out.write(chunk.subarray(at));
  };
  const copy = async (stream: ReadableStream<Uint8Array>, out: typeof Deno.stdout) => {
    for await (const chunk of stream) {
      await writeAll(log, chunk);
      await writeAll(out, chunk);
    }
  };
  Promise.all([copy(process.stdout, Deno.stdout), copy(process.stderr, Deno.stderr)])
    .catch(() => {})
    .finally(() => log.close());
}

async function waitForPort(port: number, exited: () => boolean, name: string): Promise<void> {
  const deadline = Date.now() + 60_000; // a first start may download npm packages
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`Function "${name}" exited during start-up`);
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(`Function "${name}" did not start within 60 s`);
}
