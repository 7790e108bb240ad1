import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentConfig } from "../../agent/agent.ts";
import { workspaceRows } from "../agent/robust_support.ts";
import { cliEnv } from "../agent/support.ts";
import {
  account,
  eventually,
  initRoot,
  Proc,
  removeDirs,
  startDaemon,
  status,
} from "./field_support.ts";

const CLI = fileURLToPath(new URL("../../agent/cli.ts", import.meta.url));

/**
 * A daemon started by a supervisor that reaps its children late (a shell that `exec`s into
 * `sleep`): once killed, the daemon stays a zombie, its pid alive in /proc, until the
 * supervisor is stopped. Output goes to `log`.
 */
function supervised(config: AgentConfig, dir: string, log: string) {
  const supervisor = new Deno.Command("sh", {
    args: [
      "-c",
      `"$0" run -A --quiet "$1" watch "$2" >"$3" 2>&1 & echo $!; exec sleep 600`,
      Deno.execPath(),
      CLI,
      dir,
      log,
    ],
    env: cliEnv(config),
    stdout: "piped",
    stdin: "null",
  }).spawn();
  const pid = (async () => {
    const reader = supervisor.stdout.getReader();
    const { value } = await reader.read();
    reader.releaseLock();
    return Number(new TextDecoder().decode(value).trim());
  })();
  return {
    pid,
    async stop() {
      try {
        Deno.kill(await pid, "SIGKILL");
      } catch { /* gone */ }
      supervisor.kill("SIGKILL");
      await supervisor.stdout.cancel().catch(() => {});
      await supervisor.status;
    },
  };
}

Deno.test("a daemon restarted 0 ms after kill -9 (the killed one still a zombie) takes over and syncs", async () => {
  const { config, workspace } = await account("field-restart");
  const { dir, workspaceId } = await initRoot(config, workspace);
  const logs = await Deno.makeTempDir({ prefix: "sandsync-field-logs-" });
  const runs = [supervised(config, dir, join(logs, "0.log"))];
  try {
    await eventually(async () => (await status(config, dir)).body.watching === true, 30_000, "0");
    for (let round = 1; round <= 3; round++) {
      Deno.kill(await runs.at(-1)!.pid, "SIGKILL");
      await Deno.writeTextFile(join(dir, `after-kill-${round}.txt`), `round ${round}\n`);
      runs.push(supervised(config, dir, join(logs, `${round}.log`)));
      await eventually(
        async () => `after-kill-${round}.txt` in (await workspaceRows(workspaceId)).live,
        30_000,
        `the restarted daemon to commit round ${round}'s edit`,
      );
      const log = await Deno.readTextFile(join(logs, `${round}.log`));
      assert.equal(log.includes("another sandsync process"), false, log);
    }
  } finally {
    for (const run of runs) await run.stop();
    await removeDirs(dir, logs);
  }
});

Deno.test("a second daemon waits for the first with a message, never both running, and takes over", async () => {
  const { config, workspace } = await account("field-second");
  const { dir, workspaceId } = await initRoot(config, workspace);
  const first = await startDaemon(config, dir);
  const second = new Proc(config, ["watch", dir]);
  try {
    await eventually(
      () => /waiting for the sandsync process/.test(second.stderr),
      20_000,
      "the wait message",
    );
    assert.match(second.stderr, new RegExp(`pid ${first.pid}`));
    const answer = await status(config, dir);
    assert.equal((answer.body.daemon as { pid: number }).pid, first.pid, "the first one serves");
    const stopped = await first.stop("SIGTERM");
    assert.equal(stopped.code, 0, first.stderr);
    await eventually(
      async () => {
        const now = await status(config, dir);
        return (now.body.daemon as { pid?: number } | null)?.pid === second.pid;
      },
      20_000,
      "the second daemon to take over",
    );
    await Deno.writeTextFile(join(dir, "by-second.txt"), "second\n");
    await eventually(
      async () => "by-second.txt" in (await workspaceRows(workspaceId)).live,
      20_000,
      "the second daemon to sync",
    );
  } finally {
    await first.stop();
    await second.stop();
    await removeDirs(dir);
  }
});
