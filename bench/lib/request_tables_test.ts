import assert from "node:assert/strict";
import type { AgentRun } from "./agent_cli.ts";
import { hostedTable, requestsTable } from "./request_tables.ts";

const run = (ms: number, requests: Record<string, number>): AgentRun => ({
  ms,
  peakRss: 0,
  outcome: {
    uploaded: 0,
    downloaded: 0,
    deleted: 0,
    skipped: 0,
    bytes: 0,
    durationMs: ms - 100,
    hashed: 0,
  },
  requests,
});

Deno.test("requestsTable() lists every endpoint once, sums each column's runs and totals", () => {
  const table = requestsTable([
    { heading: "up", runs: [run(1, { "POST functions/sync/commit": 2 })] },
    {
      heading: "down",
      runs: [run(1, { "GET storage/object/sign": 1200 }), run(1, { "GET storage/object/sign": 1 })],
    },
  ]);
  assert.deepEqual(table, [
    "| endpoint | up | down |",
    "|---|---:|---:|",
    "| `GET storage/object/sign` |  | 1,201 |",
    "| `POST functions/sync/commit` | 2 |  |",
    "| total | 2 | 1,201 |",
  ]);
});

Deno.test("hostedTable() puts the delayed runs beside the undelayed ones", () => {
  const pair = (ms: number) => ({ upload: run(ms, { a: 3 }), download: run(ms, { b: 4 }) });
  const table = hostedTable({ delayMs: 25, ...pair(3000) }, pair(1000));
  assert.equal(table.at(-1), "| A → B | 2.00 s (1.80) | 6.00 s (5.80) | 7 |");
  assert.equal(
    hostedTable({ delayMs: 25, ...pair(3000) }, undefined).at(-3),
    "| A uploads |  | 3.00 s (2.90) | 3 |",
  );
});
