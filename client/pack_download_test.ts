import assert from "node:assert/strict";
import { sha256Hex } from "../shared/hash.ts";
import { isSyncError } from "../shared/protocol/errors.ts";
import { fetchPacked, type PackedBlob, planSpans } from "./pack_download.ts";
import { downloadBytes } from "./transfer.ts";

/** A pack of `count` blobs of distinct bytes, and where each sits. */
function makePack(count: number, size: number) {
  const blobs = Array.from(
    { length: count },
    (_, i) => new Uint8Array(size).map((_, j) => (i * 31 + j * 7) % 251),
  );
  const pack = new Uint8Array(count * size);
  blobs.forEach((blob, i) => pack.set(blob, i * size));
  return {
    pack,
    blobs,
    at: (url: string, i: number): PackedBlob => ({
      url,
      range: { offset: i * size, length: size },
      sha256: sha256Hex(blobs[i]!),
    }),
  };
}

interface Behaviour {
  /** Cut the answer of request `n` (1-based) after this many bytes. */
  cutAfter?: { request: number; bytes: number };
  /** Flip the byte at this pack offset in every answer. */
  corruptAt?: number;
}

/** Serves `pack` with HTTP ranges, as Storage does; records each `Range` asked. */
async function withPackServer(
  pack: Uint8Array,
  behaviour: Behaviour,
  test: (url: string, ranges: string[]) => Promise<void>,
) {
  const ranges: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    const range = request.headers.get("range") ?? "";
    ranges.push(range);
    const match = /^bytes=(\d+)-(\d+)$/.exec(range);
    if (!match) return new Response(pack as Uint8Array<ArrayBuffer>);
    const start = Number(match[1]);
    const end = Math.min(Number(match[2]), pack.length - 1);
    const body = pack.slice(start, end + 1);
    if (behaviour.corruptAt !== undefined) {
      const at = behaviour.corruptAt - start;
      if (at >= 0 && at < body.length) body[at] = body[at]! ^ 0xff;
    }
    const cut = behaviour.cutAfter?.request === ranges.length ? behaviour.cutAfter.bytes : null;
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls++;
        if (cut === null) {
          controller.enqueue(body);
          controller.close();
        } else if (pulls === 1) {
          controller.enqueue(body.slice(0, cut));
        } else {
          // Let the first part reach the client, then die mid-answer.
          await new Promise((resolve) => setTimeout(resolve, 50));
          controller.error(new Error("connection cut"));
        }
      },
    });
    return new Response(stream, {
      status: 206,
      headers: {
        "content-range": `bytes ${start}-${end}/${pack.length}`,
        "content-length": String(body.length),
      },
    });
  });
  try {
    await test(`http://127.0.0.1:${server.addr.port}/pack`, ranges);
  } finally {
    await server.shutdown();
  }
}

Deno.test("planSpans() coalesces neighbours of one pack, splits at gaps and at the span limit", () => {
  const url = "http://x/pack";
  const blob = (offset: number, length: number, sha256: string): PackedBlob => ({
    url,
    range: { offset, length },
    sha256,
  });
  const spans = planSpans([
    blob(200, 100, "c"),
    blob(0, 100, "a"),
    blob(100, 100, "b"),
    blob(10_000, 100, "far"),
    blob(50, 0, "empty"),
    { ...blob(0, 100, "other"), url: "http://x/other" },
  ], { maxGap: 1000, maxSpan: 250 });
  assert.deepEqual(
    spans.map((span) => [span.url, span.offset, span.length, span.blobs.map((b) => b.sha256)]),
    [
      [url, 0, 200, ["a", "b"]],
      [url, 200, 100, ["c"]],
      [url, 10_000, 100, ["far"]],
      ["http://x/other", 0, 100, ["other"]],
    ],
  );
});

Deno.test("fetchPacked() fetches neighbouring blobs with one range request, each verified", async () => {
  const { pack, blobs, at } = makePack(50, 1000);
  await withPackServer(pack, {}, async (url, ranges) => {
    const wanted = [3, 4, 5, 6, 40].map((i) => at(url, i));
    const { bytes, failed } = await fetchPacked(wanted, { maxGap: 0 });
    assert.equal(failed.size, 0);
    for (const i of [3, 4, 5, 6, 40]) assert.deepEqual(bytes.get(sha256Hex(blobs[i]!)), blobs[i]);
    assert.deepEqual(ranges.sort(), ["bytes=3000-6999", "bytes=40000-40999"]);
  });
});

Deno.test("fetchPacked() resumes a range cut mid-way from the first blob it had not finished", async () => {
  const { pack, blobs, at } = makePack(10, 1000);
  // The first answer dies 3,500 bytes in: blobs 0..2 arrived whole, blob 3 half.
  await withPackServer(pack, { cutAfter: { request: 1, bytes: 3500 } }, async (url, ranges) => {
    const wanted = blobs.map((_, i) => at(url, i));
    const { bytes, failed } = await fetchPacked(wanted, { retry: { baseDelayMs: 1 } });
    assert.equal(failed.size, 0);
    assert.equal(bytes.size, 10);
    for (const [i, blob] of blobs.entries()) {
      assert.deepEqual(bytes.get(sha256Hex(blob)), blob, `${i}`);
    }
    assert.deepEqual(ranges, ["bytes=0-9999", "bytes=3000-9999"]);
  });
});

Deno.test("fetchPacked() never hands on a blob whose bytes do not hash right; its neighbours pass", async () => {
  const { pack, blobs, at } = makePack(4, 1000);
  await withPackServer(pack, { corruptAt: 2500 }, async (url) => {
    const wanted = blobs.map((_, i) => at(url, i));
    const { bytes, failed } = await fetchPacked(wanted, {
      retry: { baseDelayMs: 1, attempts: 3 },
    });
    assert.equal(bytes.has(sha256Hex(blobs[2]!)), false, "the damaged blob is not handed on");
    assert.ok(isSyncError(failed.get(sha256Hex(blobs[2]!)), "hash_mismatch"));
    for (const i of [0, 1, 3]) assert.deepEqual(bytes.get(sha256Hex(blobs[i]!)), blobs[i]);
  });
});

Deno.test("downloadBytes() with a range fetches one blob of a pack and verifies it", async () => {
  const { pack, blobs } = makePack(3, 500);
  await withPackServer(pack, {}, async (url, ranges) => {
    const blob = blobs[1]!;
    const bytes = await downloadBytes(url, {
      sha256: sha256Hex(blob),
      size: blob.length,
      range: { offset: 500, length: 500 },
    });
    assert.deepEqual(bytes, blob);
    assert.deepEqual(ranges, ["bytes=500-999"]);
  });
});
