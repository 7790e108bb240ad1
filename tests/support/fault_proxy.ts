/**
 * A TCP fault-injection proxy for tests: listens on 127.0.0.1 in front of the stack's API port
 * and, per accepted connection, either passes the bytes through or injects one fault:
 *
 * - `drop`: the connection is reset (RST) as soon as it is accepted, before a byte moves;
 * - `delay`: forwarding starts only after some milliseconds (a slow network or a cold start);
 * - `reset`: the bytes flow until `afterBytes` have moved (both directions counted), then
 *   both sides are reset mid-transfer: an upload's request or a download's body is cut;
 * - `close`: the same cut with a plain close (FIN) instead of a reset, which a client may read
 *   as a clean end of a short response (only framing tells it the body is incomplete).
 *
 * Faults come from an explicit `schedule` (connection number → fault) and from random rates
 * (a seeded PRNG, so a failing run can be replayed from the seed it logs). Injection is
 * bounded: at most `maxFaults` faults, only within `faultWindowMs` of the start, and the proxy
 * closes itself (listener and every connection) after `lifetimeMs`, so a test that forgets to
 * close it cannot hang on it. Once the budget is spent every connection passes cleanly, which
 * is what lets a client that retries finish its run.
 *
 * Built on `node:net` rather than `Deno.listen`: a real RST needs SO_LINGER 0, which only
 * node:net's `resetAndDestroy()` exposes; a plain close sends FIN, which a client reads as a
 * clean (if short) end.
 *
 * @module
 */
import net from "node:net";

/** What happens to one connection. */
export type Fault =
  | { readonly kind: "pass" }
  | { readonly kind: "drop" }
  | { readonly kind: "delay"; readonly ms: number }
  | { readonly kind: "reset"; readonly afterBytes: number }
  | { readonly kind: "close"; readonly afterBytes: number };

/** Options of {@linkcode FaultProxy.start}. */
export interface FaultProxyOptions {
  /** Where to forward: a URL (`http://127.0.0.1:54321`) or a port on 127.0.0.1. */
  readonly target: string | number;
  /** Shares (0..1) of connections dropped, delayed, reset or closed mid-transfer. */
  readonly rates?: {
    readonly drop?: number;
    readonly delay?: number;
    readonly reset?: number;
    readonly close?: number;
  };
  /** Range of a random delay in ms. Default [50, 500]. */
  readonly delayMs?: readonly [number, number];
  /** Range of bytes moved before a random reset or close. Default [1, 1 MiB]. */
  readonly resetAfterBytes?: readonly [number, number];
  /** Faults of the first connections, in accept order (a `pass` skips one); rates after. */
  readonly schedule?: readonly Fault[];
  /** At most this many faults in all (scheduled ones included). Default 25. */
  readonly maxFaults?: number;
  /** Faults only in this many ms after the start. Default: no limit (see `maxFaults`). */
  readonly faultWindowMs?: number;
  /** The proxy closes itself after this many ms. Default 300,000. */
  readonly lifetimeMs?: number;
  /** Seed of the PRNG behind the rates. Default: random (see `seed`). */
  readonly seed?: number;
}

/** Counters of a proxy's life. */
export interface FaultStats {
  connections: number;
  drops: number;
  delays: number;
  resets: number;
  /** Connections closed (FIN) mid-transfer. */
  closes: number;
  /** Periods the listener refused connections ({@linkcode FaultProxy.refuse}). */
  refusals: number;
  /** Bytes forwarded client → server. */
  bytesUp: number;
  /** Bytes forwarded server → client. */
  bytesDown: number;
}

/** A running proxy; `url` is what a client should use instead of the target. */
export class FaultProxy {
  readonly url: string;
  readonly port: number;
  readonly seed: number;
  readonly stats: FaultStats = {
    connections: 0,
    drops: 0,
    delays: 0,
    resets: 0,
    closes: 0,
    refusals: 0,
    bytesUp: 0,
    bytesDown: 0,
  };
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #clients = new Set<net.Socket>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #options: FaultProxyOptions;
  readonly #targetPort: number;
  readonly #started = Date.now();
  readonly #random: () => number;
  #faults = 0;
  #calm = false;
  #closed?: Promise<void>;

  private constructor(
    server: net.Server,
    options: FaultProxyOptions,
    targetPort: number,
    seed: number,
  ) {
    this.#server = server;
    this.#options = options;
    this.#targetPort = targetPort;
    this.seed = seed;
    this.#random = mulberry32(seed);
    this.port = (server.address() as net.AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    server.on("connection", (socket) => this.#accept(socket));
    this.#later(() => void this.close(), options.lifetimeMs ?? 300_000);
  }

  /** Starts a proxy on a free port of 127.0.0.1. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const targetPort = typeof options.target === "number"
      ? options.target
      : Number(new URL(options.target).port);
    if (!Number.isInteger(targetPort) || targetPort <= 0) {
      throw new TypeError(`Cannot proxy "${options.target}": no port`);
    }
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return new FaultProxy(server, options, targetPort, seed);
  }

  /** Faults injected so far. */
  get faults(): number {
    return this.#faults;
  }

  /** Stops injecting faults: every later connection passes (the running ones keep theirs). */
  calm(): void {
    this.#calm = true;
  }

  /** Resets every open connection now (a network blip), counted as resets. */
  resetAll(): void {
    for (const socket of this.#clients) {
      this.stats.resets++;
      socket.resetAndDestroy();
    }
  }

  /**
   * Refuses connections for `ms`: the listener closes (a connect fails with ECONNREFUSED, as
   * with a server that is down), open connections are reset, then the proxy listens on the
   * same port again.
   */
  async refuse(ms: number): Promise<void> {
    this.stats.refusals++;
    this.#server.close();
    this.resetAll();
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.#closed) return;
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.port, "127.0.0.1", () => resolve());
    });
  }

  /** Closes the listener and every connection. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      for (const socket of this.#sockets) socket.destroy();
      this.#server.close(() => resolve());
    });
    return this.#closed;
  }

  #later(work: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      work();
    }, ms);
    this.#timers.add(timer);
  }

  #track(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", () => {}); // resets are the point; the close handler cleans up
  }

  #pick(index: number): Fault {
    const o = this.#options;
    const scheduled = o.schedule?.[index];
    const budget = !this.#calm && this.#faults < (o.maxFaults ?? 25) &&
      (o.faultWindowMs === undefined || Date.now() - this.#started < o.faultWindowMs);
    const fault = scheduled ?? this.#randomFault();
    if (fault.kind === "pass" || !budget) return { kind: "pass" };
    this.#faults++;
    return fault;
  }

  #randomFault(): Fault {
    const rates = this.#options.rates ?? {};
    const roll = this.#random();
    const between = ([min, max]: readonly [number, number]) =>
      Math.round(min + this.#random() * (max - min));
    let edge = rates.drop ?? 0;
    if (roll < edge) return { kind: "drop" };
    edge += rates.reset ?? 0;
    if (roll < edge) {
      return { kind: "reset", afterBytes: between(this.#options.resetAfterBytes ?? [1, 1 << 20]) };
    }
    edge += rates.close ?? 0;
    if (roll < edge) {
      return { kind: "close", afterBytes: between(this.#options.resetAfterBytes ?? [1, 1 << 20]) };
    }
    edge += rates.delay ?? 0;
    if (roll < edge) return { kind: "delay", ms: between(this.#options.delayMs ?? [50, 500]) };
    return { kind: "pass" };
  }

  #accept(client: net.Socket): void {
    const index = this.stats.connections++;
    this.#track(client);
    this.#clients.add(client);
    client.on("close", () => this.#clients.delete(client));
    const fault = this.#pick(index);
    if (fault.kind === "drop") {
      this.stats.drops++;
      client.resetAndDestroy();
      return;
    }
    const connect = () => {
      if (client.destroyed) return;
      const server = net.connect({
        port: this.#targetPort,
        host: "127.0.0.1",
        allowHalfOpen: true,
      });
      this.#track(server);
      let moved = 0;
      let cutDone = false;
      const limit = fault.kind === "reset" || fault.kind === "close" ? fault.afterBytes : Infinity;
      const cut = () => {
        cutDone = true;
        if (fault.kind === "close") {
          // What was forwarded reaches the client, then FIN; the server side is dropped.
          this.stats.closes++;
          client.end();
          server.destroy();
          this.#later(() => client.destroy(), 1000); // in case the client never hangs up
        } else {
          this.stats.resets++;
          client.resetAndDestroy();
          server.resetAndDestroy();
        }
      };
      const pipe = (from: net.Socket, to: net.Socket, counter: "bytesUp" | "bytesDown") => {
        from.on("data", (chunk: Uint8Array) => {
          if (cutDone || to.destroyed) return;
          const room = limit - moved;
          const part = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
          moved += part.byteLength;
          this.stats[counter] += part.byteLength;
          const flowing = part.byteLength > 0 ? to.write(part) : true;
          if (moved >= limit) return cut();
          if (!flowing) {
            from.pause();
            to.once("drain", () => from.resume());
          }
        });
        let ended = false;
        from.on("end", () => {
          ended = true;
          if (!cutDone) to.end();
        });
        // A side that closed without ending (reset, error) takes the other down with it; a
        // clean end only half-closes, so the other direction can still drain.
        from.on("close", () => {
          if (!ended && !cutDone) to.destroy();
        });
      };
      pipe(client, server, "bytesUp");
      pipe(server, client, "bytesDown");
      client.resume();
    };
    if (fault.kind === "delay") {
      this.stats.delays++;
      this.#later(connect, fault.ms);
    } else {
      connect();
    }
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same faults. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
