// Scale with bytes, not with files: the initial sync of 5,000 files (1 KiB to 3 MiB, sizes spread
// like the benchmark corpus's: 50 files above 256 KiB) from A to B, two real `sandsync sync` processes, makes at most 100
// HTTP requests in all, every one counted by a proxy in front of the stack (functions and
// Storage, signed downloads included). Before packs, B alone made one request per file.
import assert from "node:assert/strict";
import { join } from "node:path";
import { Agent } from "../../agent/agent.ts";
import { CountingProxy, totalRequests } from "../../bench/lib/counting_proxy.ts";
import { syncOnce } from "../../bench/lib/agent_cli.ts";
import { newAccount, removeRoot } from "./support.ts";

const FILES = 5_000;
const MAX_REQUESTS = 100;

/**
 * File `i`: distinct bytes; 1 KiB mostly, 10 KiB every tenth, 300 KiB every hundredth, 3 MiB
 * every thousandth.
 */
function content(i: number): string {
  const size = i % 1000 === 0
    ? 3 * 1024 * 1024
    : i % 100 === 0
    ? 300 * 1024
    : i % 10 === 0
    ? 10 * 1024
    : 1024;
  const line = `export const value${i} = ${i}; // generated module\n`;
  return line.repeat(Math.ceil(size / line.length)).slice(0, size);
}

Deno.test("the initial sync of 5,000 files up to 3 MiB makes at most 100 HTTP requests", async () => {
  const { config: direct, workspace } = await newAccount("request-count");
  const proxy = CountingProxy.start({ target: direct.url });
  const config = { ...direct, url: proxy.url };
  const base = await Deno.makeTempDir({ prefix: "sandsync-requests-" });
  const [a, b] = [join(base, "a"), join(base, "b")];
  try {
    for (const dir of [a, b]) {
      await Deno.mkdir(dir);
      (await Agent.init(dir, workspace, config, { log: () => {} })).agent.close();
    }
    for (let i = 0; i < FILES; i++) {
      const dir = join(a, `pkg-${String(Math.floor(i / 100)).padStart(2, "0")}`);
      if (i % 100 === 0) await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(join(dir, `mod-${i}.ts`), content(i));
    }
    proxy.take();
    const upload = await syncOnce(config, a);
    assert.equal(upload.outcome.uploaded, FILES, JSON.stringify(upload.outcome));
    const uploads = proxy.take();
    const download = await syncOnce(config, b);
    assert.equal(download.outcome.downloaded, FILES, JSON.stringify(download.outcome));
    const downloads = proxy.take();
    console.log(`requests: A ${JSON.stringify(uploads)}, B ${JSON.stringify(downloads)}`);

    // Downloads come from Storage through the proxy: none counted would mean they went around.
    assert.ok(Object.keys(downloads).some((endpoint) => endpoint.startsWith("GET storage/")));
    const total = totalRequests(uploads) + totalRequests(downloads);
    assert.ok(total <= MAX_REQUESTS, `${total} requests for ${FILES} files`);
    for (const i of [0, 1, 10, 100, 1_000, 4_999]) {
      const path = join(`pkg-${String(Math.floor(i / 100)).padStart(2, "0")}`, `mod-${i}.ts`);
      assert.equal(await Deno.readTextFile(join(b, path)), content(i), path);
    }
  } finally {
    await proxy.close();
    for (const dir of [a, b]) await removeRoot(dir);
    await Deno.remove(base, { recursive: true }).catch(() => {});
  }
});
