/**
 * Benchmark of the Postgres sync core: commit throughput for one file, batches of 100 and of
 * 1,000 files (each batch one `public.commit_changes` call), concurrent single-file commits to
 * separate workspaces, and journal read throughput (`public.changes_since`, pages of 1,000).
 * Every call runs as a user (role `authenticated` + JWT claims), so RLS is on the measured path.
 * Run `deno run -A bench/commit.ts` against a running stack (`SANDSYNC_ENV_FILE`), or through
 * `deno task bench commit`. Prints a Markdown table.
 *
 * @module
 */
import postgres from "postgres";
import { loadStackEnv } from "../tests/support/stack_env.ts";
import { percentile } from "./lib/stats.ts";

type Sql = postgres.Sql;

interface Row {
  name: string;
  calls: number;
  files: number;
  ms: number[];
}

// One warm connection for the sequential series (a cold backend first compiles every function
// and plan, which would be measured instead of the commit), a pool for the parallel one.
const sql: Sql = postgres(loadStackEnv().dbUrl, { max: 1, onnotice: () => {}, prepare: false });
const pool: Sql = postgres(loadStackEnv().dbUrl, { max: 8, onnotice: () => {}, prepare: false });

async function asUser<T>(
  userId: string,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
  client: Sql = sql,
) {
  return await client.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
      set_config('request.jwt.claims', ${
      JSON.stringify({ sub: userId, role: "authenticated" })
    }, true)`;
    return await fn(tx);
  }) as T;
}

async function setup(label: string, blobs: number) {
  const owner = crypto.randomUUID();
  await sql`insert into auth.users (id, email) values (${owner}, ${`bench-${label}-${owner}@test.local`})`;
  // Verified blobs for the files to commit (what the API does after checking the bytes).
  await sql`insert into sandsync.blobs (owner_id, sha256, size, state, stored_at)
    select ${owner}, encode(sha256(convert_to(i::text, 'UTF8')), 'hex'), length(i::text), 'stored', now()
    from generate_series(1, ${blobs}) as i`;
  const replica = crypto.randomUUID();
  const workspace = await asUser(owner, async (tx) => {
    const [ws] = await tx<{ id: string }[]>`select id from public.create_workspace(${label})`;
    await tx`select public.register_replica(${ws!.id}, ${replica}, 'agent')`;
    return ws!.id;
  });
  const shas = await sql<{ sha: string; n: number }[]>`
    select encode(sha256(convert_to(i::text, 'UTF8')), 'hex') as sha, length(i::text) as n
    from generate_series(1, ${blobs}) as i order by i`;
  return { owner, replica, workspace, shas };
}

function items(shas: { sha: string; n: number }[], from: number, count: number, prefix: string) {
  return Array.from({ length: count }, (_, i) => {
    const blob = shas[(from + i) % shas.length]!;
    return {
      path: `${prefix}/dir${(from + i) % 50}/file-${from + i}.ts`,
      sha256: blob.sha,
      size: blob.n,
      mode: 420,
      mtime: new Date().toISOString(),
    };
  });
}

async function commitSeries(name: string, batch: number, calls: number): Promise<Row> {
  const ctx = await setup(name.replaceAll(" ", "-"), Math.max(batch, 100));
  const row: Row = { name, calls, files: batch * calls, ms: [] };
  for (let c = 0; c < calls; c++) {
    const payload = items(ctx.shas, c * batch, batch, `b${c}`);
    const start = performance.now();
    await asUser(
      ctx.owner,
      (tx) =>
        tx`select public.commit_changes(${ctx.workspace}, ${ctx.replica}, ${`k${c}`},
        ${tx.json(payload)}) as r`,
    );
    row.ms.push(performance.now() - start);
  }
  return row;
}

async function concurrentSingles(workers: number, perWorker: number): Promise<Row> {
  const contexts = await Promise.all(
    Array.from({ length: workers }, (_, w) => setup(`concurrent-${w}`, 100)),
  );
  const row: Row = {
    name: `1 file, ${workers} workspaces in parallel`,
    calls: workers * perWorker,
    files: workers * perWorker,
    ms: [],
  };
  const start = performance.now();
  await Promise.all(contexts.map(async (ctx) => {
    for (let c = 0; c < perWorker; c++) {
      const t = performance.now();
      await asUser(
        ctx.owner,
        (tx) =>
          tx`select public.commit_changes(${ctx.workspace}, ${ctx.replica}, ${`k${c}`},
          ${tx.json(items(ctx.shas, c, 1, "p"))}) as r`,
      );
      row.ms.push(performance.now() - t);
    }
  }));
  // Throughput of a parallel run is wall-clock based: keep the total in a synthetic sample.
  (row as Row & { wallMs: number }).wallMs = performance.now() - start;
  return row;
}

async function journalRead(total: number): Promise<Row> {
  const ctx = await setup("journal", 1000);
  for (let c = 0; c * 1000 < total; c++) {
    await asUser(
      ctx.owner,
      (tx) =>
        tx`select public.commit_changes(${ctx.workspace}, ${ctx.replica}, ${`j${c}`},
        ${tx.json(items(ctx.shas, c * 1000, 1000, `j${c}`))}) as r`,
    );
  }
  const row: Row = { name: "journal read, pages of 1,000", calls: 0, files: 0, ms: [] };
  let cursor = 0;
  for (;;) {
    const start = performance.now();
    const page = await asUser(
      ctx.owner,
      (tx) =>
        tx<
          { seq: string }[]
        >`select seq::text from public.changes_since(${ctx.workspace}, ${cursor}, 1000)`,
    );
    if (page.length === 0) break;
    row.ms.push(performance.now() - start);
    row.calls++;
    row.files += page.length;
    cursor = Number(page.at(-1)!.seq);
  }
  return row;
}

function render(rows: Row[]): string {
  const lines = [
    "| operation | calls | files/changes | p50 ms/call | p99 ms/call | calls/s | files/s |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const row of rows) {
    const wall = (row as Row & { wallMs?: number }).wallMs ?? row.ms.reduce((a, b) => a + b, 0);
    lines.push(
      `| ${row.name} | ${row.calls} | ${row.files} | ${percentile(row.ms, 50).toFixed(1)} | ${
        percentile(row.ms, 99).toFixed(1)
      } | ${(row.calls / (wall / 1000)).toFixed(0)} | ${(row.files / (wall / 1000)).toFixed(0)} |`,
    );
  }
  return lines.join("\n");
}

try {
  const rows = [
    await commitSeries("1 file per commit", 1, 300),
    await commitSeries("batch of 100", 100, 20),
    await commitSeries("batch of 1,000 (one call)", 1000, 5),
    await concurrentSingles(8, 50),
    await journalRead(10_000),
  ];
  console.log(render(rows));
} finally {
  await sql.end();
  await pool.end();
}
