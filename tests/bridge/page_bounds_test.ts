/**
 * The bridge reads a tree at once (issue 16): a pull page makes a bounded number of envd requests
 * whatever the number of files it moves (counted at the stand-in, for a 10-file and a 2,000-file
 * tree of the same shape), and every page's logged usage stays within a hosted function's
 * limits (2 s of CPU, 256 MB of memory, 150 s of wall clock). A restore page is bounded the same
 * way.
 */
import assert from "node:assert/strict";
import { waitForLogObjects } from "../support/function_logs.ts";
import { type BridgePage, ROOT, treeHashes, withBridge, workspaceFiles } from "./bridge_support.ts";
import type { EnvdStandin } from "../e2b_standin/standin.ts";
import type { ApiClient } from "../support/api.ts";

/**
 * envd requests one page may make on this tree. A pull page makes 7: the root's info and
 * listing, `.gitignore`, its one top-level directory's listing, one command (hash and archive),
 * one download of the archive, its removal. A restore page makes 6: the root's info and listing,
 * `.gitignore`, one inspection, one upload, one install. (In general: a pull page 5 plus the
 * root's ignore files and top-level directories, a restore page 4 plus the ignore files, each
 * plus one per command longer than 100 KiB; never one per file.)
 */
const MAX_ENVD_REQUESTS_PER_PAGE = 10;

/** Hosted Edge Function limits a page must stay within. */
const LIMITS = { cpuMs: 2000, memoryMb: 256, wallMs: 150_000 };

/** `n` files of a few KB in 40 directories under one top-level directory `top`. */
function tree(n: number, top = "src"): Record<string, string> {
  const files: Record<string, string> = { ".gitignore": "dist/\n" };
  for (let i = 0; i < n; i++) {
    files[`${top}/mod-${i % 40}/file-${i}.ts`] = `// ${top} file ${i}\n` +
      `export const value${i} = ${i};\n`.repeat(20 + (i % 50));
  }
  return files;
}

/** envd's own routes (not E2B's control API) that a request reached. */
function envdCalls(standin: EnvdStandin, from: number, sandboxId: string): string[] {
  return standin.requests.slice(from)
    .filter((r) => r.sandboxId === sandboxId && !/ \/(v2\/)?sandboxes\b/.test(r.call))
    .map((r) => r.call);
}

/** Runs `op` page by page, counting the envd requests of each page. */
async function pages(
  client: ApiClient,
  standin: EnvdStandin,
  op: "pull" | "restore",
  body: { workspaceId: string; sandboxId: string; root: string },
) {
  const counts: number[] = [];
  const answers: BridgePage[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const before = standin.requests.length;
    const answer = await client.call<BridgePage>("POST", `e2b-bridge/${op}`, { ...body, cursor });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    counts.push(envdCalls(standin, before, body.sandboxId).length);
    answers.push(answer.body);
    if (answer.body.done) break;
    cursor = answer.body.cursor ?? undefined;
  }
  return { counts, answers };
}

/** The usage lines the bridge logged for `op` on the workspace, one per page. */
async function pageLogs(workspaceId: string, sandboxId: string, op: string, count: number) {
  const logs = await waitForLogObjects(
    "e2b-bridge",
    (line) =>
      line.event === "page" && line.op === op && line.workspaceId === workspaceId &&
      line.sandboxId === sandboxId,
    count,
  );
  assert.equal(logs.length, count, `one usage line per ${op} page`);
  return logs;
}

function assertWithinLimits(logs: Record<string, unknown>[]) {
  for (const line of logs) {
    const { cpuMs, heapMb, wallMs } = line as Record<string, number>;
    assert.ok(typeof cpuMs === "number" && cpuMs <= LIMITS.cpuMs, `CPU ${cpuMs} ms`);
    // The heap (plus external buffers) is what a hosted isolate's limit counts; the local
    // worker's resident set (also logged) holds the Deno runtime and every earlier test's pages.
    assert.ok(typeof heapMb === "number" && heapMb <= LIMITS.memoryMb, `heap ${heapMb} MB`);
    assert.ok(typeof wallMs === "number" && wallMs <= LIMITS.wallMs, `wall ${wallMs} ms`);
  }
}

Deno.test("a pull page makes at most 10 envd requests for 10 or 2,000 files, within 2 s CPU and 256 MB", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox, standin }) => {
    const small = await sandbox(tree(10, "few"));
    const few = await pages(client, standin, "pull", {
      workspaceId,
      sandboxId: small.id,
      root: ROOT,
    });
    assert.equal(few.answers.reduce((n, page) => n + page.pulled, 0), 11);

    const large = await sandbox(tree(2000, "many"));
    const many = await pages(client, standin, "pull", {
      workspaceId,
      sandboxId: large.id,
      root: ROOT,
    });
    assert.equal(many.answers.reduce((n, page) => n + page.pulled, 0), 2000); // .gitignore known
    assert.ok(many.counts.length >= 8, "2,000 files at 250 per page");
    for (const count of [...few.counts, ...many.counts]) {
      assert.ok(count <= MAX_ENVD_REQUESTS_PER_PAGE, `${count} envd requests in one page`);
    }
    // Independent of the number of files: a page of 250 costs what a page of 10 does.
    assert.ok(Math.max(...many.counts) <= Math.max(...few.counts) + 1, JSON.stringify(many));
    assert.equal((await workspaceFiles(sql, workspaceId)).size, 2011);

    assertWithinLimits(await pageLogs(workspaceId, small.id, "pull", few.counts.length));
    assertWithinLimits(await pageLogs(workspaceId, large.id, "pull", many.counts.length));
  }));

Deno.test("a restore page makes at most 10 envd requests for 2,000 files, within 2 s CPU and 256 MB", () =>
  withBridge(async ({ client, workspaceId, sandbox, standin }) => {
    const source = await sandbox(tree(2000));
    await pages(client, standin, "pull", { workspaceId, sandboxId: source.id, root: ROOT });
    const target = await sandbox();
    const restored = await pages(client, standin, "restore", {
      workspaceId,
      sandboxId: target.id,
      root: ROOT,
    });
    assert.equal(restored.answers.reduce((n, page) => n + page.written, 0), 2001);
    assert.deepEqual(await treeHashes(target.root), await treeHashes(source.root));
    // Every page but the last (which also removes extras and writes the manifest) is bounded.
    for (const count of restored.counts.slice(0, -1)) {
      assert.ok(count <= MAX_ENVD_REQUESTS_PER_PAGE, `${count} envd requests in one page`);
    }
    assertWithinLimits(
      await pageLogs(workspaceId, target.id, "restore", restored.counts.length),
    );
  }));
