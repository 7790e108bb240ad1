import assert from "node:assert/strict";
import { isSyncError } from "../shared/protocol/errors.ts";
import { sha256Hex } from "../shared/hash.ts";
import { isRetryableError } from "./retry.ts";
import { TransferStalledError } from "./stall_guard.ts";
import { bytesSource, downloadBytes, uploadBlob } from "./transfer.ts";

const GOOD = new TextEncoder().encode("the right bytes\n");
const BAD = new TextEncoder().encode("the wrong bytes\n");

/** Serves `answers` in turn (the last one again and again). */
async function withServer(answers: Uint8Array[], test: (url: string) => Promise<void>) {
  let served = 0;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
    const body = answers[Math.min(served++, answers.length - 1)]!;
    return new Response(body as Uint8Array<ArrayBuffer>);
  });
  try {
    await test(`http://127.0.0.1:${server.addr.port}/blob`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("downloadBytes() retries bytes damaged in transit and returns the verified ones", async () => {
  await withServer([BAD, GOOD], async (url) => {
    const bytes = await downloadBytes(url, { sha256: sha256Hex(GOOD), size: GOOD.length }, {
      retry: { baseDelayMs: 1 },
    });
    assert.deepEqual(bytes, GOOD);
  });
});

Deno.test("downloadBytes() gives up with hash_mismatch when the bytes stay wrong", async () => {
  await withServer([BAD], async (url) => {
    await assert.rejects(
      downloadBytes(url, { sha256: sha256Hex(GOOD), size: GOOD.length }, {
        retry: { baseDelayMs: 1, attempts: 3 },
      }),
      (error) => isSyncError(error, "hash_mismatch"),
    );
  });
});

/** A server whose first `stalls` answers send a few bytes and then nothing, the rest `GOOD`. */
async function withStallingServer(
  stalls: number,
  requests: number,
  test: (url: string) => Promise<void>,
) {
  let served = 0;
  const held: ReadableStreamDefaultController<Uint8Array>[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => {
    if (served++ >= stalls) return new Response(GOOD as Uint8Array<ArrayBuffer>);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(GOOD.subarray(0, 4)); // then silence, the connection left open
        held.push(controller);
      },
    });
    return new Response(body, { headers: { "content-length": String(GOOD.length) } });
  });
  try {
    await test(`http://127.0.0.1:${server.addr.port}/blob`);
    assert.equal(served, requests, "one request per attempt");
  } finally {
    for (const controller of held) {
      try {
        controller.close();
      } catch { /* cancelled when the client gave up */ }
    }
    await server.shutdown();
  }
}

Deno.test("downloadBytes() fails a download that stops sending and retries it", async () => {
  await withStallingServer(2, 3, async (url) => {
    const started = Date.now();
    const bytes = await downloadBytes(url, { sha256: sha256Hex(GOOD), size: GOOD.length }, {
      retry: { baseDelayMs: 1 },
      idleMs: 200,
    });
    assert.deepEqual(bytes, GOOD);
    assert.ok(Date.now() - started < 5000, "stalls were cut after their idle time");
  });
});

Deno.test("downloadBytes() reports a download that keeps stalling as a retryable stall", async () => {
  await withStallingServer(100, 2, async (url) => {
    const failed = await downloadBytes(url, { sha256: sha256Hex(GOOD), size: GOOD.length }, {
      retry: { baseDelayMs: 1, attempts: 2 },
      idleMs: 100,
    }).then(() => undefined, (error) => error);
    assert.ok(failed instanceof TransferStalledError, String(failed));
    assert.ok(isRetryableError(failed), "a stall is a network failure: the caller retries later");
  });
});

Deno.test("uploadBlob() over TUS retries a PATCH that stalls, from the server's offset", async () => {
  const bytes = new Uint8Array(100_000).map((_, i) => i % 251);
  let offset = 0;
  let patches = 0;
  const stalled: (() => void)[] = [];
  const tusHeaders = { "tus-resumable": "1.0.0", "cache-control": "no-store" };
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method === "POST") {
      return new Response(null, {
        status: 201,
        headers: { ...tusHeaders, location: `${url.origin}${url.pathname}/upload-1` },
      });
    }
    if (req.method === "HEAD") {
      return new Response(null, {
        headers: {
          ...tusHeaders,
          "upload-offset": String(offset),
          "upload-length": String(bytes.length),
        },
      });
    }
    if (req.method === "PATCH" && patches++ === 0) {
      // The first PATCH: nothing read, no answer, the connection left open.
      await new Promise<void>((resolve) => stalled.push(resolve));
      return new Response(null, { status: 500 });
    }
    offset += (await req.arrayBuffer()).byteLength;
    return new Response(null, {
      status: 204,
      headers: { ...tusHeaders, "upload-offset": String(offset) },
    });
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    const done = uploadBlob(
      {
        sha256: sha256Hex(bytes),
        size: bytes.length,
        method: "tus",
        key: "owner/ab/abc",
        endpoint: `${base}/storage/v1/upload/resumable/sign`,
        bucket: "sandsync",
        signature: "sig",
        chunkSize: 6 * 1024 * 1024,
      },
      bytesSource(bytes),
      { idleMs: 300 },
    );
    const timeout = new Promise<"timeout">((resolve) =>
      setTimeout(() => resolve("timeout"), 10_000)
    );
    assert.notEqual(
      await Promise.race([done, timeout]),
      "timeout",
      "the stalled PATCH was waited on",
    );
    assert.equal(offset, bytes.length);
    assert.ok(patches >= 2);
  } finally {
    for (const release of stalled) release();
    await server.shutdown();
  }
});
