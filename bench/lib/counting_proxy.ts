/**
 * An HTTP proxy for benchmarks that counts every request per endpoint (see endpoint_names.ts)
 * and, in its latency mode, holds each request and each response for a fixed time, so that a
 * local stack answers as a hosted project over the internet would: `delayMs` each way, a round
 * trip of `2 × delayMs` per request. Bandwidth is not limited and new connections pay no
 * handshake: a model of a keep-alive client far away, not of a slow link.
 *
 * Bodies stream both ways and are never buffered whole (a 1 GiB TUS upload or download passes
 * with the pipes' own buffers); headers pass unchanged but the hop-by-hop ones, so
 * `Content-Length`, `Range`/`Content-Range` (206), `Location` and encodings arrive as sent.
 * Client connections stay open between requests (`Deno.serve`, HTTP/1.1), and so do the
 * proxy's connections to the target (a keep-alive `node:http` agent). The upstream side uses
 * `node:http` rather than `fetch` because `fetch` drops `Content-Length` from a streamed body
 * and sends it chunked, which the server would see as a different request.
 *
 * An upstream that cannot be reached answers 502 (counted in `failures`); one that fails in
 * the middle of a body cuts that response, and the proxy keeps serving.
 *
 * Agents need nothing else to send all their traffic here: the client rebases every Storage
 * URL the functions hand out (signed uploads and downloads, TUS endpoints and the upload URLs
 * TUS answers with) onto its own `SUPABASE_URL` (client/storage_url.ts).
 *
 * @module
 */
import http from "node:http";
import { pipeline, Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { endpointName } from "./endpoint_names.ts";

/** Requests per endpoint (`"POST functions/sync/negotiate": 3`), sorted by endpoint. */
export type RequestCounts = Readonly<Record<string, number>>;

/** Sends `request` to `url` upstream and resolves with its response (headers received). */
export type Forward = (request: Request, url: URL) => Promise<Response>;

/** Options of {@linkcode createProxyHandler}. */
export interface ProxyHandlerOptions {
  /** Base URL of the upstream (its origin is used: `http://127.0.0.1:54321`). */
  readonly target: string;
  /** Called with the endpoint of every request, as it arrives. */
  readonly count: (endpoint: string) => void;
  /** Called when an upstream cannot be reached (the 502s). */
  readonly fail?: (error: unknown) => void;
  /** The delay each way, read per request (so it can change while the proxy runs). */
  readonly delayMs?: () => number;
  /** How to wait; a test passes a recording one. Default: `setTimeout`. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** How to reach the upstream. Default: {@linkcode nodeForward} with its own agent. */
  readonly forward?: Forward;
}

/** Headers that belong to one connection, not to the message (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The proxy as a `Deno.serve` handler (testable without a server). */
export function createProxyHandler(
  options: ProxyHandlerOptions,
): (request: Request) => Promise<Response> {
  const origin = new URL(options.target).origin;
  const forward = options.forward ?? nodeForward(new http.Agent({ keepAlive: true }));
  const sleep = options.sleep ?? sleepFor;
  return async (request) => {
    const url = new URL(request.url);
    options.count(endpointName(request.method, url.pathname));
    const delay = options.delayMs?.() ?? 0;
    if (delay > 0) await sleep(delay);
    let response: Response;
    try {
      response = await forward(request, new URL(url.pathname + url.search, origin));
    } catch (error) {
      options.fail?.(error);
      const message = `Cannot reach "${origin}": ${error instanceof Error ? error.message : error}`;
      return Response.json({ code: "bad_gateway", message }, { status: 502 });
    }
    if (delay > 0) await sleep(delay);
    return response;
  };
}

/**
 * A {@linkcode Forward} over `node:http` with `agent`: the request's headers (but hop-by-hop
 * ones) and streamed body go upstream; the response comes back streamed, headers as sent.
 */
export function nodeForward(agent: http.Agent): Forward {
  return (request, url) =>
    new Promise<Response>((resolve, reject) => {
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name)) headers[name] = value;
      });
      const outgoing = http.request(url, { method: request.method, headers, agent }, (incoming) => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (value === undefined || HOP_BY_HOP.has(name)) continue;
          for (const one of Array.isArray(value) ? value : [value]) answer.append(name, one);
        }
        const status = incoming.statusCode ?? 502;
        const bodyless = request.method === "HEAD" || status === 204 || status === 304;
        if (bodyless) incoming.resume();
        resolve(
          new Response(bodyless ? null : Readable.toWeb(incoming) as ReadableStream<Uint8Array>, {
            status,
            statusText: incoming.statusMessage,
            headers: answer,
          }),
        );
      });
      // A client that goes away mid-body cancels the response stream, which destroys
      // `incoming` and its socket; one that goes away before the headers (a long poll) leaves
      // the upstream request to end by itself (`request.signal` would also fire after every
      // complete exchange, which must not cost the pooled connection).
      outgoing.once("error", reject);
      if (!request.body) outgoing.end();
      else {
        const body = Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>);
        pipeline(body, outgoing, (error) => error && outgoing.destroy(error));
      }
    });
}

/** Options of {@linkcode CountingProxy.start}. */
export interface CountingProxyOptions {
  /** Where to forward: the stack's API URL. */
  readonly target: string;
  /** Delay each way in ms (default 0); {@linkcode CountingProxy.delayMs} changes it later. */
  readonly delayMs?: number;
  /** Port on 127.0.0.1 (default: a free one). */
  readonly port?: number;
}

/** A running counting proxy; `url` is what agents use as `SUPABASE_URL`. */
export class CountingProxy {
  readonly url: string;
  /** Delay each way in ms, applied to requests that arrive from now on. */
  delayMs: number;
  /** Requests answered 502 because the upstream could not be reached. */
  failures = 0;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #agent = new http.Agent({ keepAlive: true });
  #counts = new Map<string, number>();

  private constructor(options: CountingProxyOptions) {
    this.delayMs = options.delayMs ?? 0;
    const handler = createProxyHandler({
      target: options.target,
      count: (endpoint) => this.#counts.set(endpoint, (this.#counts.get(endpoint) ?? 0) + 1),
      fail: () => this.failures++,
      delayMs: () => this.delayMs,
      forward: nodeForward(this.#agent),
    });
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {} },
      handler,
    );
    this.url = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** Starts a proxy in front of `options.target`. */
  static start(options: CountingProxyOptions): CountingProxy {
    return new CountingProxy(options);
  }

  /** Requests per endpoint since the start or the last {@linkcode take}. */
  counts(): RequestCounts {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
  }

  /** The counts so far, and a fresh start from zero. */
  take(): RequestCounts {
    const counts = this.counts();
    this.#counts = new Map();
    return counts;
  }

  /** Stops listening, ends open exchanges and closes the upstream connections. */
  async close(): Promise<void> {
    await this.#server.shutdown();
    this.#agent.destroy();
  }
}

/** The sum of requests over every endpoint. */
export function totalRequests(counts: RequestCounts): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** Adds up several runs' counts (e.g. the three syncs of an edit round). */
export function sumCounts(runs: readonly RequestCounts[]): RequestCounts {
  const sum = new Map<string, number>();
  for (const run of runs) {
    for (const [endpoint, n] of Object.entries(run)) {
      sum.set(endpoint, (sum.get(endpoint) ?? 0) + n);
    }
  }
  return Object.fromEntries([...sum].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
}
