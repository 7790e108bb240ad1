import assert from "node:assert/strict";
import { join } from "node:path";
import { StateDb } from "../../agent/state_db.ts";
import { statePaths } from "../../agent/state_home.ts";
import { FaultProxy } from "../support/fault_proxy.ts";
import { loadStackEnv } from "../support/stack_env.ts";
import { hashPath, hashTree, writeLargeFile } from "./robust_support.ts";
import { eventually, newAccount, newRoot, runCli, spawnCli } from "./support.ts";

const MiB = 1024 * 1024;

/** The stack's own view of a TUS upload: `Upload-Offset` from a HEAD as the service role. */
async function serverOffset(uploadUrl: string): Promise<number> {
  const env = loadStackEnv();
  const id = uploadUrl.slice(uploadUrl.lastIndexOf("/") + 1);
  const head = await fetch(`${env.apiUrl}/storage/v1/upload/resumable/${id}`, {
    method: "HEAD",
    headers: { authorization: `Bearer ${env.serviceRoleKey}`, "tus-resumable": "1.0.0" },
  });
  assert.equal(head.status, 200, `HEAD ${id}`);
  return Number(head.headers.get("upload-offset"));
}

/** The uploads recorded in `dir`'s state (read while no agent process runs there). */
function storedUploads(dir: string): { sha256: string; url: string }[] {
  const state = new StateDb(statePaths(dir).db);
  try {
    return state.uploadRows();
  } finally {
    state.close();
  }
}

Deno.test("an agent killed mid-upload resumes the TUS upload from the server's offset after a restart", async () => {
  const { config, workspace } = await newAccount("resume");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  a.close();
  const proxy = await FaultProxy.start({ target: config.url });
  const via = { ...config, url: proxy.url };
  try {
    const size = 48 * MiB + 4321;
    await writeLargeFile(join(a.dir, "large/model.bin"), size);
    const sha256 = await hashPath(join(a.dir, "large/model.bin"));

    // Killed once more than half the bytes went out.
    const child = spawnCli(via, ["sync", a.dir, "--quiet"]);
    await eventually(() => proxy.stats.bytesUp > size / 2, 60_000, "half the upload");
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    const uploads = storedUploads(a.dir);
    assert.deepEqual(uploads.map((u) => u.sha256), [sha256], "the upload URL survived the kill");
    const offset = await serverOffset(uploads[0]!.url);
    assert.ok(offset >= 6 * MiB && offset < size, `server offset ${offset}`);

    // The restarted agent sends only what the server lacks.
    const before = proxy.stats.bytesUp;
    const run = await runCli(via, ["sync", a.dir, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).uploaded, 1);
    const sent = proxy.stats.bytesUp - before;
    console.log(`killed at server offset ${offset} of ${size}; resumed with ${sent} bytes`);
    assert.ok(sent < size - offset + MiB, `sent ${sent}, missing ${size - offset}`);
    assert.deepEqual(storedUploads(a.dir), [], "a finished upload is forgotten");

    await b.sync();
    assert.deepEqual(await hashTree(b.dir), { "large/model.bin": sha256 });
  } finally {
    await proxy.close();
    b.close();
    await Deno.remove(a.dir, { recursive: true }).catch(() => {});
    await Deno.remove(b.dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("a stale upload URL (expired or gone on the server) falls back to a new upload", async () => {
  const { config, workspace } = await newAccount("resume-stale");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    await writeLargeFile(join(a.dir, "big.bin"), 7 * MiB);
    const sha256 = await hashPath(join(a.dir, "big.bin"));
    const gone = `${config.url}/storage/v1/upload/resumable/sign/${crypto.randomUUID()}`;
    a.state.uploads.set(sha256, gone);
    const up = await a.sync();
    assert.equal(up.uploaded, 1);
    assert.equal(a.state.uploads.get(sha256), undefined);
    await b.sync();
    assert.equal(await hashPath(join(b.dir, "big.bin")), sha256);
  } finally {
    a.close();
    b.close();
    await Deno.remove(a.dir, { recursive: true }).catch(() => {});
    await Deno.remove(b.dir, { recursive: true }).catch(() => {});
  }
});
