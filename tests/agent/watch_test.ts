import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256Hex } from "../../shared/hash.ts";
import { cleanup, eventually, newAccount, newRoot, runCli, spawnCli, write } from "./support.ts";

async function stopProcess(child: Deno.ChildProcess, signal: Deno.Signal = "SIGTERM") {
  try {
    child.kill(signal);
  } catch { /* exited */ }
  const status = await child.status;
  await child.stdout.cancel().catch(() => {});
  await child.stderr.cancel().catch(() => {});
  return status;
}

Deno.test("watch mode: a change in A appears in B quickly (asserted under 10 s), both ways", async () => {
  const { config, workspace } = await newAccount("watch");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  a.close();
  b.close();
  const watchA = spawnCli(config, ["watch", a.dir, "--quiet"]);
  const watchB = spawnCli(config, ["watch", b.dir, "--quiet"]);
  try {
    await eventually(
      async () => {
        const status = await runCli(config, ["status", b.dir, "--json"]);
        return status.code === 0 && JSON.parse(status.stdout).watching === true;
      },
      20_000,
      "watchers to start",
    );
    // (A root that comes up empty is restored, so A keeps one more file than it deletes.)
    await write(a.dir, "keep.txt", "stays\n");
    const started = Date.now();
    await write(a.dir, "live/hello.txt", "from A\n");
    await eventually(
      () =>
        Deno.readTextFile(join(b.dir, "live/hello.txt")).then((t) => t === "from A\n", () => false),
      10_000,
      "A's file in B",
    );
    const latency = Date.now() - started;
    console.log(`A -> B in ${latency} ms`);
    await write(b.dir, "live/hello.txt", "edited in B\n");
    await eventually(
      // (The guarded replace moves the old file aside for an instant: absent counts as "not yet".)
      () =>
        Deno.readTextFile(join(a.dir, "live/hello.txt")).then(
          (t) => t === "edited in B\n",
          () => false,
        ),
      10_000,
      "B's edit in A",
    );
    await Deno.remove(join(a.dir, "live/hello.txt"));
    await eventually(
      () => Deno.stat(join(b.dir, "live/hello.txt")).then(() => false, () => true),
      10_000,
      "A's delete in B",
    );
    // flush returns once A's change is committed; a one-shot reader then sees it.
    await write(a.dir, "turn.md", "end of turn\n");
    const flushed = await runCli(config, ["flush", a.dir, "--json"]);
    assert.equal(flushed.code, 0, flushed.stderr);
    const c = await newRoot(config, workspace);
    try {
      await c.sync();
      assert.equal(await Deno.readTextFile(join(c.dir, "turn.md")), "end of turn\n");
    } finally {
      await cleanup(c);
    }
  } finally {
    await stopProcess(watchA);
    await stopProcess(watchB);
    await Deno.remove(a.dir, { recursive: true }).catch(() => {});
    await Deno.remove(b.dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("a 50 MB file goes through TUS and arrives with the same SHA-256", async () => {
  const { config, workspace } = await newAccount("tus");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    const bytes = new Uint8Array(50 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 65536) {
      crypto.getRandomValues(bytes.subarray(i, i + 65536));
    }
    await write(a.dir, "big/blob.bin", bytes);
    const up = await a.sync();
    assert.equal(up.uploaded, 1);
    assert.equal(up.bytes, bytes.length);
    const down = await b.sync();
    assert.equal(down.downloaded, 1);
    assert.equal(sha256Hex(await Deno.readFile(join(b.dir, "big/blob.bin"))), sha256Hex(bytes));
  } finally {
    await cleanup(a, b);
  }
});

Deno.test("an agent killed with SIGKILL mid-sync converges after a restart, nothing lost", async () => {
  const { config, workspace } = await newAccount("kill");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  a.close();
  try {
    for (let i = 0; i < 300; i++) await write(a.dir, `k/f${i}.txt`, `content ${i}\n`);
    for (const delay of [150, 400]) {
      const child = spawnCli(config, ["sync", a.dir, "--quiet"]);
      await new Promise((resolve) => setTimeout(resolve, delay));
      await stopProcess(child, "SIGKILL");
    }
    const done = await runCli(config, ["sync", a.dir, "--json"]);
    assert.equal(done.code, 0, done.stderr);
    // A second run finds nothing left to do: the state survived the kills intact.
    const again = JSON.parse((await runCli(config, ["sync", a.dir, "--json"])).stdout);
    assert.deepEqual([again.uploaded, again.downloaded, again.deleted], [0, 0, 0]);
    await b.sync();
    const files = await Array.fromAsync(Deno.readDir(join(b.dir, "k")));
    assert.equal(files.length, 300);
    assert.equal(await Deno.readTextFile(join(b.dir, "k/f299.txt")), "content 299\n");
  } finally {
    await cleanup(b);
    await Deno.remove(a.dir, { recursive: true }).catch(() => {});
  }
});
