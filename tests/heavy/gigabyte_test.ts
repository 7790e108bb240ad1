import assert from "node:assert/strict";
import { join } from "node:path";
import { hashPath, trackPeakRss, writeLargeFile } from "../agent/robust_support.ts";
import { newAccount, newRoot, spawnCli } from "../agent/support.ts";

const GiB = 1024 * 1024 * 1024;
const RSS_LIMIT = 300 * 1024 * 1024;

/** Runs `sandsync sync <dir>` as its own process; returns its exit code and peak RSS. */
async function syncMeasured(config: Parameters<typeof spawnCli>[0], dir: string) {
  const started = performance.now();
  const child = spawnCli(config, ["sync", dir, "--json"]);
  const rss = trackPeakRss(child.pid);
  const output = await child.output();
  const peak = await rss.stop();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: output.code,
    stdout: text(output.stdout),
    stderr: text(output.stderr),
    peak,
    seconds: (performance.now() - started) / 1000,
  };
}

Deno.test("a 1 GiB file moves from one agent directory to another intact, agent memory flat", async () => {
  const { config, workspace } = await newAccount("gigabyte");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  a.close();
  b.close();
  try {
    const file = join(a.dir, "data/one-gig.bin");
    await writeLargeFile(file, GiB);
    const sha256 = await hashPath(file);

    const up = await syncMeasured(config, a.dir);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(JSON.parse(up.stdout).uploaded, 1);
    const down = await syncMeasured(config, b.dir);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(JSON.parse(down.stdout).downloaded, 1);
    const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
    console.log(
      `upload ${up.seconds.toFixed(1)} s (peak RSS ${mb(up.peak)}), ` +
        `download ${down.seconds.toFixed(1)} s (peak RSS ${mb(down.peak)})`,
    );
    assert.ok(up.peak > 0 && up.peak < RSS_LIMIT, `uploading agent peaked at ${mb(up.peak)}`);
    assert.ok(
      down.peak > 0 && down.peak < RSS_LIMIT,
      `downloading agent peaked at ${mb(down.peak)}`,
    );
    assert.equal(await hashPath(join(b.dir, "data/one-gig.bin")), sha256);
  } finally {
    await Deno.remove(a.dir, { recursive: true }).catch(() => {});
    await Deno.remove(b.dir, { recursive: true }).catch(() => {});
  }
});
