import assert from "node:assert/strict";
import { join } from "node:path";
import { workspaceRows } from "../agent/robust_support.ts";
import {
  account,
  eventually,
  initRoot,
  Proc,
  removeDirs,
  startDaemon,
  status,
} from "./field_support.ts";

Deno.test("a daemon restarted 0 ms after kill -9 takes over and syncs the edits made meanwhile", async () => {
  const { config, workspace } = await account("field-restart");
  const { dir, workspaceId } = await initRoot(config, workspace);
  let daemon = await startDaemon(config, dir);
  try {
    for (let round = 0; round < 3; round++) {
      // As a supervisor does: kill -9, then start again at once (the killed one is not reaped
      // yet: still a zombie while the new one starts).
      daemon.signal("SIGKILL");
      await Deno.writeTextFile(join(dir, `after-kill-${round}.txt`), `round ${round}\n`);
      const killed = daemon;
      daemon = new Proc(config, ["watch", dir]);
      await killed.exit();
      await eventually(
        async () => `after-kill-${round}.txt` in (await workspaceRows(workspaceId)).live,
        30_000,
        `the restarted daemon to commit round ${round}'s edit`,
      );
      assert.equal(daemon.stderr.includes("another sandsync process"), false, daemon.stderr);
    }
  } finally {
    await daemon.stop();
    await removeDirs(dir);
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
