/**
 * The request tables of `bench/agent.ts`: HTTP requests per endpoint for a few measures side
 * by side, and the initial sync of the corpus with a hosted project's latency emulated.
 *
 * @module
 */
import type { AgentRun } from "./agent_cli.ts";
import { type RequestCounts, sumCounts, totalRequests } from "./counting_proxy.ts";

/** One column of {@linkcode requestsTable}: a heading and the runs it adds up. */
export interface RequestColumn {
  readonly heading: string;
  readonly runs: readonly AgentRun[];
}

const count = (n: number | undefined) => n === undefined || n === 0 ? "" : n.toLocaleString("en");

/** Rows: every endpoint any column used, then the total; one column per measure. */
export function requestsTable(columns: readonly RequestColumn[]): string[] {
  const sums: RequestCounts[] = columns.map((column) =>
    sumCounts(column.runs.map((run) => run.requests ?? {}))
  );
  const endpoints = [...new Set(sums.flatMap((sum) => Object.keys(sum)))].sort();
  return [
    `| endpoint | ${columns.map((column) => column.heading).join(" | ")} |`,
    `|---|${columns.map(() => "---:").join("|")}|`,
    ...endpoints.map((endpoint) =>
      `| \`${endpoint}\` | ${sums.map((sum) => count(sum[endpoint])).join(" | ")} |`
    ),
    `| total | ${sums.map((sum) => count(totalRequests(sum))).join(" | ")} |`,
  ];
}

/** The initial sync through the proxy with `delayMs` each way, beside the same without delay. */
export function hostedTable(
  hosted: { delayMs: number; upload: AgentRun; download: AgentRun },
  direct: { upload: AgentRun; download: AgentRun } | undefined,
): string[] {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const time = (runs: AgentRun[]) =>
    `${s(runs.reduce((sum, run) => sum + run.ms, 0))} s (${
      s(runs.reduce((sum, run) => sum + run.outcome.durationMs, 0))
    })`;
  const requests = (runs: AgentRun[]) =>
    totalRequests(sumCounts(runs.map((run) => run.requests ?? {}))).toLocaleString("en");
  const row = (
    what: string,
    pick: (pair: { upload: AgentRun; download: AgentRun }) => AgentRun[],
  ) =>
    `| ${what} | ${direct ? time(pick(direct)) : ""} | ${time(pick(hosted))} | ${
      requests(pick(hosted))
    } |`;
  return [
    `Initial sync of the corpus A → B (a fresh account) with ${hosted.delayMs} ms added each ` +
    `way to every request by the proxy (${2 * hosted.delayMs} ms a round trip, bandwidth not ` +
    "limited), as a hosted project far from the agent would answer; beside it the same sync " +
    "with no delay (the corpus table's run). Wall time, the engine's `durationMs` in brackets:",
    "",
    `| initial sync | no delay | ${hosted.delayMs} ms each way | requests |`,
    "|---|---:|---:|---:|",
    row("A uploads", (pair) => [pair.upload]),
    row("B downloads", (pair) => [pair.download]),
    row("A → B", (pair) => [pair.upload, pair.download]),
  ];
}
