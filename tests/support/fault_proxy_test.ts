import assert from "node:assert/strict";
import { sha256Hex } from "../../shared/hash.ts";
import { FaultProxy } from "./fault_proxy.ts";

const BODY = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 7919) % 251);

/** A small HTTP server to proxy: `/bytes` answers 2 MiB, `/echo` returns the request body. */
async function withServer(work: (port: number) => Promise<void>) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    if (new URL(req.url).pathname === "/echo") return new Response(await req.arrayBuffer());
    return new Response(BODY);
  });
  try {
    await work(server.addr.port);
  } finally {
    await server.shutdown();
  }
}

// One connection per request, so each request meets its own fault.
function fresh() {
  return Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
}

async function get(url: string, client: Deno.HttpClient): Promise<Uint8Array> {
  const response = await fetch(url, { client });
  return new Uint8Array(await response.arrayBuffer());
}

Deno.test("fault proxy: passes bytes unchanged both ways and counts them", async () => {
  await withServer(async (port) => {
    const proxy = await FaultProxy.start({ target: port, seed: 1 });
    const client = fresh();
    try {
      assert.equal(sha256Hex(await get(`${proxy.url}/bytes`, client)), sha256Hex(BODY));
      const echoed = await fetch(`${proxy.url}/echo`, { method: "POST", body: BODY, client });
      assert.equal(sha256Hex(new Uint8Array(await echoed.arrayBuffer())), sha256Hex(BODY));
      assert.ok(proxy.stats.bytesUp > BODY.length, `up ${proxy.stats.bytesUp}`);
      assert.ok(proxy.stats.bytesDown > 2 * BODY.length, `down ${proxy.stats.bytesDown}`);
      assert.equal(proxy.faults, 0);
    } finally {
      client.close();
      await proxy.close();
    }
  });
});

Deno.test("fault proxy: a scheduled drop, reset mid-body, delay and close mid-body, then clean passes", async () => {
  await withServer(async (port) => {
    const proxy = await FaultProxy.start({
      target: port,
      schedule: [
        { kind: "drop" },
        { kind: "reset", afterBytes: 300_000 },
        { kind: "delay", ms: 400 },
        { kind: "close", afterBytes: 500_000 },
      ],
    });
    const client = fresh();
    try {
      await assert.rejects(get(`${proxy.url}/bytes`, client), "dropped before a byte");
      // The reset lands inside the 2 MiB body: the read fails, never a short success.
      await assert.rejects(get(`${proxy.url}/bytes`, client), "reset mid-body");
      const started = Date.now();
      assert.equal((await get(`${proxy.url}/bytes`, client)).length, BODY.length);
      assert.ok(Date.now() - started >= 380, `delayed ${Date.now() - started} ms`);
      // A FIN inside the body: the client sees the body end short of its Content-Length.
      await assert.rejects(get(`${proxy.url}/bytes`, client), "closed mid-body");
      assert.equal((await get(`${proxy.url}/bytes`, client)).length, BODY.length);
      assert.deepEqual(
        [proxy.stats.drops, proxy.stats.resets, proxy.stats.delays, proxy.stats.closes],
        [1, 1, 1, 1],
      );
      assert.equal(proxy.faults, 4);
    } finally {
      client.close();
      await proxy.close();
    }
  });
});

Deno.test("fault proxy: random faults stop at maxFaults; the same seed gives the same faults", async () => {
  await withServer(async (port) => {
    const outcomes: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const proxy = await FaultProxy.start({
        target: port,
        rates: { drop: 0.4, reset: 0.4 },
        resetAfterBytes: [1, 100_000],
        maxFaults: 4,
        seed: 42,
      });
      const client = fresh();
      const seen: string[] = [];
      try {
        for (let i = 0; i < 12; i++) {
          seen.push(await get(`${proxy.url}/bytes`, client).then((b) => `${b.length}`, () => "x"));
        }
        assert.equal(proxy.faults, 4);
        assert.equal(seen.filter((s) => s === "x").length, 4, seen.join(","));
        assert.deepEqual(seen.slice(-3), Array(3).fill(`${BODY.length}`), "calm once spent");
      } finally {
        client.close();
        await proxy.close();
      }
      outcomes.push(seen);
    }
    assert.deepEqual(outcomes[0], outcomes[1]);
  });
});

Deno.test("fault proxy: closes itself after its lifetime", async () => {
  await withServer(async (port) => {
    const proxy = await FaultProxy.start({ target: port, lifetimeMs: 200 });
    const client = fresh();
    try {
      assert.equal((await get(`${proxy.url}/bytes`, client)).length, BODY.length);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await assert.rejects(get(`${proxy.url}/bytes`, client), "nothing listens any more");
    } finally {
      client.close();
      await proxy.close();
    }
  });
});
