// A 200 MB file through the resumable path: negotiate answers TUS with a signature, tus-js-client
// uploads in 6 MiB chunks, commit hashes the stored bytes (streamed) before it trusts them.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as tus from "tus-js-client";
import { createSha256, sha256Hex } from "../../shared/hash.ts";
import { newUser, newWorkspace } from "../support/api.ts";

interface TusInstruction {
  sha256: string;
  method: string;
  endpoint: string;
  bucket: string;
  key: string;
  signature: string;
  chunkSize: number;
}

function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

function tusUpload(instruction: TusInstruction, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    new tus.Upload(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      endpoint: instruction.endpoint,
      chunkSize: instruction.chunkSize,
      retryDelays: [0, 500, 1000],
      headers: { "x-signature": instruction.signature },
      metadata: {
        bucketName: instruction.bucket,
        objectName: instruction.key,
        contentType: "application/octet-stream",
      },
      onError: reject,
      onSuccess: () => resolve(),
    }).start();
  });
}

Deno.test("a 200 MB file goes through TUS, is verified by SHA-256 and downloads intact", async () => {
  const { client } = await newUser("large");
  const { workspaceId, replicas } = await newWorkspace(client);
  const bytes = randomBytes(200 * 1024 * 1024);
  const change = {
    path: "data/model.bin",
    sha256: sha256Hex(bytes),
    size: bytes.byteLength,
    mode: 420,
    mtime: Date.now(),
    base: null,
  };
  const negotiated = await client.call<{ uploads: TusInstruction[] }>("POST", "sync/negotiate", {
    workspaceId,
    replicaId: replicas[0],
    changes: [change],
  });
  assert.equal(negotiated.status, 200, JSON.stringify(negotiated.body));
  const instruction = negotiated.body.uploads[0]!;
  assert.equal(instruction.method, "tus");
  assert.equal(instruction.chunkSize, 6 * 1024 * 1024);
  await tusUpload(instruction, bytes);

  const committed = await client.call<{ items: { outcome: string }[] }>("POST", "sync/commit", {
    workspaceId,
    replicaId: replicas[0],
    idempotencyKey: crypto.randomUUID(),
    changes: [change],
  });
  assert.equal(committed.status, 200, JSON.stringify(committed.body));
  assert.equal(committed.body.items[0]?.outcome, "applied");

  const feed = await client.call<{ changes: { url: string; sha256: string }[] }>(
    "GET",
    `sync/changes?workspaceId=${workspaceId}&cursor=0`,
  );
  const download = await fetch(feed.body.changes[0]!.url);
  assert.equal(download.status, 200);
  const hash = createSha256();
  let size = 0;
  for await (const chunk of download.body!) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  assert.equal(size, bytes.byteLength);
  assert.equal(hash.digestHex(), change.sha256);
});
