import assert from "node:assert/strict";
import { isSyncError } from "../shared/errors.ts";
import { sha256Hex } from "../shared/hash.ts";
import { downloadBytes } from "./transfer.ts";

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
