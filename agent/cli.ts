/**
 * `sandsync`, the agent's command line (`deno task sandsync <command>`):
 *
 *     sandsync init <dir> --workspace <name|id> [--strategy s]
 *     sandsync sync [dir] [--confirm-deletes]      one run
 *     sandsync watch [dir]                         the daemon
 *     sandsync status [dir]
 *     sandsync flush [dir]                         returns once local changes are committed
 *     sandsync workspaces
 *
 * Flags: `--url`, `--anon-key`, `--token` (else `SUPABASE_URL`, `SUPABASE_ANON_KEY`,
 * `SANDSYNC_TOKEN`: a user access token or an `sst_` agent token), `--max-delete <percent>`
 * (default 50), `--json`, `--quiet`. Exit codes: 0 ok, 1 failure, 2 usage, 3 open conflicts
 * remain, 4 deletions wait for confirmation.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { isSyncError } from "../shared/errors.ts";
import { Agent, type AgentConfig, NotInitialisedError } from "./agent.ts";
import type { SyncOutcome } from "./sync_engine.ts";

/** Exit codes. */
export const EXIT = { ok: 0, failure: 1, usage: 2, conflicts: 3, deletes: 4 } as const;

class UsageError extends Error {}

const USAGE = `Usage: sandsync <command> [options]
  init <dir> --workspace <name|id> [--strategy last_write_wins|user_intervention|auto_merge]
  sync [dir] [--confirm-deletes]
  watch [dir]
  status [dir]
  flush [dir]
  workspaces
Options: --url, --anon-key, --token (or SUPABASE_URL, SUPABASE_ANON_KEY, SANDSYNC_TOKEN),
  --max-delete <percent> (default 50), --json, --quiet`;

/** Runs the CLI with `args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        workspace: { type: "string", short: "w" },
        strategy: { type: "string" },
        url: { type: "string" },
        "anon-key": { type: "string" },
        token: { type: "string" },
        "max-delete": { type: "string" },
        "confirm-deletes": { type: "boolean" },
        json: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`sandsync: ${error instanceof Error ? error.message : error}\n${USAGE}`);
    return EXIT.usage;
  }
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (values.help ? console.log : console.error)(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const quiet = values.quiet === true;
  const json = values.json === true;
  const log = (message: string) => {
    if (!quiet) console.error(`sandsync: ${message}`);
  };
  try {
    const dir = rest[0] ?? ".";
    const config = (fallbackDir?: string): AgentConfig => {
      const url = values.url ?? Deno.env.get("SUPABASE_URL") ??
        (fallbackDir ? Agent.storedUrl(fallbackDir) : undefined);
      const token = values.token ?? Deno.env.get("SANDSYNC_TOKEN");
      const anonKey = values["anon-key"] ?? Deno.env.get("SUPABASE_ANON_KEY");
      if (!url) throw new UsageError("no API URL: pass --url or set SUPABASE_URL");
      if (!token) throw new UsageError("no token: pass --token or set SANDSYNC_TOKEN");
      return { url, token, ...(anonKey ? { anonKey } : {}) };
    };
    const options = { maxDelete: parseMaxDelete(values["max-delete"]), log };
    switch (command) {
      case "init": {
        if (!rest[0]) throw new UsageError("init needs a directory");
        if (!values.workspace) throw new UsageError("init needs --workspace <name|id>");
        const strategy = values.strategy as "last_write_wins" | undefined;
        const { agent, workspace, created } = await Agent.init(
          rest[0],
          values.workspace,
          config(),
          { ...options, ...(strategy ? { strategy } : {}) },
        );
        agent.close();
        const out = {
          workspaceId: workspace.id,
          name: workspace.name,
          created,
          replicaId: agent.replicaId,
        };
        if (json) console.log(JSON.stringify(out));
        else if (!quiet) {
          console.log(
            `${created ? "created" : "using"} workspace "${workspace.name}" (${workspace.id})`,
          );
        }
        return EXIT.ok;
      }
      case "sync":
      case "flush": {
        const agent = await Agent.open(dir, config(dir), options);
        try {
          const outcome = command === "sync"
            ? await agent.sync({ confirmDeletes: values["confirm-deletes"] === true })
            : await agent.flush();
          if (outcome) report(outcome, { json, quiet });
          else if (json) console.log(JSON.stringify({ flushed: true }));
          return outcome ? exitOf(outcome) : EXIT.ok;
        } finally {
          agent.close();
        }
      }
      case "watch": {
        const agent = await Agent.open(dir, config(dir), options);
        const stop = () => agent.stop();
        Deno.addSignalListener("SIGINT", stop);
        Deno.addSignalListener("SIGTERM", stop);
        try {
          log(`watching "${agent.dir}"`);
          await agent.watch({
            onSync: (outcome) => {
              const moved = outcome.uploaded + outcome.downloaded + outcome.deleted;
              if (json) console.log(JSON.stringify(outcome));
              else if (moved > 0 && !quiet) report(outcome, { json: false, quiet });
            },
          });
          return EXIT.ok;
        } finally {
          Deno.removeSignalListener("SIGINT", stop);
          Deno.removeSignalListener("SIGTERM", stop);
          agent.close();
        }
      }
      case "status": {
        const agent = await Agent.open(dir, config(dir), options);
        try {
          const status = await agent.status();
          if (json) console.log(JSON.stringify(status));
          else {
            console.log(
              `${status.dir}: workspace ${status.workspaceName ?? ""} (${status.workspaceId})\n` +
                `  files ${status.files}, pending ${status.pending}, cursor ${status.cursor}, ` +
                `${status.watching ? "watching" : "not watching"}\n` +
                `  held deletions ${status.heldDeletes}, open conflicts ${status.conflicts.length}` +
                status.conflicts.map((c) => `\n    ${c.path} (${c.conflictId})`).join(""),
            );
          }
          if (status.heldDeletes > 0) return EXIT.deletes;
          return status.conflicts.length > 0 ? EXIT.conflicts : EXIT.ok;
        } finally {
          agent.close();
        }
      }
      case "workspaces": {
        const { SyncApi } = await import("../client/sync_api.ts");
        const list = await new SyncApi(config()).listWorkspaces();
        if (json) console.log(JSON.stringify(list));
        else for (const w of list) console.log(`${w.id}  ${w.name}  (${w.strategy})`);
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof NotInitialisedError) {
      console.error(`sandsync: ${error.message}${error instanceof UsageError ? `\n${USAGE}` : ""}`);
      return EXIT.usage;
    }
    const code = isSyncError(error) ? ` [${error.code}]` : "";
    console.error(`sandsync: ${error instanceof Error ? error.message : error}${code}`);
    return EXIT.failure;
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

function report(outcome: SyncOutcome, options: { json: boolean; quiet: boolean }) {
  if (options.json) {
    const { uploaded, downloaded, deleted, conflicts, skipped, bytes, durationMs } = outcome;
    console.log(JSON.stringify({
      uploaded,
      downloaded,
      deleted,
      conflicts,
      skipped,
      bytes,
      durationMs,
      heldDeletes: outcome.heldDeletes,
      restored: outcome.restored,
      cursor: outcome.cursor,
      hashed: outcome.hashed,
    }));
    return;
  }
  if (options.quiet) return;
  console.log(
    `uploaded ${outcome.uploaded}, downloaded ${outcome.downloaded}, deleted ${outcome.deleted}, ` +
      `conflicts ${outcome.conflicts}, skipped ${outcome.skipped}, ${outcome.bytes} bytes in ` +
      `${outcome.durationMs} ms${outcome.restored ? " (restored from the workspace)" : ""}` +
      (outcome.heldDeletes > 0
        ? `\n${outcome.heldDeletes} deletions held: run \`sandsync sync --confirm-deletes\``
        : ""),
  );
}

if (import.meta.main) Deno.exit(await main(Deno.args));
