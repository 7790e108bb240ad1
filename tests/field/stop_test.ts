import assert from "node:assert/strict";
import { join } from "node:path";
import { workspaceRows } from "../agent/robust_support.ts";
import {
  account,
  cli,
  eventually,
  initRoot,
  Proc,
  removeDirs,
  startDaemon,
  status,
} from "./field_support.ts";

const STOP_BOUND_MS = 3_000;

Deno.test("SIGTERM during the initial sync of 3,000 files stops within 3 s; a restart completes it", async () => {
  const { config, workspace } = await account("field-initial");
  const { dir, workspaceId } = await initRoot(config, workspace, async (dir) => {
    for (let d = 0; d < 30; d++) {
      await Deno.mkdir(join(dir, `d${d}`));
      for (let f = 0; f < 100; f++) {
        await Deno.writeTextFile(join(dir, `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`.repeat(20));
      }
    }
  });
  const daemon = new Proc(config, ["watch", dir]);
  try {
    await eventually(() => /watching/.test(daemon.stderr), 30_000, "the daemon to start");
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // well into the first run
    const before = Object.keys((await workspaceRows(workspaceId)).live).length;
    assert.ok(before < 3_000, `the first run was still going (${before} committed)`);
    const stopped = await daemon.stop("SIGTERM");
    console.log(`stopped in ${stopped.ms} ms during the initial sync (${before} committed)`);
    assert.equal(stopped.code, 0, daemon.stderr);
    assert.ok(stopped.ms <= STOP_BOUND_MS, `stopped in ${stopped.ms} ms`);

    // The interrupted run left a consistent state: a restart finishes, a second run is a no-op.
    const done = await cli(config, ["sync", dir, "--json"]);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(Object.keys((await workspaceRows(workspaceId)).live).length, 3_000);
    const again = JSON.parse((await cli(config, ["sync", dir, "--json"])).stdout);
    assert.deepEqual([again.uploaded, again.downloaded, again.deleted], [0, 0, 0]);
    const after = await status(config, dir);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.body.pending, 0);
  } finally {
    await daemon.stop("SIGKILL");
    await removeDirs(dir);
  }
});

Deno.test("while runs keep failing: status shows the error, flush fails fast with it, SIGTERM stops within 3 s", async () => {
  const { config, workspace } = await account("field-failing");
  const { dir } = await initRoot(config, workspace);
  // The server is unreachable for this daemon (nothing listens on port 9).
  const down = { ...config, url: "http://127.0.0.1:9" };
  const daemon = new Proc(down, ["watch", dir]);
  try {
    await eventually(
      async () => {
        const now = await status(down, dir);
        return now.body.lastError !== null && now.body.lastError !== undefined;
      },
      60_000,
      "the daemon to report its failure",
    );
    const now = await status(down, dir);
    assert.equal(now.code, 1, "status exits 1 (retry later) while the daemon fails");
    assert.ok((now.body.daemon as { failures: number }).failures >= 1);

    await Deno.writeTextFile(join(dir, "turn.md"), "end of turn\n");
    const flushed = await cli(down, ["flush", dir]);
    assert.equal(flushed.code, 1, flushed.stderr);
    assert.ok(flushed.ms < 5_000, `flush answered in ${flushed.ms} ms`);
    assert.match(flushed.stderr, /the sandsync daemon: /);

    const stopped = await daemon.stop("SIGTERM");
    assert.equal(stopped.code, 0, daemon.stderr);
    assert.ok(stopped.ms <= STOP_BOUND_MS, `stopped in ${stopped.ms} ms`);
  } finally {
    await daemon.stop("SIGKILL");
    await removeDirs(dir);
  }
});

Deno.test("a daemon whose workspace is deleted stops with exit 5 and says why", async () => {
  const { config, client, workspace } = await account("field-deleted");
  const { dir, workspaceId } = await initRoot(config, workspace);
  const daemon = await startDaemon(config, dir);
  try {
    const deleted = await client.call("DELETE", `workspaces/${workspaceId}`);
    assert.equal(deleted.status, 200);
    await Deno.writeTextFile(join(dir, "late.txt"), "after the delete\n");
    const code = await Promise.race([
      daemon.exit(),
      new Promise<number>((resolve) => setTimeout(() => resolve(-1), 60_000)),
    ]);
    assert.equal(code, 5, daemon.stderr);
    assert.match(daemon.stderr, /the daemon stops: .*\[workspace_not_found\]/);
    const after = await status(config, dir);
    assert.equal(after.code, 5, "status still says what is wrong");
  } finally {
    await daemon.stop("SIGKILL");
    await removeDirs(dir);
  }
});
