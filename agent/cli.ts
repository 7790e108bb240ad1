/**
 * `sandsync`, the agent's command line (`deno task sandsync <command>`, or the bundle
 * `deno run -A dist/sandsync.js <command>`). Commands and options: {@linkcode USAGE} and
 * docs/agent.md.
 *
 * Credentials: `--url`, `--anon-key`, `--token`, else `SUPABASE_URL`, `SUPABASE_ANON_KEY`,
 * `SANDSYNC_TOKEN` (a user access token or an `sst_` agent token), else what `login` stored
 * (login_file.ts), else (the URL only) what `init` recorded in the directory. Exit codes
 * ({@linkcode EXIT}, the table in docs/agent.md): 0 ok, 1 retry later, 2 usage, 3 open
 * conflicts remain, 4 deletions wait for confirmation, 5 fix credentials or input.
 *
 * @module
 */
import { isAbsolute, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileDiff, fullFileHistory } from "../client/files_api.ts";
import { SyncApi } from "../client/sync_api.ts";
import { validatePath } from "../shared/paths/path_rules.ts";
import { Agent, type AgentConfig, DaemonFailure, NotInitialisedError } from "./agent.ts";
import type { DaemonError, DaemonReport } from "./control.ts";
import { describeError } from "./daemon.ts";
import { LockedError } from "./dir_lock.ts";
import {
  heldOverQuotaLines,
  renderConflicts,
  renderHistory,
  renderOutcome,
  renderResolve,
} from "./cli_render.ts";
import { loginFile, readLogin, removeLogin, writeLogin } from "./login_file.ts";
import { openConflicts, ResolveError, resolvePath, type ResolveSide } from "./resolve.ts";
import type { SyncOutcome } from "./sync_engine.ts";
import { parseRestorePoint } from "./version_at.ts";
import { localDiff, restore, VersionsError } from "./versions.ts";

/**
 * Exit codes: 1 is worth retrying later (network, timeout, 5xx, 429, another process holds
 * the directory), 5 is not until credentials or input are fixed (401, 403, 404, validation;
 * also a daemon that stops because its token was revoked or its workspace deleted).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, conflicts: 3, deletes: 4, input: 5 } as const;

/** The exit code of a failure. */
export function exitOfError(error: DaemonError): number {
  return error.permanent || (error.status !== null && error.status >= 400 &&
      error.status < 500 && error.status !== 408 && error.status !== 429)
    ? EXIT.input
    : EXIT.failure;
}

class UsageError extends Error {}

/** The help text. */
export const USAGE = `Usage: sandsync <command> [options]
  init <dir> --workspace <name|id> [--strategy last_write_wins|user_intervention|auto_merge]
  sync [dir] [--confirm-deletes]       one two-way run
  watch [dir]                          the daemon
  flush [dir]                          returns once local changes are committed
  status [dir]
  conflicts [dir]                      open conflicts (exit 3 when any)
  resolve <path> --ours|--theirs|--merge [dir] [--id <conflictId>]
  history <path> [dir]
  diff <path> [dir] [--from <version>] [--to <version>]   (no versions: local file vs its base)
  restore <path>|--all [dir] --at <ISO time|version>
  confirm-deletes [dir]                commit deletions held by --max-delete
  reject-deletes [dir]                 restore them from the workspace instead
  workspaces
  login [--url U] [--token T] [--anon-key K]   store credentials for hosted use
  logout
Options: --url, --anon-key, --token (or SUPABASE_URL, SUPABASE_ANON_KEY, SANDSYNC_TOKEN, or login),
  --max-delete <percent> (default 50), --json, --quiet
Exit codes: 0 ok, 1 retry later, 2 usage, 3 open conflicts, 4 deletions wait for confirmation,
  5 fix credentials or input`;

const OPTIONS = {
  workspace: { type: "string", short: "w" },
  strategy: { type: "string" },
  url: { type: "string" },
  "anon-key": { type: "string" },
  token: { type: "string" },
  "max-delete": { type: "string" },
  "confirm-deletes": { type: "boolean" },
  ours: { type: "boolean" },
  theirs: { type: "boolean" },
  merge: { type: "boolean" },
  id: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  at: { type: "string" },
  all: { type: "boolean" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

/** Runs the CLI with `args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS }));
  } catch (error) {
    console.error(`sandsync: ${error instanceof Error ? error.message : error}\n${USAGE}`);
    return EXIT.usage;
  }
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (values.help ? console.log : console.error)(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const cli = new Cli(values, rest);
  try {
    return await cli.run(command);
  } catch (error) {
    if (error instanceof UsageError || error instanceof NotInitialisedError) {
      console.error(`sandsync: ${error.message}${error instanceof UsageError ? `\n${USAGE}` : ""}`);
      return EXIT.usage;
    }
    if (error instanceof LockedError) {
      console.error(`sandsync: ${error.message}`);
      return EXIT.failure;
    }
    const failure = error instanceof DaemonFailure ? error.failure : describeError(error);
    const code = failure.code ? ` [${failure.code}]` : "";
    const by = error instanceof DaemonFailure ? "the sandsync daemon: " : "";
    console.error(`sandsync: ${by}${failure.message}${code}`);
    return exitOfError(failure);
  }
}

class Cli {
  readonly json: boolean;
  readonly quiet: boolean;

  constructor(readonly values: Values, readonly rest: string[]) {
    this.json = values.json === true;
    this.quiet = values.quiet === true;
  }

  log = (message: string) => {
    if (!this.quiet) console.error(`sandsync: ${message}`);
  };

  /** Prints `data` as JSON with `--json`, else `human()` (unless `--quiet`). */
  print(data: unknown, human: () => string) {
    if (this.json) console.log(JSON.stringify(data));
    else if (!this.quiet) {
      const text = human();
      if (text) console.log(text);
    }
  }

  config(dir?: string): AgentConfig {
    // `||`: an empty flag or variable counts as unset.
    const env = (name: string) => Deno.env.get(name) || undefined;
    const login = readLoginSafe();
    const url = this.values.url || env("SUPABASE_URL") || login?.url ||
      (dir ? Agent.storedUrl(dir) : undefined);
    const token = this.values.token || env("SANDSYNC_TOKEN") || login?.token;
    const anonKey = this.values["anon-key"] || env("SUPABASE_ANON_KEY") || login?.anonKey;
    if (!url) throw new UsageError("no API URL: pass --url, set SUPABASE_URL or run login");
    if (!token) throw new UsageError("no token: pass --token, set SANDSYNC_TOKEN or run login");
    return { url, token, ...(anonKey ? { anonKey } : {}) };
  }

  async open(dir: string): Promise<Agent> {
    return await Agent.open(dir, this.config(dir), {
      maxDelete: parseMaxDelete(this.values["max-delete"]),
      log: this.log,
    });
  }

  /** Runs `work` with the agent of `dir`, closing it after. */
  async with<T>(dir: string, work: (agent: Agent) => Promise<T>): Promise<T> {
    const agent = await this.open(dir);
    try {
      return await work(agent);
    } finally {
      agent.close();
    }
  }

  run(command: string): Promise<number> {
    switch (command) {
      case "init":
        return this.init();
      case "sync":
      case "flush":
        return this.sync(command);
      case "watch":
        return this.watch();
      case "status":
        return this.status();
      case "conflicts":
        return this.conflicts();
      case "resolve":
        return this.resolve();
      case "history":
        return this.history();
      case "diff":
        return this.diff();
      case "restore":
        return this.restore();
      case "confirm-deletes":
      case "reject-deletes":
        return this.decideDeletes(command === "confirm-deletes" ? "confirm" : "reject");
      case "workspaces":
        return this.workspaces();
      case "login":
        return this.login();
      case "logout":
        return this.logout();
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  }

  async init(): Promise<number> {
    const dir = this.rest[0];
    if (!dir) throw new UsageError("init needs a directory");
    if (!this.values.workspace) throw new UsageError("init needs --workspace <name|id>");
    const strategy = this.values.strategy as "last_write_wins" | undefined;
    const { agent, workspace, created } = await Agent.init(
      dir,
      this.values.workspace,
      this.config(),
      {
        maxDelete: parseMaxDelete(this.values["max-delete"]),
        log: this.log,
        ...(strategy ? { strategy } : {}),
      },
    );
    agent.close();
    this.print(
      { workspaceId: workspace.id, name: workspace.name, created, replicaId: agent.replicaId },
      () => `${created ? "created" : "using"} workspace "${workspace.name}" (${workspace.id})`,
    );
    return EXIT.ok;
  }

  sync(command: "sync" | "flush"): Promise<number> {
    return this.with(this.rest[0] ?? ".", async (agent) => {
      const started = performance.now();
      const outcome = command === "sync"
        ? await agent.sync({ confirmDeletes: this.values["confirm-deletes"] === true })
        : await agent.flush();
      if (!outcome) {
        // Done by the daemon: how long the request took (the process start not included).
        const ms = Math.round(performance.now() - started);
        this.print({ flushed: true, by: "daemon", ms }, () => "");
        return EXIT.ok;
      }
      this.print(syncJson(outcome), () => renderOutcome(outcome));
      return exitOf(outcome);
    });
  }

  /**
   * The daemon. SIGINT/SIGTERM are heard from the start (also while waiting for the lock):
   * the daemon stops from whatever state it is in; a step that does not notice within
   * {@linkcode STOP_GRACE_MS} is abandoned by ending the process, which leaves the state as a
   * kill does (consistent: every change of it is one transaction).
   */
  async watch(): Promise<number> {
    let agent: Agent | undefined;
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      this.log("stopping");
      if (!agent) Deno.exit(EXIT.ok); // nothing started yet
      agent.stop();
      setTimeout(() => {
        this.log("stopped (the interrupted run resumes on the next start)");
        Deno.exit(EXIT.ok);
      }, STOP_GRACE_MS);
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    try {
      agent = await this.open(this.rest[0] ?? ".");
      if (stopping) return EXIT.ok;
      const heartbeat = new Heartbeat(agent, this.log);
      try {
        this.log(`watching "${agent.dir}" (state in "${agent.paths.dir}")`);
        const fatal = await agent.watch({
          onSync: (outcome) => {
            const moved = outcome.uploaded + outcome.downloaded + outcome.deleted;
            if (this.json) console.log(JSON.stringify(syncJson(outcome)));
            else if ((moved > 0 || outcome.heldDeletes > 0) && !this.quiet) {
              console.log(renderOutcome(outcome));
            }
          },
          onReport: (report) => heartbeat.send(report),
        });
        if (fatal) {
          console.error(
            `sandsync: the daemon stops: ${fatal.message}${fatal.code ? ` [${fatal.code}]` : ""}`,
          );
          return exitOfError(fatal);
        }
        return EXIT.ok;
      } finally {
        await heartbeat.close();
        agent.close();
      }
    } finally {
      Deno.removeSignalListener("SIGINT", stop);
      Deno.removeSignalListener("SIGTERM", stop);
    }
  }

  status(): Promise<number> {
    return this.with(this.rest[0] ?? ".", async (agent) => {
      const status = await agent.status();
      const daemon = status.daemon;
      const error = status.lastError;
      this.print(
        status,
        () =>
          `${status.dir}: workspace ${status.workspaceName ?? ""} (${status.workspaceId})\n` +
          `  files ${status.files}, pending ${status.pending}, cursor ${status.cursor}, ` +
          (daemon
            ? `watching (pid ${daemon.pid}, ${daemon.phase}` +
              `${daemon.lag === null ? "" : `, ${daemon.lag} behind the server`})`
            : "not watching") +
          `\n  last run ${status.lastRunAt ?? "never"}, last success ${
            status.lastSuccessAt ?? "never"
          }` +
          (error ? `\n  last error: ${error.message}${error.code ? ` [${error.code}]` : ""}` : "") +
          `\n  held deletions ${status.heldDeletes}, open conflicts ${status.conflicts.length}` +
          status.conflicts.map((c) => `\n    ${c.path} (${c.conflictId})`).join("") +
          heldOverQuotaLines(status.heldOverQuota),
      );
      if (error) return exitOfError(error);
      if (status.heldDeletes > 0) return EXIT.deletes;
      return status.conflicts.length > 0 ? EXIT.conflicts : EXIT.ok;
    });
  }

  conflicts(): Promise<number> {
    return this.with(this.rest[0] ?? ".", async (agent) => {
      const conflicts = await openConflicts(agent);
      this.print(
        { workspaceId: agent.workspaceId, conflicts },
        () => renderConflicts(conflicts),
      );
      return conflicts.length > 0 ? EXIT.conflicts : EXIT.ok;
    });
  }

  resolve(): Promise<number> {
    const sides = (["ours", "theirs", "merge"] as const).filter((s) => this.values[s] === true);
    if (sides.length !== 1) throw new UsageError("resolve needs one of --ours, --theirs, --merge");
    const side: ResolveSide = sides[0]!;
    const [path, dir] = this.pathAndDir("resolve");
    return this.with(dir, async (agent) => {
      try {
        const report = await resolvePath(agent, this.workspacePath(agent, path), {
          side,
          ...(this.values.id ? { conflictId: this.values.id } : {}),
        });
        this.print(report, () => renderResolve(report));
        if (!report.resolved) return EXIT.conflicts;
        if (!report.localMatches) {
          this.log(`resolved, but "${report.path}" here does not hold the resolution yet: sync`);
          return EXIT.failure;
        }
        return EXIT.ok;
      } catch (error) {
        if (error instanceof ResolveError) return this.fail(error);
        throw error;
      }
    });
  }

  history(): Promise<number> {
    const [path, dir] = this.pathAndDir("history");
    return this.with(dir, async (agent) => {
      const history = await fullFileHistory(agent.api, {
        workspaceId: agent.workspaceId,
        path: this.workspacePath(agent, path),
      });
      this.print(history, () => renderHistory(history));
      return EXIT.ok;
    });
  }

  diff(): Promise<number> {
    const [path, dir] = this.pathAndDir("diff");
    const { from, to } = this.values;
    return this.with(dir, async (agent) => {
      const target = this.workspacePath(agent, path);
      try {
        const diff = from || to
          ? await fileDiff(agent.api, {
            workspaceId: agent.workspaceId,
            path: target,
            ...(from ? { from } : {}),
            ...(to ? { to } : {}),
          })
          : await localDiff(agent, target);
        this.print(diff, () => diff.diff.replace(/\n$/, ""));
        return EXIT.ok;
      } catch (error) {
        if (error instanceof VersionsError) return this.fail(error);
        throw error;
      }
    });
  }

  restore(): Promise<number> {
    const all = this.values.all === true;
    if (!this.values.at) throw new UsageError("restore needs --at <ISO time|versionId>");
    const point = parseRestorePoint(this.values.at);
    if (!point) {
      throw new UsageError(`invalid --at "${this.values.at}": an ISO time or a version id`);
    }
    if (all && "versionId" in point) {
      throw new UsageError("restore --all needs a time, not a version");
    }
    const [path, dir] = all ? [undefined, this.rest[0] ?? "."] : this.pathAndDir("restore");
    return this.with(dir, async (agent) => {
      try {
        const report = await restore(
          agent,
          all ? "all" : [this.workspacePath(agent, path!)],
          point,
        );
        this.print(report, () =>
          [
            ...report.restored.map((r) =>
              `restored ${r.path} from ${r.fromVersionId} as ${r.versionId ?? "-"} (${r.outcome})`
            ),
            ...report.unchanged.map((p) => `unchanged ${p}`),
          ].join("\n"));
        if (report.restored.some((r) => r.outcome === "conflict")) return EXIT.conflicts;
        return report.restored.every((r) => r.localMatches) ? EXIT.ok : EXIT.failure;
      } catch (error) {
        if (error instanceof VersionsError) return this.fail(error);
        throw error;
      }
    });
  }

  decideDeletes(decision: "confirm" | "reject"): Promise<number> {
    return this.with(this.rest[0] ?? ".", async (agent) => {
      const held = Number(agent.state.getMeta("held_deletes") ?? 0);
      if (held === 0) {
        this.print({ heldDeletes: 0 }, () => "no deletions are held");
        return EXIT.ok;
      }
      const outcome = await agent.decideDeletes(decision);
      this.print(
        { ...syncJson(outcome), decision, decided: held },
        () =>
          `${decision === "confirm" ? "confirmed" : "rejected"} ${held} held deletions\n` +
          renderOutcome(outcome),
      );
      return exitOf(outcome);
    });
  }

  async workspaces(): Promise<number> {
    const list = await new SyncApi(this.config()).listWorkspaces();
    this.print(list, () => list.map((w) => `${w.id}  ${w.name}  (${w.strategy})`).join("\n"));
    return EXIT.ok;
  }

  async login(): Promise<number> {
    const config = this.config();
    const workspaces = await new SyncApi(config).listWorkspaces(); // the token works
    const file = loginFile();
    await writeLogin({ ...config, savedAt: new Date().toISOString() }, file);
    this.print(
      { url: config.url, file, workspaces: workspaces.length },
      () => `logged in to ${config.url} (${workspaces.length} workspaces); saved in ${file}`,
    );
    return EXIT.ok;
  }

  async logout(): Promise<number> {
    const file = loginFile();
    const removed = await removeLogin(file);
    this.print({ file, removed }, () => removed ? `removed ${file}` : "not logged in");
    return EXIT.ok;
  }

  /** `<path> [dir]` of resolve, history, diff and restore. */
  pathAndDir(command: string): [string, string] {
    const [path, dir] = this.rest;
    if (!path) throw new UsageError(`${command} needs a path`);
    return [path, dir ?? "."];
  }

  /**
   * The workspace path of a command's `<path>`: an absolute path must lie in the root; a
   * relative one is relative to the root.
   */
  workspacePath(agent: Agent, path: string): string {
    let rel = path;
    if (isAbsolute(path)) {
      rel = relative(agent.dir, resolve(path));
      if (rel.startsWith("..") || isAbsolute(rel)) {
        throw new UsageError(`"${path}" is not inside "${agent.dir}"`);
      }
    }
    rel = rel.split("\\").join("/").replace(/^\.\//, "");
    if (!validatePath(rel).ok) throw new UsageError(`invalid path "${path}"`);
    return rel;
  }

  fail(error: Error): number {
    console.error(`sandsync: ${error.message}`);
    return EXIT.failure;
  }
}

/** How long a stopping daemon may take before the process ends anyway. */
const STOP_GRACE_MS = 2_000;

/**
 * Reports the daemon's state with the replica heartbeat (`POST workspaces/<id>/replicas/<id>/
 * heartbeat`): on every phase change and run, at most every 5 s (the last report is kept and
 * sent when the interval is over). Failures are logged once and otherwise ignored.
 */
class Heartbeat {
  #last = 0;
  #pending?: DaemonReport;
  #timer?: ReturnType<typeof setTimeout>;
  #sending?: Promise<void>;
  #warned = false;

  constructor(readonly agent: Agent, readonly log: (message: string) => void) {}

  send(report: DaemonReport) {
    this.#pending = report;
    if (this.#timer || this.#sending) return;
    const wait = Math.max(0, this.#last + 5_000 - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, wait);
  }

  #flush() {
    const report = this.#pending;
    if (!report) return;
    this.#pending = undefined;
    this.#last = Date.now();
    this.#sending = this.agent.api.replicaHeartbeat(this.agent.workspaceId, {
      replicaId: this.agent.replicaId,
      cursor: report.cursor ?? undefined,
      state: report.phase,
      lastRunAt: report.lastRunAt,
      lastSuccessAt: report.lastSuccessAt,
      lastError: report.lastError
        ? `${report.lastError.message}${report.lastError.code ? ` [${report.lastError.code}]` : ""}`
          .slice(0, 1000)
        : null,
      pending: report.pending >= 0 ? report.pending : null,
      heldDeletes: report.heldDeletes,
    }, { retry: false }).then(() => {}, (error) => {
      if (!this.#warned) {
        this.log(`heartbeat not sent: ${error instanceof Error ? error.message : error}`);
      }
      this.#warned = true;
    }).finally(() => {
      this.#sending = undefined;
      if (this.#pending) this.send(this.#pending);
    });
  }

  /** Sends what is left (the final `stopping` report), waiting at most 2 s. */
  async close() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#sending;
    this.#flush();
    await Promise.race([this.#sending, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }
}

function readLoginSafe() {
  try {
    return readLogin();
  } catch {
    return undefined; // no config directory (no HOME): nothing stored
  }
}

function parseMaxDelete(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const percent = Number(value.replace(/%$/, ""));
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new UsageError(`invalid --max-delete "${value}": expected a percentage 0-100`);
  }
  return percent / 100;
}

function exitOf(outcome: SyncOutcome): number {
  if (outcome.heldDeletes > 0) return EXIT.deletes;
  if (outcome.openConflicts > 0) return EXIT.conflicts;
  return EXIT.ok;
}

/** The `--json` shape of a run: the `SyncResult` plus what is left for the user. */
function syncJson(outcome: SyncOutcome) {
  const { uploaded, downloaded, deleted, conflicts, skipped, bytes, durationMs } = outcome;
  return {
    uploaded,
    downloaded,
    deleted,
    conflicts,
    skipped,
    bytes,
    durationMs,
    heldDeletes: outcome.heldDeletes,
    rejectedDeletes: outcome.rejectedDeletes,
    restored: outcome.restored,
    cursor: outcome.cursor,
    hashed: outcome.hashed,
  };
}

if (import.meta.main) Deno.exit(await main(Deno.args));
