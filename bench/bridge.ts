/**
 * Benchmark of `e2b-bridge/pull` (gateway + the bridge function + the real `e2b` SDK + the envd
 * stand-in + Storage + Postgres): a 2,000-file tree pulled first in full, then again after 10
 * files changed (only those move). Reports files/s and MB/s of each pull. Run through
 * `deno task bench bridge`, which points the function at a stand-in port (E2B debug mode) that
 * this script listens on. `BENCH_BRIDGE_FILES` sets the tree size (default 2000).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { startEnvdStandin } from "../tests/e2b_standin/standin.ts";
import { newUser, newWorkspace } from "../tests/support/api.ts";
import { createE2bSandbox, ROOT, sandboxPort } from "../tests/bridge/bridge_support.ts";
import { megabytesPerSecond } from "./lib/stats.ts";

const count = Number(Deno.env.get("BENCH_BRIDGE_FILES") ?? 2000);
const temp = await Deno.makeTempDir({ prefix: "bench-bridge-" });
const standin = await startEnvdStandin({ root: temp, port: sandboxPort() });
const progress = (what: string) => console.error(`bench bridge: ${what}`);

interface Page {
  done: boolean;
  cursor: string | null;
  pulled: number;
  skipped: number;
  bytes: number;
}

try {
  const { client, id: userId } = await newUser("bench-bridge");
  // A sandbox created with the ownership metadata and attached through the API, as users do.
  const owned = async (workspaceId: string) => {
    const { id, dir } = await createE2bSandbox(standin, {
      sandsync_owner: userId,
      sandsync_workspace: workspaceId,
    });
    const bound = await client.call("PATCH", `workspaces/${workspaceId}`, { sandboxId: id });
    if (bound.status !== 200) throw new Error(`attach: ${JSON.stringify(bound.body)}`);
    return { sandboxId: id, dir };
  };
  const { workspaceId } = await newWorkspace(client);
  const { sandboxId, dir } = await owned(workspaceId);
  const root = join(dir, ROOT);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const file = join(root, `src/mod-${i % 50}/file-${i}.ts`);
    const text = `// file ${i}\n` + `export const value${i} = ${i};\n`.repeat(40 + (i % 80));
    await Deno.mkdir(dirname(file), { recursive: true });
    await Deno.writeTextFile(file, text);
    total += text.length;
  }

  const pull = async () => {
    const started = performance.now();
    let cursor: string | undefined;
    let pages = 0, pulled = 0, skipped = 0, bytes = 0;
    for (;;) {
      const answer = await client.call<Page>("POST", "e2b-bridge/pull", {
        workspaceId,
        sandboxId,
        root: ROOT,
        cursor,
      });
      if (answer.status !== 200) throw new Error(`pull: ${JSON.stringify(answer.body)}`);
      pages++;
      pulled += answer.body.pulled;
      skipped += answer.body.skipped;
      bytes += answer.body.bytes;
      if (answer.body.done) break;
      cursor = answer.body.cursor ?? undefined;
    }
    return { ms: performance.now() - started, pages, pulled, skipped, bytes };
  };

  // Warm the function worker (first start loads the SDK) on a one-file sandbox of its own.
  const { workspaceId: warmWorkspace } = await newWorkspace(client);
  const warm = await owned(warmWorkspace);
  await Deno.mkdir(join(warm.dir, ROOT), { recursive: true });
  await Deno.writeTextFile(join(warm.dir, ROOT, "w.txt"), "warm");
  await client.call("POST", "e2b-bridge/pull", {
    workspaceId: warmWorkspace,
    sandboxId: warm.sandboxId,
    root: ROOT,
  });

  progress(`first pull of ${count} files`);
  const first = await pull();
  for (let i = 0; i < 10; i++) {
    await Deno.writeTextFile(join(root, `src/mod-${i}/file-${i}.ts`), `changed ${i}\n`);
  }
  progress("second pull (10 files changed)");
  const second = await pull();

  const row = (name: string, run: typeof first) =>
    `| ${name} | ${run.pages} | ${run.pulled} | ${run.skipped} | ${
      (run.bytes / 1e6).toFixed(2)
    } | ${(run.ms / 1000).toFixed(2)} | ${(count / (run.ms / 1000)).toFixed(0)} | ${
      megabytesPerSecond(run.bytes, run.ms).toFixed(2)
    } |`;
  console.log(
    [
      `tree: ${count} files, ${(total / 1e6).toFixed(2)} MB; files/s counts every file looked at`,
      "",
      "| pull | pages | files moved | files skipped | MB moved | s | files/s | MB/s |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
      row("first (everything new)", first),
      row("second (10 changed)", second),
    ].join("\n"),
  );
} finally {
  await standin.close();
  await Deno.remove(temp, { recursive: true });
}
