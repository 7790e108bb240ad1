/**
 * The Markdown tables of `bench/agent.ts`: the corpus against unison, the many-files no-op,
 * and the propagation latency. Ratios are sandsync over the reference (lower is better).
 *
 * @module
 */
import type { AgentRun } from "./agent_cli.ts";
import { type RequestCounts, sumCounts, totalRequests } from "./counting_proxy.ts";
import { percentile } from "./stats.ts";

const median = (values: number[]) => percentile(values, 50);
const s = (ms: number) => (ms / 1000).toFixed(2);
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const ratio = (ours: number, theirs: number) => `${(ours / theirs).toFixed(2)}×`;
const wall = (runs: AgentRun[]) => runs.reduce((sum, run) => sum + run.ms, 0);
const engine = (runs: AgentRun[]) => runs.reduce((sum, run) => sum + run.outcome.durationMs, 0);
/** "wall s (engine s)" of one or more runs. */
const both = (runs: AgentRun[]) => `${s(wall(runs))} s (${s(engine(runs))})`;
const medianRun = (runs: AgentRun[]) => [...runs].sort((x, y) => x.ms - y.ms)[runs.length >> 1]!;
/** HTTP requests of one or more runs ("" when they were not counted). */
const requests = (runs: AgentRun[]) =>
  runs.every((run) => run.requests)
    ? totalRequests(sumCounts(runs.map((run) => run.requests!))).toLocaleString("en")
    : "";

/** unison's timings on the corpus, ms. */
export interface UnisonTimes {
  readonly initial: number[];
  readonly noop: number[];
  readonly edits: number[];
}

/** The agent's runs on the corpus. */
export interface AgentCorpusRuns {
  readonly files: number;
  readonly upload: AgentRun;
  readonly download: AgentRun;
  readonly noop: AgentRun[];
  /** Per round: sync A, sync B, sync A. */
  readonly edits: AgentRun[][];
}

/** The corpus table: initial sync, no-op rescan, 10+10 edits. */
export function corpusTable(unison: UnisonTimes, agent: AgentCorpusRuns, rounds: number) {
  const initial = [agent.upload, agent.download];
  const noop = medianRun(agent.noop);
  const edits = [...agent.edits].sort((x, y) => wall(x) - wall(y))[agent.edits.length >> 1]!;
  return [
    `Medians of ${rounds} rounds (sandsync's initial sync: one run). sandsync: wall time of ` +
    "`sandsync sync --json` processes, Deno start-up included, with the engine's own " +
    "`durationMs` in brackets. Ratio: sandsync / unison. Requests: every HTTP request the " +
    "agents made (functions and Storage), counted by a proxy in front of the stack.",
    "",
    "| measure | unison -batch -auto | sandsync | ratio | requests |",
    "|---|---:|---:|---:|---:|",
    `| initial sync A → B (unison: a local copy) | ${s(median(unison.initial))} s | ${
      both(initial)
    } | ${ratio(wall(initial), median(unison.initial))} | ${requests(initial)} |`,
    `| — A uploads ${agent.files} files, ${mib(agent.upload.outcome.bytes)} MiB | | ${
      both([agent.upload])
    } | | ${requests([agent.upload])} |`,
    `| — B downloads them | | ${both([agent.download])} | | ${requests([agent.download])} |`,
    `| no-op rescan (files hashed: ${agent.noop.map((r) => r.outcome.hashed).join(", ")}) | ${
      s(median(unison.noop))
    } s | ${both([noop])} | ${ratio(noop.ms, median(unison.noop))} | ${requests([noop])} |`,
    `| 10+10 edits (sandsync: sync A, sync B, sync A) | ${s(median(unison.edits))} s | ${
      both(edits)
    } | ${ratio(wall(edits), median(unison.edits))} | ${requests(edits)} |`,
  ];
}

/** The many-files table: the agent's no-op rescans against unison's. */
export function treeTable(
  tree: { upload: AgentRun; noop: AgentRun[]; unisonNoop: number[] },
  files: number,
) {
  const noop = medianRun(tree.noop);
  return [
    `${files.toLocaleString("en")} small generated files (100 per directory), medians:`,
    "",
    "| measure | unison -batch -auto | sandsync | ratio | requests |",
    "|---|---:|---:|---:|---:|",
    `| no-op rescan (files hashed: ${tree.noop.map((r) => r.outcome.hashed).join(", ")}) | ${
      s(median(tree.unisonNoop))
    } s | ${both([noop])} | ${ratio(noop.ms, median(tree.unisonNoop))} | ${requests([noop])} |`,
    `| (the first upload of the tree, for scale) | | ${both([tree.upload])} | | ${
      requests([tree.upload])
    } |`,
  ];
}

/** The latency table (requests: what both daemons sent during the timed edits, if counted). */
export function latencyTable(
  latency: { samples: number[]; rssA: number; rssB: number; requests?: RequestCounts },
) {
  const ms = (p: number) => `${percentile(latency.samples, p).toFixed(0)} ms`;
  const perEdit = latency.requests
    ? (totalRequests(latency.requests) / latency.samples.length).toFixed(1)
    : "";
  return [
    `Propagation latency: a write in A until B holds the same bytes, both agents watching the ` +
    `synced corpus, ${latency.samples.length} edits (goal: p50 < 100 ms, p99 < 400 ms; ` +
    "Syncthing with its minimum watcher delay: p50 1,018 ms on this kind of machine):",
    "",
    "| p50 | p95 | p99 | max | watch daemons' peak RSS (A, B) | requests per edit (A + B) |",
    "|---:|---:|---:|---:|---:|---:|",
    `| ${ms(50)} | ${ms(95)} | ${ms(99)} | ${Math.max(...latency.samples).toFixed(0)} ms | ${
      mib(latency.rssA)
    } MiB, ${mib(latency.rssB)} MiB | ${perEdit} |`,
  ];
}
