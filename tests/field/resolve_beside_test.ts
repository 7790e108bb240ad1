import assert from "node:assert/strict";
import { join } from "node:path";
import { workspaceRows } from "../agent/robust_support.ts";
import {
  account,
  cli,
  eventually,
  initRoot,
  removeDirs,
  startDaemon,
  status,
} from "./field_support.ts";

Deno.test("resolve beside a daemon resolves the conflict it holds and the daemon applies it", async () => {
  const { config, workspace } = await account("field-resolve");
  const a = await initRoot(config, workspace, async (dir) => {
    await Deno.writeTextFile(join(dir, "notes.md"), "base\n");
  }, ["--strategy", "user_intervention"]);
  const b = await initRoot(config, workspace);
  const daemon = await startDaemon(config, a.dir);
  try {
    assert.equal((await cli(config, ["flush", a.dir])).code, 0);
    assert.equal((await cli(config, ["sync", b.dir])).code, 0);
    await Deno.writeTextFile(join(b.dir, "notes.md"), "from B\n");
    await Deno.writeTextFile(join(a.dir, "notes.md"), "from A\n");
    const flushed = await cli(config, ["flush", a.dir]);
    assert.equal(flushed.code, 0, flushed.stderr);
    const clashed = await cli(config, ["sync", b.dir]);
    assert.equal(clashed.code, 3, clashed.stderr);
    await eventually(
      async () => ((await status(config, a.dir)).body.conflicts as unknown[]).length === 1,
      20_000,
      "the daemon to hold the conflict",
    );
    const resolved = await cli(config, ["resolve", "notes.md", a.dir, "--ours", "--json"]);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.ok(resolved.ms < 10_000, `resolve took ${resolved.ms} ms`);
    await eventually(
      async () => ((await status(config, a.dir)).body.conflicts as unknown[]).length === 0,
      20_000,
      "the daemon to see the conflict resolved",
    );
    assert.deepEqual(
      (await workspaceRows(a.workspaceId)).conflicts.filter((c) => c.status === "open"),
      [],
    );
    assert.equal(await Deno.readTextFile(join(a.dir, "notes.md")), "from A\n");
  } finally {
    await daemon.stop();
    await removeDirs(a.dir, b.dir);
  }
});
