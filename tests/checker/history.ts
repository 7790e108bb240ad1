/**
 * The randomized history checker (issue 12): three `sandsync watch` daemons on one workspace
 * plus a client writing through the HTTP API run a seeded random history of creates,
 * overwrites, appends, deletes, renames, nested directories and now and then a large binary,
 * truly concurrently; either through the fault proxy (drops, resets mid-transfer, 2 s delays,
 * 5 s refusals) or with random `kill -9` and immediate restarts of the daemons. When the
 * history ends, faults stop, each daemon is flushed, and the checker waits for quiescence
 * and checks the promise:
 *
 * - converged: every replica and the server's manifest hold the same bytes at the same paths
 *   (paths with an open conflict aside: there a replica may keep its own side);
 * - nothing lost: every acknowledged write is findable (as current content, a conflict copy,
 *   an open conflict's side, or in history). Acknowledged: an API commit answered 200, and a
 *   replica's write that no later local operation of that replica replaced (an edit replaced
 *   locally before the daemon saw it was never the daemon's to keep);
 * - nothing corrupt: every replica file holds bytes that were written by someone;
 * - no conflict copy made twice for one conflict (two copies of one path with the same bytes);
 * - quota: the owner's `used_bytes` equals the recomputed size of their objects.
 *
 * Black box: only CLI processes, HTTP, the files on disk and the server's database (never an
 * agent's state). The seed is printed; `CHECKER_SEED` replays a history's operations (their
 * interleaving with the daemons' timing is, by nature, not replayable).
 *
 * @module
 */
import { join } from "node:path";
import postgres from "postgres";
import { SyncApi } from "../../client/sync_api.ts";
import { Agent } from "../../agent/agent.ts";
import { inlineCommit, newUser } from "../support/api.ts";
import { FaultProxy } from "../support/fault_proxy.ts";
import { loadStackEnv } from "../support/stack_env.ts";
import { hashPath, hashTree, randomBytes } from "../agent/robust_support.ts";
import { cliEnv, spawnCli } from "../agent/support.ts";

/** A workspace's conflict strategy. */
export type Strategy = "last_write_wins" | "user_intervention" | "auto_merge";

/** Options of one history. */
export interface HistoryOptions {
  readonly strategy: Strategy;
  /** `faults`: daemons reach the API through the fault proxy; `kills`: random kill -9. */
  readonly mode: "faults" | "kills";
  /** Operations in all (the four writers share them). */
  readonly ops: number;
  readonly seed: number;
  /** Size of the occasional large binary. */
  readonly bigBytes: number;
  /** Quiescence must come within this many ms after the history ends. Default 60,000. */
  readonly convergeLimitMs?: number;
  readonly log?: (line: string) => void;
}

/** What a history did and what the checks found. */
export interface HistoryReport {
  readonly strategy: Strategy;
  readonly mode: "faults" | "kills";
  readonly seed: number;
  readonly ops: number;
  readonly acknowledged: number;
  readonly lost: string[];
  readonly divergent: string[];
  readonly corrupt: string[];
  readonly duplicateCopies: string[];
  readonly quota: { used: number; recomputed: number };
  /** ms from the end of the history to quiescence; -1: none within the limit. */
  readonly convergeMs: number;
  readonly openConflicts: number;
  readonly faults: number;
  readonly kills: number;
  readonly seconds: number;
}

/** True when a report shows no loss, divergence, corruption, duplicate or quota drift. */
export function passed(report: HistoryReport): boolean {
  return report.lost.length === 0 && report.divergent.length === 0 &&
    report.corrupt.length === 0 && report.duplicateCopies.length === 0 &&
    report.quota.used === report.quota.recomputed && report.convergeMs >= 0;
}

/** One line per report, for logs and docs/reliability.md. */
export function summary(report: HistoryReport): string {
  return `${report.strategy}/${report.mode} seed=${report.seed} ops=${report.ops} ` +
    `acknowledged=${report.acknowledged} lost=${report.lost.length} ` +
    `divergent=${report.divergent.length} corrupt=${report.corrupt.length} ` +
    `duplicate_copies=${report.duplicateCopies.length} open_conflicts=${report.openConflicts} ` +
    `quota=${report.quota.used}/${report.quota.recomputed} converge_ms=${report.convergeMs} ` +
    `faults=${report.faults} kills=${report.kills} seconds=${report.seconds}`;
}

/** A seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATHS = [
  "a.txt",
  "b.txt",
  "c.md",
  "src/app.ts",
  "src/util.ts",
  "src/lib/deep.ts",
  "src/lib/more/deeper.txt",
  "docs/notes.md",
  "docs/x/y/z.txt",
  "data/blob.bin",
];
const COPY = /\.sync-conflict-\d{8}-\d{6}-[A-Za-z0-9_-]+/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Write {
  readonly actor: string;
  readonly path: string;
  readonly sha256: string;
  readonly op: number;
}

/** Runs one history and checks it. */
export async function runHistory(options: HistoryOptions): Promise<HistoryReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const random = prng(options.seed);
  const { client, env, id: ownerId } = await newUser(`checker-${options.strategy}`);
  const config = { url: env.apiUrl, anonKey: env.anonKey, token: client.bearer };
  const workspace = `checker-${crypto.randomUUID().slice(0, 8)}`;
  const dirs: string[] = [];
  let workspaceId = "";
  for (let i = 0; i < 3; i++) {
    const dir = await Deno.makeTempDir({ prefix: `sandsync-checker-${i}-` });
    const { agent } = await Agent.init(dir, workspace, config, {
      strategy: options.strategy,
      log: () => {},
    });
    workspaceId = agent.workspaceId;
    agent.close();
    dirs.push(dir);
  }
  const apiReplica = crypto.randomUUID();
  const registered = await client.call("POST", `workspaces/${workspaceId}/replicas`, {
    replicaId: apiReplica,
    kind: "mobile",
  });
  if (registered.status !== 200) throw new Error(`register: ${JSON.stringify(registered.body)}`);

  const proxy = options.mode === "faults"
    ? await FaultProxy.start({
      target: config.url,
      seed: options.seed,
      rates: { drop: 0.08, reset: 0.1, close: 0.04, delay: 0.1 },
      delayMs: [2000, 2000],
      resetAfterBytes: [100, 256 * 1024],
      maxFaults: Math.max(20, Math.round(options.ops / 4)),
      lifetimeMs: 3_600_000,
    })
    : undefined;
  const via = proxy ? { ...config, url: proxy.url } : config;
  const daemons: Deno.ChildProcess[] = dirs.map((dir) => startDaemon(via, dir));
  let kills = 0;

  const writes: Write[] = [];
  /** The last local operation per actor and path: a write (its index in `writes`) or -1. */
  const last = new Map<string, number>();
  const api = new SyncApi(config);
  let op = 0;
  const nextOp = () => (op < options.ops ? ++op : 0);

  const localActor = async (index: number) => {
    const dir = dirs[index]!;
    const actor = `r${index}`;
    for (let n = nextOp(); n !== 0; n = nextOp()) {
      await sleep(Math.floor(random() * 500));
      const path = PATHS[Math.floor(random() * PATHS.length)]!;
      const file = join(dir, path);
      const exists = await Deno.stat(file).then((s) => s.isFile, () => false);
      const roll = random();
      const mark = (sha256: string | null, at = path) => {
        if (sha256 === null) last.set(`${actor}:${at}`, -1);
        else {
          writes.push({ actor, path: at, sha256, op: n });
          last.set(`${actor}:${at}`, writes.length - 1);
        }
      };
      try {
        if (path.endsWith(".bin")) {
          if (roll < 0.15) {
            const size = random() < 0.3 ? options.bigBytes : 64 * 1024;
            await writeFile(file, randomBytes(size));
            mark(await hashPath(file));
          } else if (exists && roll < 0.25) {
            await Deno.remove(file);
            mark(null);
          }
        } else if (!exists || roll < 0.4) {
          await writeFile(file, text(n, actor, random));
          mark(await hashPath(file));
        } else if (roll < 0.65) {
          await Deno.writeTextFile(file, `appended by ${actor} at op ${n}\n`, { append: true });
          mark(await hashPath(file));
        } else if (roll < 0.82) {
          await Deno.remove(file);
          mark(null);
        } else {
          const to = PATHS[Math.floor(random() * (PATHS.length - 1))]!;
          const target = join(dir, to);
          if (to === path || await Deno.stat(target).then(() => true, () => false)) continue;
          await Deno.mkdir(join(target, ".."), { recursive: true });
          await Deno.rename(file, target);
          mark(null);
          mark(await hashPath(target), to);
        }
      } catch (error) {
        // The daemon moved or removed the file under us: a real user meets that too.
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
  };

  const apiActor = async () => {
    for (let n = nextOp(); n !== 0; n = nextOp()) {
      await sleep(Math.floor(random() * 500));
      const path = PATHS[Math.floor(random() * (PATHS.length - 1))]!;
      const manifest = await api.fullManifest(workspaceId);
      const current = manifest.files.find((entry) => entry.path === path && !entry.deleted);
      const remove = current !== undefined && random() < 0.2;
      const content = remove ? null : text(n, "api", random);
      const body = inlineCommit(workspaceId, apiReplica, [
        { path, content, base: current?.vector ?? null },
      ]);
      const answer = await client.call("POST", "sync/commit", body);
      if (answer.status !== 200) {
        log(`api commit of ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        continue;
      }
      if (content !== null) {
        const sha256 = body.changes[0]!.sha256!;
        writes.push({ actor: "api", path, sha256, op: n });
      }
    }
  };

  const killer = async () => {
    if (options.mode !== "kills") return;
    const every = Math.max(10, Math.floor(options.ops / 6));
    let next = every;
    while (op < options.ops) {
      await sleep(100);
      if (op < next) continue;
      next += every;
      const index = Math.floor(random() * 3);
      const victim = daemons[index]!;
      try {
        victim.kill("SIGKILL");
      } catch { /* exited */ }
      await victim.status;
      await drain(victim);
      daemons[index] = startDaemon(via, dirs[index]!);
      kills++;
      log(`killed and restarted the daemon of r${index}`);
    }
  };

  const refuser = async () => {
    if (!proxy) return;
    // One 5 s refusal half way through (besides the proxy's random faults).
    while (op < options.ops / 2) await sleep(100);
    await proxy.refuse(5000);
  };

  log(`history: ${options.strategy}/${options.mode} seed=${options.seed} ops=${options.ops}`);
  await Promise.all([localActor(0), localActor(1), localActor(2), apiActor(), killer(), refuser()]);
  const ended = Date.now();
  proxy?.calm();
  // A daemon that died (not by our hand) is a failure of its own; restart it to check the rest.
  for (let i = 0; i < 3; i++) {
    const status = await Promise.race([daemons[i]!.status, sleep(0).then(() => null)]);
    if (status) {
      log(`the daemon of r${i} had exited (${status.code}): restarted`);
      await drain(daemons[i]!);
      daemons[i] = startDaemon(via, dirs[i]!);
    }
  }
  // Each daemon flushed (a path held by an open conflict keeps `flush` waiting: bounded),
  // while the replicas are watched for quiescence.
  const flushed = Promise.all(dirs.map((dir) => flush(via, dir, 20_000)));
  const limit = options.convergeLimitMs ?? 60_000;
  let convergeMs = -1;
  let view = await look(dirs, workspaceId);
  const settle = async () => {
    for (;;) {
      if (view.divergent.length === 0) return Date.now() - ended;
      if (Date.now() - ended > limit) return -1;
      await sleep(250);
      view = await look(dirs, workspaceId);
    }
  };
  convergeMs = await settle();
  await flushed;
  // Still converged once every flush returned (else it was a pause, not quiescence).
  view = await look(dirs, workspaceId);
  if (view.divergent.length > 0) convergeMs = await settle();
  // Open conflicts shown the same on every replica (`sandsync conflicts --json`) as on the
  // server. (`status` shows the daemon's cached list, which can lag: see docs/reliability.md.)
  // The server is looked at again with each listing: a commit retried after the refusal may
  // land (and open conflicts) after the look above; then the histories settle once more.
  for (let attempt = 1;; attempt++) {
    const conflictViews = await Promise.all(dirs.map((dir) => openConflictIds(via, dir)));
    view = await look(dirs, workspaceId);
    const server = [...view.openIds].sort().join(",");
    const differ = conflictViews.flatMap((ids, i) => {
      const shown = [...ids].sort().join(",");
      return shown === server
        ? []
        : [`open conflicts on r${i}: [${shown}] vs the server's [${server}]`];
    });
    if ((differ.length === 0 && view.divergent.length === 0) || attempt === 3) {
      view.divergent.push(...differ);
      break;
    }
    convergeMs = await settle();
  }
  if (view.divergent.length > 0) {
    dirs.forEach((dir, i) => log(`daemon r${i}:\n    ${daemonLog(dir).join("\n    ")}`));
    // What each daemon says of itself (phase and since when, last run, last error): a replica
    // that stopped syncing shows here whether it is stuck in a run, backing off or idle.
    for (const [i, dir] of dirs.entries()) log(`status of r${i}: ${await daemonStatus(via, dir)}`);
  }
  for (const daemon of daemons) {
    try {
      daemon.kill("SIGTERM");
    } catch { /* exited */ }
    await daemon.status;
    await drain(daemon);
  }
  await proxy?.close();

  // Findable: any version's bytes (current, conflict copy, open conflict side, history), or
  // still held on the writer's replica at a path with an open conflict (not committed yet by
  // design: the conflict must be resolved first).
  const lost: string[] = [];
  let acknowledged = 0;
  for (let i = 0; i < writes.length; i++) {
    const write = writes[i]!;
    if (write.actor !== "api" && last.get(`${write.actor}:${write.path}`) !== i) continue;
    acknowledged++;
    if (view.versionShas.has(write.sha256)) continue;
    const replica = write.actor === "api" ? undefined : view.replicas[Number(write.actor[1])];
    if (replica && view.openPaths.has(write.path) && replica[write.path] === write.sha256) {
      continue;
    }
    lost.push(`${write.actor} op ${write.op} ${write.path} ${write.sha256.slice(0, 12)}`);
  }
  const written = new Set(writes.map((w) => w.sha256));
  const corrupt: string[] = [];
  view.replicas.forEach((tree, i) => {
    for (const [path, sha] of Object.entries(tree)) {
      if (!written.has(sha) && !view.versionShas.has(sha)) corrupt.push(`r${i}:${path}`);
    }
  });
  const duplicateCopies = duplicates(view.server, view.replicas);
  const quota = await quotaOf(ownerId);
  for (const dir of dirs) await Deno.remove(dir, { recursive: true }).catch(() => {});
  return {
    strategy: options.strategy,
    mode: options.mode,
    seed: options.seed,
    ops: options.ops,
    acknowledged,
    lost,
    divergent: view.divergent,
    corrupt,
    duplicateCopies,
    quota,
    convergeMs,
    openConflicts: view.openPaths.size,
    faults: proxy ? proxy.faults + proxy.stats.refusals : 0,
    kills,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

/** The last lines each daemon wrote, by directory (shown when a history fails). */
const daemonLogs = new Map<string, string[]>();

function startDaemon(config: { url: string; anonKey?: string; token: string }, dir: string) {
  const child = spawnCli(config, ["watch", dir]);
  const lines = daemonLogs.get(dir) ?? [];
  daemonLogs.set(dir, lines);
  lines.push(`--- started at ${new Date().toISOString()}`);
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        for (const line of chunk.split("\n")) {
          if (line) lines.push(`${Date.now() % 100000} ${line}`);
        }
        if (lines.length > 400) lines.splice(0, lines.length - 400);
      }
    } catch { /* cancelled */ }
  };
  void pump(child.stdout);
  void pump(child.stderr);
  return child;
}

/** The last `count` lines the daemon of `dir` wrote. */
export function daemonLog(dir: string, count = 60): string[] {
  return (daemonLogs.get(dir) ?? []).slice(-count);
}

/** `sandsync flush <dir>`, killed after `timeoutMs`; true when it returned in time. */
async function flush(
  config: { url: string; anonKey?: string; token: string },
  dir: string,
  timeoutMs: number,
): Promise<boolean> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ROOT_CLI, "flush", dir, "--quiet"],
    env: cliEnv(config),
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
  }, timeoutMs);
  const status = await child.status;
  clearTimeout(timer);
  return status.signal === null;
}

/** The conflict ids `sandsync conflicts --json` shows open for `dir`. */
async function openConflictIds(
  config: { url: string; anonKey?: string; token: string },
  dir: string,
): Promise<Set<string>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ROOT_CLI, "conflicts", dir, "--json"],
    env: cliEnv(config),
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  try {
    const shown = JSON.parse(text) as { conflicts?: { id: string }[] };
    return new Set((shown.conflicts ?? []).map((c) => c.id));
  } catch {
    return new Set([`(no status: exit ${output.code})`]);
  }
}

const ROOT_CLI = new URL("../../agent/cli.ts", import.meta.url).pathname;

/** `sandsync status --json`: the daemon's own report, for a failure's log. */
async function daemonStatus(
  config: { url: string; anonKey?: string; token: string },
  dir: string,
): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ROOT_CLI, "status", dir, "--json"],
    env: cliEnv(config),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  try {
    const status = JSON.parse(text) as Record<string, unknown>;
    return JSON.stringify({
      daemon: status.daemon,
      lastRunAt: status.lastRunAt,
      lastSuccessAt: status.lastSuccessAt,
      lastError: status.lastError,
      pending: status.pending,
    });
  } catch {
    return `exit ${output.code}: ${text.slice(0, 300)} ${
      new TextDecoder().decode(output.stderr).slice(-300)
    }`;
  }
}

async function drain(_child: Deno.ChildProcess) {
  // (the pumps of startDaemon read both streams to their end)
}

async function writeFile(file: string, bytes: string | Uint8Array) {
  await Deno.mkdir(join(file, ".."), { recursive: true });
  if (typeof bytes === "string") await Deno.writeTextFile(file, bytes);
  else await Deno.writeFile(file, bytes);
}

/** Unique multi-line text, so auto-merges have hunks to merge and every write its own hash. */
function text(op: number, actor: string, random: () => number): string {
  const lines = [`# written by ${actor} at op ${op}`];
  const count = 3 + Math.floor(random() * 6);
  for (let i = 0; i < count; i++) lines.push(`line ${i} ${Math.floor(random() * 1e9)}`);
  return `${lines.join("\n")}\n`;
}

/** {@linkcode hashTree}, again when a directory vanished while it was walked. */
async function steadyHashTree(dir: string): Promise<Record<string, string>> {
  for (let attempt = 0;; attempt++) {
    try {
      return await hashTree(dir);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound) || attempt >= 10) throw error;
      await sleep(50);
    }
  }
}

/** The replicas, the server's live files and versions, and where they differ. */
async function look(dirs: string[], workspaceId: string) {
  const replicas = await Promise.all(dirs.map((dir) => steadyHashTree(dir)));
  const sql = postgres(loadStackEnv().dbUrl, { max: 1, onnotice: () => {} });
  try {
    const files = await sql<{ path: string; sha256: string }[]>`
      select path, sha256 from sandsync.files
      where workspace_id = ${workspaceId} and not deleted`;
    const versions = await sql<{ sha256: string }[]>`
      select distinct sha256 from sandsync.versions
      where workspace_id = ${workspaceId} and sha256 is not null`;
    const open = await sql<{ id: string; path: string }[]>`
      select id, path from sandsync.conflicts
      where workspace_id = ${workspaceId} and status = 'open'`;
    const server = Object.fromEntries(files.map((f) => [f.path, f.sha256]));
    const openPaths = new Set(open.map((c) => c.path));
    const divergent = new Set<string>();
    const paths = new Set([Object.keys(server), ...replicas.map(Object.keys)].flat());
    for (const path of paths) {
      if (openPaths.has(path)) continue;
      if (replicas.some((tree) => tree[path] !== server[path])) {
        const short = (sha: string | undefined) => sha?.slice(0, 8) ?? "-";
        divergent.add(
          `${path} (server ${short(server[path])}, ${
            replicas.map((tree, i) => `r${i} ${short(tree[path])}`).join(", ")
          })`,
        );
      }
    }
    return {
      replicas,
      server,
      versionShas: new Set(versions.map((v) => v.sha256)),
      openPaths,
      openIds: new Set(open.map((c) => c.id)),
      divergent: [...divergent].sort(),
    };
  } finally {
    await sql.end();
  }
}

/** Conflict copies of one path holding the same bytes twice (server or any replica). */
function duplicates(server: Record<string, string>, replicas: Record<string, string>[]) {
  const out: string[] = [];
  for (
    const [where, tree] of [
      ["server", server] as const,
      ...replicas.map((t, i) => [`r${i}`, t] as const),
    ]
  ) {
    const seen = new Map<string, string>();
    for (const [path, sha] of Object.entries(tree)) {
      if (!COPY.test(path)) continue;
      const key = `${path.replace(COPY, "")}\u0000${sha}`;
      const first = seen.get(key);
      if (first) out.push(`${where}: ${first} and ${path}`);
      else seen.set(key, path);
    }
  }
  return out;
}

/** The owner's quota counter and the recomputed size of their objects in the sync bucket. */
async function quotaOf(ownerId: string): Promise<{ used: number; recomputed: number }> {
  const sql = postgres(loadStackEnv().dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ used: string | null; recomputed: string | null }[]>`
      select (select used_bytes from sandsync.quotas where owner_id = ${ownerId}) as used,
        (select coalesce(sum((metadata ->> 'size')::bigint), 0) from storage.objects
          where bucket_id = 'sandsync' and name like ${`${ownerId}/%`}) as recomputed`;
    return { used: Number(row?.used ?? 0), recomputed: Number(row?.recomputed ?? 0) };
  } finally {
    await sql.end();
  }
}
