import assert from "node:assert/strict";
import { CountingProxy, createProxyHandler, sumCounts, totalRequests } from "./counting_proxy.ts";

const MiB = 1024 * 1024;

/** An upstream on a free port; `handler` answers, `remotePorts` are the client ports it saw. */
async function withUpstream(
  handler: (request: Request) => Response | Promise<Response>,
  work: (target: string, remotePorts: number[]) => Promise<void>,
) {
  const remotePorts: number[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request, info) => {
      remotePorts.push(info.remoteAddr.port);
      return handler(request);
    },
  );
  try {
    await work(`http://127.0.0.1:${server.addr.port}`, remotePorts);
  } finally {
    await server.shutdown();
  }
}

async function withProxy(target: string, work: (proxy: CountingProxy) => Promise<void>) {
  const proxy = CountingProxy.start({ target });
  try {
    await work(proxy);
  } finally {
    await proxy.close();
  }
}

/** Waits until `check()` holds; throws after `timeoutMs` (a buffering proxy never gets there). */
async function until(check: () => boolean, what: string, timeoutMs = 5_000) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

Deno.test("CountingProxy counts requests per endpoint and take() starts again from zero", async () => {
  const seen: (string | null)[] = [];
  await withUpstream(async (request) => {
    seen.push(request.headers.get("content-length"));
    await request.body?.cancel();
    return new Response("ok");
  }, async (target) => {
    await withProxy(target, async (proxy) => {
      const call = async (method: string, path: string, body?: Uint8Array<ArrayBuffer>) =>
        await (await fetch(`${proxy.url}${path}`, { method, body })).text();
      await call("POST", "/functions/v1/sync/negotiate?x=1", new Uint8Array(10));
      await call("POST", "/functions/v1/sync/negotiate", new Uint8Array(10));
      await call("GET", "/storage/v1/object/sign/sandsync/a/b?token=t");
      await call("PATCH", "/storage/v1/upload/resumable/sign/abc123", new Uint8Array(3));
      const first = proxy.take();
      assert.deepEqual(first, {
        "GET storage/object/sign": 1,
        "PATCH storage/upload/resumable/sign": 1,
        "POST functions/sync/negotiate": 2,
      });
      assert.equal(totalRequests(first), 4);
      await call("GET", "/storage/v1/object/sign/sandsync/c?token=t");
      assert.deepEqual(proxy.counts(), { "GET storage/object/sign": 1 });
      assert.deepEqual(sumCounts([first, proxy.counts()])["GET storage/object/sign"], 2);
      // The length of a body the client knew the size of reaches the upstream unchanged.
      assert.deepEqual(seen.filter((length) => length !== null), ["10", "10", "3"]);
    });
  });
});

Deno.test("createProxyHandler() waits the delay before forwarding and again before answering", async () => {
  const events: string[] = [];
  const handler = createProxyHandler({
    target: "http://upstream.test",
    count: (endpoint) => events.push(`count ${endpoint}`),
    delayMs: () => 25,
    sleep: (ms) => {
      events.push(`sleep ${ms}`);
      return Promise.resolve();
    },
    forward: (_request, url) => {
      events.push(`forward ${url}`);
      return Promise.resolve(new Response("ok"));
    },
  });
  const response = await handler(new Request("http://proxy.test/functions/v1/sync/commit?a=b"));
  assert.equal(await response.text(), "ok");
  assert.deepEqual(events, [
    "count GET functions/sync/commit",
    "sleep 25",
    "forward http://upstream.test/functions/v1/sync/commit?a=b",
    "sleep 25",
  ]);
});

Deno.test("CountingProxy with delayMs adds the delay each way to a real exchange", async () => {
  await withUpstream(() => new Response("ok"), async (target) => {
    await withProxy(target, async (proxy) => {
      const time = async () => {
        const started = performance.now();
        await (await fetch(`${proxy.url}/functions/v1/health`)).text();
        return performance.now() - started;
      };
      await time(); // connections open
      proxy.delayMs = 40;
      const slow = await time();
      assert.ok(slow >= 80, `a round trip took ${slow.toFixed(1)} ms, expected at least 80`);
    });
  });
});

Deno.test("CountingProxy streams a large body each way without holding it whole", async () => {
  const CHUNK = MiB;
  const TOTAL = 64 * MiB;
  // Both sides stop producing once they are WINDOW ahead of what the other end has received:
  // a proxy that read a whole body before passing it on would stall them.
  const WINDOW = 8 * MiB;
  let uploaded = 0;
  let downloaded = 0;
  await withUpstream(async (request) => {
    if (request.method === "PUT") {
      for await (const chunk of request.body!) uploaded += chunk.byteLength;
      return new Response(String(uploaded));
    }
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await until(() => sent - downloaded <= WINDOW, `the client to read (${downloaded})`);
        controller.enqueue(new Uint8Array(CHUNK));
        sent += CHUNK;
        if (sent >= TOTAL) controller.close();
      },
    });
    return new Response(body, { headers: { "content-length": String(TOTAL) } });
  }, async (target) => {
    await withProxy(target, async (proxy) => {
      let sent = 0;
      const upload = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await until(() => sent - uploaded <= WINDOW, `the upstream to read (${uploaded})`);
          controller.enqueue(new Uint8Array(CHUNK));
          sent += CHUNK;
          if (sent >= TOTAL) controller.close();
        },
      });
      const put = await fetch(`${proxy.url}/storage/v1/upload/resumable/x`, {
        method: "PUT",
        body: upload,
      });
      assert.equal(await put.text(), String(TOTAL));
      const get = await fetch(`${proxy.url}/storage/v1/object/sign/b/k`);
      assert.equal(get.headers.get("content-length"), String(TOTAL));
      for await (const chunk of get.body!) downloaded += chunk.byteLength;
      assert.equal(downloaded, TOTAL);
    });
  });
});

Deno.test("CountingProxy passes a Range request and its 206 answer through", async () => {
  await withUpstream((request) => {
    assert.equal(request.headers.get("range"), "bytes=2-4");
    return new Response("cde", {
      status: 206,
      headers: { "content-range": "bytes 2-4/10", "content-length": "3" },
    });
  }, async (target) => {
    await withProxy(target, async (proxy) => {
      const response = await fetch(`${proxy.url}/storage/v1/object/sign/b/k`, {
        headers: { range: "bytes=2-4" },
      });
      assert.equal(response.status, 206);
      assert.equal(response.headers.get("content-range"), "bytes 2-4/10");
      assert.equal(await response.text(), "cde");
    });
  });
});

Deno.test("CountingProxy keeps its connection to the upstream open between requests", async () => {
  await withUpstream(() => new Response("ok"), async (target, remotePorts) => {
    await withProxy(target, async (proxy) => {
      for (let i = 0; i < 3; i++) await (await fetch(`${proxy.url}/functions/v1/health`)).text();
      assert.equal(new Set(remotePorts).size, 1, `upstream saw ports ${remotePorts}`);
    });
  });
});

Deno.test("CountingProxy answers 502 for an unreachable upstream and keeps serving", async () => {
  // A port that was free a moment ago: nothing listens there.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await withProxy(`http://127.0.0.1:${port}`, async (proxy) => {
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${proxy.url}/functions/v1/sync/commit`, { method: "POST" });
      assert.equal(response.status, 502);
      assert.equal((await response.json()).code, "bad_gateway");
    }
    assert.equal(proxy.failures, 2);
    assert.deepEqual(proxy.counts(), { "POST functions/sync/commit": 2 });
  });
});

Deno.test("CountingProxy cuts a response whose upstream fails mid-body and keeps serving", async () => {
  await withUpstream((request) => {
    if (new URL(request.url).pathname.endsWith("/ok")) return new Response("ok");
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(1000));
        setTimeout(() => controller.error(new Error("disk gone")), 20);
      },
    });
    return new Response(body, { headers: { "content-length": "100000" } });
  }, async (target) => {
    await withProxy(target, async (proxy) => {
      const cut = await fetch(`${proxy.url}/storage/v1/object/sign/b/cut`);
      await assert.rejects(cut.arrayBuffer());
      const ok = await fetch(`${proxy.url}/storage/v1/object/sign/b/ok`);
      assert.equal(await ok.text(), "ok");
    });
  });
});
