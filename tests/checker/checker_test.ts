/**
 * The randomized history checker (tests/checker/history.ts) at its default size: for each
 * strategy one history through the fault proxy and one with kill -9 and immediate restarts.
 * `CHECKER_SEED` replays a seed, `CHECKER_OPS` sets operations per history (default 100, so
 * 200 per strategy), `CHECKER_BIG_MB` the large binary's size (default 3). The long mode is
 * `deno task test:long` (scripts/test.ts --only long).
 */
import assert from "node:assert/strict";
import { type HistoryReport, passed, runHistory, type Strategy, summary } from "./history.ts";

const STRATEGIES: Strategy[] = ["last_write_wins", "user_intervention", "auto_merge"];
const MODES = ["faults", "kills"] as const;
const baseSeed = Number(Deno.env.get("CHECKER_SEED") ?? Math.floor(Math.random() * 2 ** 31));
const ops = Number(Deno.env.get("CHECKER_OPS") ?? 100);
const bigBytes = Math.round(Number(Deno.env.get("CHECKER_BIG_MB") ?? 3) * 1024 * 1024);
const only = Deno.env.get("CHECKER_ONLY"); // e.g. "auto_merge/kills"
console.log(
  `checker: seed ${baseSeed} (replay with CHECKER_SEED=${baseSeed}), ${ops} ops per history`,
);

STRATEGIES.forEach((strategy, s) => {
  MODES.forEach((mode, m) => {
    const name = `${strategy}/${mode}`;
    Deno.test({
      name: `checker: ${name}: converged, nothing lost, corrupt or duplicated`,
      ignore: only !== undefined && only !== name,
      fn: async () => {
        const report: HistoryReport = await runHistory({
          strategy,
          mode,
          ops,
          bigBytes,
          seed: (baseSeed + s * 2 + m) >>> 0,
          log: (line) => console.log(`  ${line}`),
        });
        console.log(`checker report: ${summary(report)}`);
        for (const key of ["lost", "divergent", "corrupt", "duplicateCopies"] as const) {
          if (report[key].length > 0) console.log(`  ${key}: ${report[key].join("; ")}`);
        }
        if (report.convergeMs > 10_000) console.log(`  converged past the 10 s goal`);
        assert.ok(passed(report), summary(report));
      },
    });
  });
});
