/**
 * Benchmark of the `sandsync` agent (real processes, two directories, the local stack), with
 * the references timed side by side in the same run:
 * - the benchmark corpus (5,000 files, 52.2 MB): initial sync, no-op rescan and 10+10 edits
 *   against `unison -batch -auto` local-to-local; a no-op rescan of 20,000 files (nothing
 *   hashed, checked through `--json`);
 * - propagation latency, a write in A to the bytes in B, both agents in watch mode;
 * - a 1 GiB upload and download against `curl` to the same Storage server, and the agent's
 *   peak RSS (`VmHWM`);
 * - `hosted`: the initial sync of the corpus again, through a proxy that adds a hosted
 *   project's latency each way.
 *
 * Every agent but the 1 GiB part's reaches the stack through a counting proxy
 * (lib/counting_proxy.ts), so each measure comes with its HTTP requests per endpoint; the
 * 1 GiB part stays direct so that its MB/s compare with curl's direct transfers.
 *
 * Run through `deno task bench agent`. Environment: `BENCH_AGENT_EDITS` (timed edits of the
 * latency run, default 200), `BENCH_AGENT_ROUNDS` (rounds of no-op and edits, default 3),
 * `BENCH_AGENT_SKIP_LARGE=1` (skip the 1 GiB part), `BENCH_AGENT_LARGE_MB` (its size, default
 * 1024), `BENCH_AGENT_TREE_FILES` (the many-files tree, default 20,000),
 * `BENCH_AGENT_PARTS` (a comma list of `corpus`, `tree`, `latency`, `large`, `hosted`; default
 * all; `latency` is the propagation latency, `hosted` the emulated network latency),
 * `BENCH_AGENT_LATENCY_MS` (the `hosted` part's delay each way, default 25),
 * `BENCH_AGENT_CLI` (another checkout's `agent/cli.ts`, for before/after latency runs),
 * `SANDSYNC_CORPUS_SCRIPT`, `SANDSYNC_BENCH_CACHE` (see lib/corpus.ts).
 *
 * @module
 */
import { join } from "node:path";
import { newAccount } from "../tests/agent/support.ts";
import { Agent, type AgentConfig } from "../agent/agent.ts";
import { type AgentRun, startWatch, syncOnce, type WatchDaemon } from "./lib/agent_cli.ts";
import { copyTree, ensureCorpus } from "./lib/corpus.ts";
import { loadAverage, stopRunning } from "./lib/procs.ts";
import { measurePropagation } from "./lib/propagation.ts";
import { corpusTable, latencyTable, treeTable } from "./lib/agent_tables.ts";
import {
  appendEdits,
  assertSame,
  editRound,
  editTargets,
  listFiles,
  makeSmallTree,
} from "./lib/trees.ts";
import { ensureReferenceTools, unisonSync } from "./lib/unison.ts";
import { largeTransfers } from "./lib/large_transfers.ts";
import { CountingProxy } from "./lib/counting_proxy.ts";
import { hostedTable, requestsTable } from "./lib/request_tables.ts";

const EDITS = Number(Deno.env.get("BENCH_AGENT_EDITS") ?? 200);
const ROUNDS = Number(Deno.env.get("BENCH_AGENT_ROUNDS") ?? 3);
const SKIP_LARGE = Deno.env.get("BENCH_AGENT_SKIP_LARGE") === "1";
const LARGE_MB = Number(Deno.env.get("BENCH_AGENT_LARGE_MB") ?? 1024);
const SMALL_TREE = Number(Deno.env.get("BENCH_AGENT_TREE_FILES") ?? 20_000);
const LATENCY_MS = Number(Deno.env.get("BENCH_AGENT_LATENCY_MS") ?? 25);

const log = (message: string) => console.error(`bench agent: ${message} (load ${loadAverage()})`);
const loads: string[] = [];
const noteLoad = (what: string) => loads.push(`${what}: ${loadAverage()}`);

const temp = await Deno.makeTempDir({ prefix: "sandsync-bench-agent-" });
const daemons: WatchDaemon[] = [];
let proxy: CountingProxy | undefined;
let cleaned: Promise<void> | undefined;
const cleanup = () =>
  cleaned ??= (async () => {
    stopRunning();
    await Promise.all(daemons.map((daemon) => daemon.stop()));
    await proxy?.close();
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  })();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => void cleanup().then(() => Deno.exit(130)));
}

async function initPair(config: AgentConfig, workspace: string, a: string, b?: string) {
  for (const dir of b ? [a, b] : [a]) {
    await Deno.mkdir(dir, { recursive: true });
    (await Agent.init(dir, workspace, config, { log: () => {} })).agent.close();
  }
}

/** {@linkcode syncOnce} with the requests it made, when `config` points at the proxy. */
async function sync(config: AgentConfig, dir: string): Promise<AgentRun> {
  proxy?.take();
  const run = await syncOnce(config, dir);
  if (!proxy || config.url !== proxy.url) return run;
  const requests = proxy.take();
  // Downloads only come from Storage: none counted would mean they bypassed the proxy.
  if (
    run.outcome.downloaded > 0 && !Object.keys(requests).some((e) => e.startsWith("GET storage/"))
  ) {
    throw new Error(`sandsync sync ${dir}: downloads bypassed the counting proxy`);
  }
  return { ...run, requests };
}

function expect(run: AgentRun, want: Partial<AgentRun["outcome"]>, what: string) {
  for (const [key, value] of Object.entries(want)) {
    const got = run.outcome[key as keyof AgentRun["outcome"]];
    if (got !== value) {
      throw new Error(
        `${what}: ${key} is ${got}, expected ${value}: ${JSON.stringify(run.outcome)}`,
      );
    }
  }
  return run;
}

/** unison on fresh copies of the corpus, `ROUNDS` times: initial, no-op, 10+10 edits. */
async function unisonCorpus(corpusDir: string, targets: string[]) {
  const out = { initial: [] as number[], noop: [] as number[], edits: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const base = join(temp, `unison-${round}`);
    const [a, b] = [join(base, "a"), join(base, "b")];
    await copyTree(corpusDir, a);
    await Deno.mkdir(b, { recursive: true });
    const home = join(base, "home");
    await Deno.mkdir(home);
    out.initial.push(await unisonSync(a, b, home));
    out.noop.push(await unisonSync(a, b, home));
    const { a: onA, b: onB } = editRound(targets, round);
    await appendEdits(a, onA, `unison A ${round}`);
    await appendEdits(b, onB, `unison B ${round}`);
    out.edits.push(await unisonSync(a, b, home));
    await assertSame(a, b, [...onA, ...onB], "unison edits");
    await Deno.remove(base, { recursive: true });
  }
  return out;
}

/** The agent on the corpus: A uploads, B downloads, then no-op rescans and 10+10 edits. */
async function agentCorpus(config: AgentConfig, workspace: string, a: string, b: string) {
  const corpusFiles = await listFiles(a);
  await initPair(config, workspace, a, b);
  const upload = expect(await sync(config, a), { uploaded: corpusFiles.length }, "A initial");
  const download = expect(
    await sync(config, b),
    { downloaded: corpusFiles.length },
    "B initial",
  );
  await assertSame(a, b, corpusFiles, "initial sync");
  const noop: AgentRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    noop.push(
      expect(await sync(config, a), { uploaded: 0, downloaded: 0, hashed: 0 }, "no-op"),
    );
  }
  const edits: AgentRun[][] = [];
  const targets = editTargets(corpusFiles, ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    const { a: onA, b: onB } = editRound(targets, round);
    await appendEdits(a, onA, `sandsync A ${round}`);
    await appendEdits(b, onB, `sandsync B ${round}`);
    edits.push([
      expect(await sync(config, a), { uploaded: 10, hashed: 10 }, "edits: A pushes"),
      expect(await sync(config, b), { uploaded: 10, downloaded: 10 }, "edits: B"),
      expect(await sync(config, a), { uploaded: 0, downloaded: 10 }, "edits: A pulls"),
    ]);
    await assertSame(a, b, [...onA, ...onB], "sandsync edits");
  }
  return { files: corpusFiles.length, upload, download, noop, edits };
}

/** A 20,000-file tree: the agent's no-op rescans (nothing hashed) and unison's no-op. */
async function smallTree(config: AgentConfig) {
  const seed = join(temp, "seed-20k");
  await makeSmallTree(seed, SMALL_TREE);
  const dir = join(temp, "tree-20k");
  await copyTree(seed, dir);
  await initPair(config, `ws-20k-${crypto.randomUUID().slice(0, 8)}`, dir);
  const upload = expect(await sync(config, dir), { uploaded: SMALL_TREE }, "20k initial");
  const noop: AgentRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    noop.push(
      expect(await sync(config, dir), { uploaded: 0, downloaded: 0, hashed: 0 }, "20k no-op"),
    );
  }
  const [ua, ub, home] = ["u-a", "u-b", "u-home"].map((name) => join(temp, `20k-${name}`));
  await copyTree(seed, ua!);
  await Deno.mkdir(ub!);
  await Deno.mkdir(home!);
  await unisonSync(ua!, ub!, home!);
  const unisonNoop: number[] = [];
  for (let round = 0; round < ROUNDS; round++) unisonNoop.push(await unisonSync(ua!, ub!, home!));
  for (const path of [seed, dir, ua!, ub!, home!]) await Deno.remove(path, { recursive: true });
  return { upload, noop, unisonNoop };
}

/** Both agents watching; `EDITS` writes in A timed until B holds them. */
async function propagation(config: AgentConfig, a: string, b: string) {
  const watchA = startWatch(config, a);
  const watchB = startWatch(config, b);
  daemons.push(watchA, watchB);
  try {
    // Warm both paths (and wait for the daemons' first runs) before timing.
    await measurePropagation(a, b, { edits: 0, files: 3, pauseMs: 100, timeoutMs: 60_000 });
    proxy?.take();
    const samples = await measurePropagation(a, b, {
      edits: EDITS,
      onProgress: (done) => done % 50 === 0 && done > 0 && log(`latency: ${done}/${EDITS}`),
    });
    const requests = proxy?.take();
    return { samples, rssA: await watchA.peakRss(), rssB: await watchB.peakRss(), requests };
  } catch (error) {
    console.error(`watch A:\n${watchA.tail()}\nwatch B:\n${watchB.tail()}`);
    throw error;
  } finally {
    await watchA.stop();
    await watchB.stop();
  }
}

/**
 * The corpus's initial sync A → B for a fresh account (so no blob is stored yet), with the
 * proxy adding `LATENCY_MS` each way while the two syncs run.
 */
async function hostedInitialSync(proxy: CountingProxy, corpusDir: string) {
  const fresh = await newAccount("bench-agent-hosted");
  const config = { ...fresh.config, url: proxy.url };
  const [a, b] = [join(temp, "hosted-a"), join(temp, "hosted-b")];
  await copyTree(corpusDir, a);
  const files = await listFiles(a);
  await initPair(config, fresh.workspace, a, b);
  proxy.delayMs = LATENCY_MS;
  try {
    const upload = expect(await sync(config, a), { uploaded: files.length }, "hosted: A");
    const download = expect(await sync(config, b), { downloaded: files.length }, "hosted: B");
    await assertSame(a, b, files, "hosted initial sync");
    return { delayMs: LATENCY_MS, upload, download };
  } finally {
    proxy.delayMs = 0;
    for (const dir of [a, b]) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const PARTS = new Set(
  (Deno.env.get("BENCH_AGENT_PARTS") ?? "corpus,tree,latency,large,hosted").split(",")
    .filter((part) => part !== "large" || !SKIP_LARGE),
);

try {
  log(`unison: ${await ensureReferenceTools()}`);
  const corpus = await ensureCorpus(log);
  const { config: direct, workspace } = await newAccount("bench-agent");
  proxy = CountingProxy.start({ target: direct.url });
  const config = { ...direct, url: proxy.url };
  const out: string[] = [
    `Corpus: ${corpus.summary.replaceAll("\n", "; ")}${
      corpus.matchesReference ? "" : " (NOT the reference digest)"
    }.`,
  ];
  const [a, b] = [join(temp, "a"), join(temp, "b")];
  let corpusRuns: { upload: AgentRun; download: AgentRun } | undefined;
  if (PARTS.has("corpus") || PARTS.has("latency")) await copyTree(corpus.dir, a);
  if (PARTS.has("corpus")) {
    log("unison on the corpus");
    noteLoad("corpus, unison");
    const unison = await unisonCorpus(corpus.dir, editTargets(await listFiles(corpus.dir), ROUNDS));
    log("sandsync on the corpus");
    noteLoad("corpus, sandsync");
    const agent = await agentCorpus(config, workspace, a, b);
    corpusRuns = agent;
    out.push("", ...corpusTable(unison, agent, ROUNDS));
    out.push(
      "",
      "Requests per endpoint (method and route, ids and keys left out):",
      "",
      ...requestsTable([
        { heading: "A uploads", runs: [agent.upload] },
        { heading: "B downloads", runs: [agent.download] },
        { heading: "no-op (round 1)", runs: agent.noop.slice(0, 1) },
        { heading: "10+10 edits (round 1: A, B, A)", runs: agent.edits[0] ?? [] },
      ]),
    );
  } else if (PARTS.has("latency")) {
    await initPair(config, workspace, a, b); // (untimed: the latency part needs synced dirs)
    await sync(config, a);
    await sync(config, b);
  }
  if (PARTS.has("tree")) {
    log(`${SMALL_TREE} files`);
    noteLoad(`${SMALL_TREE} files`);
    out.push("", ...treeTable(await smallTree(config), SMALL_TREE));
  }
  if (PARTS.has("latency")) {
    log(`propagation latency (${EDITS} edits)`);
    noteLoad("latency");
    out.push("", ...latencyTable(await propagation(config, a, b)));
  }
  await Deno.remove(a, { recursive: true }).catch(() => {});
  await Deno.remove(b, { recursive: true }).catch(() => {});
  if (PARTS.has("large")) {
    log(`${LARGE_MB} MiB transfers`);
    noteLoad("large transfers");
    // Direct, as curl is: a proxy hop would be measured against curl's direct transfers.
    const large = await largeTransfers(direct, join(temp, "large"), LARGE_MB * 1024 * 1024, log);
    out.push("", ...large.table);
  } else out.push("", "(large transfers skipped)");
  if (PARTS.has("hosted")) {
    log(`initial sync with ${LATENCY_MS} ms each way`);
    noteLoad(`initial sync, ${LATENCY_MS} ms each way`);
    const hosted = await hostedInitialSync(proxy, corpus.dir);
    out.push("", ...hostedTable(hosted, corpusRuns));
    if (!corpusRuns) {
      out.push(
        "",
        ...requestsTable([
          { heading: "A uploads", runs: [hosted.upload] },
          { heading: "B downloads", runs: [hosted.download] },
        ]),
      );
    }
  }
  noteLoad("end");
  out.push("", `Load average (1, 5, 15 min) at the start of each part: ${loads.join("; ")}.`);
  console.log(out.join("\n"));
} finally {
  await cleanup();
}
