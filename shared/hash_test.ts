import assert from "node:assert/strict";
import { createSha256, EMPTY_SHA256, isSha256Hex, sha256Hex, sha256OfStream } from "./hash.ts";

const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const ZEROS_1MIB = "30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

Deno.test("sha256Hex() matches the known vectors", () => {
  assert.equal(sha256Hex(""), EMPTY_SHA256);
  assert.equal(sha256Hex(new Uint8Array()), EMPTY_SHA256);
  assert.equal(sha256Hex("abc"), ABC);
  assert.equal(sha256Hex(new TextEncoder().encode("abc")), ABC);
});

Deno.test("sha256Hex() hashes strings as UTF-8", () => {
  assert.equal(sha256Hex("é"), sha256Hex(new Uint8Array([0xc3, 0xa9])));
});

Deno.test("createSha256() gives the same digest fed in pieces", () => {
  const zeros = new Uint8Array(1024 * 1024);
  const hasher = createSha256();
  for (let offset = 0; offset < zeros.length; offset += 100_000) {
    hasher.update(zeros.subarray(offset, offset + 100_000));
  }
  assert.equal(hasher.digestHex(), ZEROS_1MIB);
  assert.equal(sha256Hex(zeros), ZEROS_1MIB);
  assert.equal(createSha256().update("a").update("bc").digestHex(), ABC);
});

Deno.test("createSha256() refuses use after digest", () => {
  const hasher = createSha256();
  hasher.digestHex();
  assert.throws(() => hasher.update("x"));
  assert.throws(() => hasher.digestHex());
});

Deno.test("sha256OfStream() agrees with WebCrypto and counts bytes", async () => {
  const zeros = new Uint8Array(1024 * 1024);
  const web = new Uint8Array(await crypto.subtle.digest("SHA-256", zeros));
  const webHex = Array.from(web, (b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(webHex, ZEROS_1MIB);
  const chunks = [zeros.subarray(0, 7), zeros.subarray(7, 65_536), zeros.subarray(65_536)];
  assert.deepEqual(await sha256OfStream(streamOf(chunks)), {
    hex: ZEROS_1MIB,
    size: 1024 * 1024,
  });
  assert.deepEqual(await sha256OfStream(streamOf([])), { hex: EMPTY_SHA256, size: 0 });
});

Deno.test("sha256OfStream() rejects when the stream errors", async () => {
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(new Error("connection reset"));
    },
  });
  await assert.rejects(sha256OfStream(stream), /connection reset/);
});

Deno.test("isSha256Hex() accepts lowercase 64-hex digests only", () => {
  assert.ok(isSha256Hex(ABC));
  assert.ok(!isSha256Hex(ABC.toUpperCase()));
  assert.ok(!isSha256Hex(ABC.slice(1)));
  assert.ok(!isSha256Hex(`${ABC}\n`));
  assert.ok(!isSha256Hex(42));
});
