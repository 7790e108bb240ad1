/**
 * Benchmark of the sync API over HTTP (gateway + Edge Function workers + Postgres + Storage):
 * negotiate+commit latency of one small file, a batch of 1,000 small files, long-poll wake
 * latency, and a large upload through the resumable path against a raw `curl` upload of the
 * same bytes to the same Storage server, side by side. Run through `deno task bench api`.
 * `BENCH_LARGE_MB` sets the large file's size (default 512).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import * as tus from "tus-js-client";
import { sha256Hex } from "../shared/hash.ts";
import { inlineCommit, newUser, newWorkspace } from "../tests/support/api.ts";
import { createBucket, curlUpload } from "./lib/curl_storage.ts";
import { megabytesPerSecond, percentile, timed } from "./lib/stats.ts";

const { client, env } = await newUser("bench-api");
const { workspaceId, replicas } = await newWorkspace(client);
const replicaId = replicas[0]!;

function check(answer: { status: number; body: unknown }, what: string) {
  if (answer.status !== 200) throw new Error(`${what}: ${JSON.stringify(answer.body)}`);
}

/** negotiate then commit (inline) of one small file, `n` times. */
async function smallFileLatency(n: number) {
  const samples: number[] = [];
  for (let i = 0; i < n + 10; i++) {
    const body = inlineCommit(workspaceId, replicaId, [{
      path: `small/${i}.txt`,
      content: `export const n = ${i};\n`,
    }]);
    const ms = await timed(async () => {
      check(
        await client.call("POST", "sync/negotiate", { ...body, idempotencyKey: undefined }),
        "negotiate",
      );
      check(await client.call("POST", "sync/commit", body), "commit");
    });
    if (i >= 10) samples.push(ms); // the first calls warm the worker and the plans
  }
  return samples;
}

/** One negotiate + one commit of `files` small files, inline. */
async function batch(files: number, round: number) {
  const body = inlineCommit(
    workspaceId,
    replicaId,
    Array.from({ length: files }, (_, i) => ({
      path: `batch-${round}/dir-${i % 20}/file-${i}.ts`,
      content: `// file ${round}/${i}\nexport const value${i} = ${i * round};\n`.repeat(8),
    })),
  );
  return await timed(async () => {
    check(
      await client.call("POST", "sync/negotiate", { ...body, idempotencyKey: undefined }),
      "negotiate",
    );
    check(await client.call("POST", "sync/commit", body), "commit");
  });
}

/** Time from sending a commit to the waiting long poll's answer. */
async function longPollWake(n: number) {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const { cursor } = (await client.call<{ cursor: number }>(
      "GET",
      `workspaces/${workspaceId}`,
    )).body;
    const poll = client.call(
      "GET",
      `sync/changes?workspaceId=${workspaceId}&cursor=${cursor}&wait=10`,
    );
    await new Promise((resolve) => setTimeout(resolve, 150)); // the poll is waiting by now
    const sent = performance.now();
    const commit = client.call(
      "POST",
      "sync/commit",
      inlineCommit(workspaceId, replicaId, [{ path: `wake/${i}.txt`, content: `${i}` }]),
    );
    await poll;
    samples.push(performance.now() - sent);
    await commit;
  }
  return samples;
}

async function sandsyncLargeUpload(bytes: Uint8Array) {
  const change = {
    path: `large/${crypto.randomUUID()}.bin`,
    sha256: sha256Hex(bytes),
    size: bytes.byteLength,
    mode: 420,
    mtime: Date.now(),
    base: null,
  };
  const started = performance.now();
  const negotiated = await client.call<{
    uploads: {
      endpoint: string;
      bucket: string;
      key: string;
      signature: string;
      chunkSize: number;
    }[];
  }>("POST", "sync/negotiate", { workspaceId, replicaId, changes: [change] });
  check(negotiated, "negotiate");
  const plan = negotiated.body.uploads[0]!;
  await new Promise<void>((resolve, reject) => {
    new tus.Upload(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      endpoint: plan.endpoint,
      chunkSize: plan.chunkSize,
      retryDelays: [0, 500],
      headers: { "x-signature": plan.signature },
      metadata: { bucketName: plan.bucket, objectName: plan.key },
      onError: reject,
      onSuccess: () => resolve(),
    }).start();
  });
  const uploaded = performance.now();
  check(
    await client.call("POST", "sync/commit", {
      workspaceId,
      replicaId,
      idempotencyKey: crypto.randomUUID(),
      changes: [change],
    }),
    "commit",
  );
  return { uploadMs: uploaded - started, totalMs: performance.now() - started };
}

const progress = (what: string) => console.error(`bench api: ${what}`);
progress("small files");
const small = await smallFileLatency(200);
progress("batches of 1,000");
const batches: number[] = [];
for (let round = 0; round < 5; round++) batches.push(await batch(1000, round));
progress("long-poll wake");
const wake = await longPollWake(50);
progress("large upload");

const sizeMb = Number(Deno.env.get("BENCH_LARGE_MB") ?? 512);
const bytes = new Uint8Array(sizeMb * 1024 * 1024);
for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
const file = await Deno.makeTempFile({ suffix: ".bin" });
await Deno.writeFile(file, bytes);
const bucket = await createBucket(env);
const large: { curl: number; upload: number; total: number }[] = [];
for (let i = 0; i < 3; i++) {
  const curl = await curlUpload(env, file, { bucket, key: `raw-${crypto.randomUUID()}.bin` });
  bytes.set(crypto.getRandomValues(new Uint8Array(16))); // new content each run: no dedup
  const ours = await sandsyncLargeUpload(bytes);
  large.push({ curl, upload: ours.uploadMs, total: ours.totalMs });
}
await Deno.remove(file);

const median = (values: number[]) => percentile(values, 50);
const curlMbps = megabytesPerSecond(bytes.byteLength, median(large.map((r) => r.curl)));
const tusMbps = megabytesPerSecond(bytes.byteLength, median(large.map((r) => r.upload)));
const totalMbps = megabytesPerSecond(bytes.byteLength, median(large.map((r) => r.total)));
const lines = [
  "| measure | samples | p50 | p99 | unit |",
  "|---|---:|---:|---:|---|",
  `| negotiate + commit, one small file (inline) | ${small.length} | ${
    percentile(small, 50).toFixed(1)
  } | ${percentile(small, 99).toFixed(1)} | ms |`,
  `| negotiate + commit, 1,000 small files (one request each) | ${batches.length} | ${
    median(batches).toFixed(0)
  } | ${percentile(batches, 99).toFixed(0)} | ms (${
    (1000 / (median(batches) / 1000)).toFixed(0)
  } files/s at p50) |`,
  `| long-poll wake: commit sent → waiting poll answered | ${wake.length} | ${
    percentile(wake, 50).toFixed(1)
  } | ${percentile(wake, 99).toFixed(1)} | ms |`,
  "",
  `Large upload, ${sizeMb} MiB of random bytes, median of ${large.length} runs, side by side:`,
  "",
  "| path | MB/s | ratio to curl |",
  "|---|---:|---:|",
  `| raw \`curl -T\` POST to Storage (baseline) | ${curlMbps.toFixed(0)} | 1.00 |`,
  `| Sandsync: negotiate + TUS upload (6 MiB chunks, signed) | ${tusMbps.toFixed(0)} | ${
    (tusMbps / curlMbps).toFixed(2)
  } |`,
  `| Sandsync: negotiate + TUS + commit (server re-hashes the stored bytes) | ${
    totalMbps.toFixed(0)
  } | ${(totalMbps / curlMbps).toFixed(2)} |`,
];
console.log(lines.join("\n"));
