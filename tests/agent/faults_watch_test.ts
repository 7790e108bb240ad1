import assert from "node:assert/strict";
import { join } from "node:path";
import { FaultProxy } from "../support/fault_proxy.ts";
import { hashTree, randomBytes, workspaceRows } from "./robust_support.ts";
import { eventually, newAccount, newRoot, spawnCli, write } from "./support.ts";

async function stop(child: Deno.ChildProcess) {
  try {
    child.kill("SIGTERM");
  } catch { /* exited */ }
  const status = await child.status;
  await child.stdout.cancel().catch(() => {});
  await child.stderr.cancel().catch(() => {});
  return status;
}

Deno.test("watch daemons through a faulty proxy keep both directories in step", async () => {
  const { config, workspace } = await newAccount("faults-watch");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  const workspaceId = a.workspaceId;
  a.close();
  b.close();
  // Long polls and small commits move few bytes: resets come early in a connection's life.
  const proxy = await FaultProxy.start({
    target: config.url,
    schedule: [{ kind: "drop" }, { kind: "reset", afterBytes: 500 }],
    rates: { drop: 0.15, reset: 0.3, close: 0.1, delay: 0.2 },
    resetAfterBytes: [100, 64 * 1024],
    maxFaults: 30,
    faultWindowMs: 15_000,
    ...(Deno.env.get("FAULT_SEED") ? { seed: Number(Deno.env.get("FAULT_SEED")) } : {}),
  });
  console.log(`fault proxy seed ${proxy.seed}`);
  const via = { ...config, url: proxy.url };
  const watchA = spawnCli(via, ["watch", a.dir, "--quiet"]);
  const watchB = spawnCli(via, ["watch", b.dir, "--quiet"]);
  try {
    await write(a.dir, "keep.txt", "stays\n");
    for (let i = 0; i < 6; i++) {
      await write(a.dir, `live/a${i}.txt`, `from A ${i}\n`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await write(a.dir, "live/blob.bin", randomBytes(7 * 1024 * 1024));
    await write(b.dir, "live/from-b.txt", "from B\n");
    const same = async () => {
      const [left, right] = [await hashTree(a.dir), await hashTree(b.dir)];
      return Object.keys(left).length === 9 && JSON.stringify(left) === JSON.stringify(right);
    };
    await eventually(same, 60_000, "both directories to hold all 9 files");
    await Deno.remove(join(b.dir, "live/a0.txt"));
    await write(b.dir, "live/a1.txt", "edited in B\n");
    await eventually(
      // (The guarded replace moves the old file aside for an instant: absent counts as "not yet".)
      () =>
        Deno.readTextFile(join(a.dir, "live/a1.txt")).then(
          (t) => t === "edited in B\n",
          () => false,
        ),
      60_000,
      "B's edit in A",
    );
    await eventually(
      () => Deno.stat(join(a.dir, "live/a0.txt")).then(() => false, () => true),
      60_000,
      "B's delete in A",
    );
    const local = await hashTree(a.dir);
    assert.deepEqual(await hashTree(b.dir), local);
    const rows = await workspaceRows(workspaceId);
    assert.deepEqual(rows.live, local);
    assert.deepEqual(rows.conflicts, []);
    console.log(`faults injected: ${JSON.stringify(proxy.stats)}`);
    assert.ok(proxy.faults >= 2, JSON.stringify(proxy.stats));
  } finally {
    await stop(watchA);
    await stop(watchB);
    await proxy.close();
    await Deno.remove(a.dir, { recursive: true }).catch(() => {});
    await Deno.remove(b.dir, { recursive: true }).catch(() => {});
  }
});
