/**
 * The large-file part of `bench/agent.ts`: one random file of `bytes` moved A → B by two
 * agents (`sandsync sync` processes: scan and hash, TUS upload, commit; then signed-URL
 * download, verify, rename), against `curl -T` and a `curl` download of a signed URL to the
 * same Storage server, side by side; with each agent process's peak RSS.
 *
 * @module
 */
import { join } from "node:path";
import { Agent, type AgentConfig } from "../../agent/agent.ts";
import { loadStackEnv } from "../../tests/support/stack_env.ts";
import { syncOnce } from "./agent_cli.ts";
import {
  createBucket,
  curlDownload,
  curlUpload,
  sha256OfFile,
  signedUrl,
  writeRandomFile,
} from "./curl_storage.ts";
import { megabytesPerSecond } from "./stats.ts";

/** Runs the transfers under `dir` (removed afterwards); returns the Markdown table lines. */
export async function largeTransfers(
  config: AgentConfig,
  dir: string,
  bytes: number,
  log: (message: string) => void,
): Promise<{ table: string[] }> {
  const env = loadStackEnv();
  const [a, b] = [join(dir, "a"), join(dir, "b")];
  const workspace = `ws-large-${crypto.randomUUID().slice(0, 8)}`;
  for (const root of [a, b]) {
    await Deno.mkdir(root, { recursive: true });
    (await Agent.init(root, workspace, config, { log: () => {} })).agent.close();
  }
  try {
    const file = join(a, "large.bin");
    await writeRandomFile(file, bytes);
    const sha256 = await sha256OfFile(file);
    const target = { bucket: await createBucket(env), key: `raw-${crypto.randomUUID()}.bin` };
    log("curl upload");
    const curlUp = await curlUpload(env, file, target);
    log("sandsync upload");
    const up = await syncOnce(config, a);
    if (up.outcome.uploaded !== 1 || up.outcome.bytes !== bytes) {
      throw new Error(`large upload: ${JSON.stringify(up.outcome)}`);
    }
    log("curl download");
    const copy = join(dir, "curl-copy.bin");
    const curlDown = await curlDownload(await signedUrl(env, target), copy);
    await Deno.remove(copy);
    log("sandsync download");
    const down = await syncOnce(config, b);
    if (down.outcome.downloaded !== 1) throw new Error(`large download: ${JSON.stringify(down)}`);
    if (await sha256OfFile(join(b, "large.bin")) !== sha256) {
      throw new Error("large download: SHA-256 differs from the file written in A");
    }
    const mbps = (ms: number) => megabytesPerSecond(bytes, ms);
    const row = (what: string, ms: number, reference: number, rss?: number) =>
      `| ${what} | ${(ms / 1000).toFixed(2)} s | ${mbps(ms).toFixed(0)} | ${
        (mbps(ms) / mbps(reference)).toFixed(2)
      } | ${rss === undefined ? "" : `${(rss / 1024 / 1024).toFixed(0)} MiB`} |`;
    return {
      table: [
        `${(bytes / 1024 / 1024).toFixed(0)} MiB of random bytes, one run each, side by side ` +
        "(sandsync: wall time of the `sandsync sync` process; ratio: MB/s over curl's):",
        "",
        "| transfer | time | MB/s | ratio to curl | peak RSS (VmHWM) |",
        "|---|---:|---:|---:|---:|",
        row("`curl -T` POST to Storage (reference)", curlUp, curlUp),
        row(
          "sandsync upload: scan + SHA-256, TUS (6 MiB chunks), commit",
          up.ms,
          curlUp,
          up.peakRss,
        ),
        row("`curl` GET of a signed URL to a file (reference)", curlDown, curlDown),
        row(
          "sandsync download: signed URL, SHA-256 while streaming, fsync, rename",
          down.ms,
          curlDown,
          down.peakRss,
        ),
      ],
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
