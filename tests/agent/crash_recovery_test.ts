import assert from "node:assert/strict";
import { join } from "node:path";
import { type Agent, instanceId } from "../../agent/agent.ts";
import { KEEP_PREFIX, TEMP_PREFIX } from "../../shared/paths/ignore_rules.ts";
import { LocalFs } from "../../agent/local_fs.ts";
import type { FsEntry } from "../../shared/sandbox_fs.ts";
import { SyncEngine } from "../../agent/sync_engine.ts";
import { workspaceRows } from "./robust_support.ts";
import { cleanup, newAccount, newRoot, tree, write } from "./support.ts";

/**
 * The local directory, dying right after one step of applying a remote change: the step
 * happened on disk, nothing after it ran (as with a SIGKILL at that instant). A TypeError is
 * what a dropped connection throws, so the engine aborts the run instead of skipping the file.
 */
class DyingFs extends LocalFs {
  constructor(root: string, readonly dieAfter: "rename" | "remove") {
    super(root);
  }

  override async rename(from: string, to: string): Promise<void> {
    await super.rename(from, to);
    if (this.dieAfter === "rename" && from.includes(TEMP_PREFIX)) {
      throw new TypeError(`died after renaming "${to}" into place`);
    }
  }

  // The agent replaces and removes through these where the file system offers them.
  override async replaceIfUnchanged(
    from: string,
    to: string,
    options: { expected: FsEntry | null; keepAs: string },
  ): Promise<boolean> {
    const placed = await super.replaceIfUnchanged(from, to, options);
    if (this.dieAfter === "rename") throw new TypeError(`died after putting "${to}" in place`);
    return placed;
  }

  override async removeIfUnchanged(
    path: string,
    options: { expected: FsEntry; keepAs: string },
  ): Promise<boolean> {
    const removed = await super.removeIfUnchanged(path, options);
    if (this.dieAfter === "remove") throw new TypeError(`died after removing "${path}"`);
    return removed;
  }

  override async remove(path: string): Promise<void> {
    await super.remove(path);
    if (this.dieAfter === "remove" && !path.includes(TEMP_PREFIX)) {
      throw new TypeError(`died after removing "${path}"`);
    }
  }
}

async function engineOf(agent: Agent, fs: LocalFs): Promise<SyncEngine> {
  return new SyncEngine({
    api: agent.api,
    fs,
    state: agent.state,
    workspaceId: agent.workspaceId,
    replicaId: agent.replicaId,
    instance: await instanceId(agent.dir),
  });
}

for (const dieAfter of ["rename", "remove"] as const) {
  Deno.test(`an agent that dies right after the ${dieAfter} of a remote change does not commit it back`, async () => {
    const { config, workspace } = await newAccount(`crash-${dieAfter}`);
    const a = await newRoot(config, workspace);
    const b = await newRoot(config, workspace);
    try {
      await write(a.dir, "notes/todo.md", "one\n");
      await write(a.dir, "notes/keep.md", "keep\n");
      await a.sync();
      await b.sync();
      if (dieAfter === "rename") await write(a.dir, "notes/todo.md", "two\n");
      else await Deno.remove(join(a.dir, "notes/todo.md"));
      await a.sync();
      const before = await workspaceRows(a.workspaceId);

      const dying = await engineOf(b, new DyingFs(b.dir, dieAfter));
      await assert.rejects(dying.sync(), TypeError);
      assert.equal(b.state.pendingApplies().length, 1, "the apply was written ahead");

      // The restart recognises the file as the remote version: nothing to push.
      const restarted = await engineOf(b, new LocalFs(b.dir));
      const run = await restarted.sync();
      assert.deepEqual([run.uploaded, run.deleted, run.conflicts], [0, 0, 0]);
      assert.deepEqual(b.state.pendingApplies(), []);
      const after = await workspaceRows(a.workspaceId);
      assert.equal(after.versions.length, before.versions.length, "no version committed back");
      assert.deepEqual(await tree(b.dir), await tree(a.dir));
      const again = await restarted.sync();
      assert.deepEqual([again.uploaded, again.downloaded, again.deleted], [0, 0, 0]);
    } finally {
      await cleanup(a, b);
    }
  });
}

/** Dies right after a remote delete moved the local file aside (before the copy is dropped). */
class DiesAfterMovingAside extends LocalFs {
  override async removeIfUnchanged(path: string): Promise<boolean> {
    const slash = path.lastIndexOf("/");
    const aside = `${path.slice(0, slash + 1)}${KEEP_PREFIX}deadbeef-${path.slice(slash + 1)}`;
    await Deno.rename(this.abs(path), this.abs(aside));
    throw new TypeError(`died after moving "${path}" aside`);
  }
}

Deno.test("an agent that dies while a remote delete has the file moved aside deletes it after the restart, never pushes it back", async () => {
  const { config, workspace } = await newAccount("crash-aside");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    await write(a.dir, "notes/todo.md", "one\n");
    await write(a.dir, "notes/keep.md", "keep\n");
    await a.sync();
    await b.sync();
    await Deno.remove(join(a.dir, "notes/todo.md"));
    await a.sync();
    const before = await workspaceRows(a.workspaceId);

    const dying = await engineOf(b, new DiesAfterMovingAside(b.dir));
    await assert.rejects(dying.sync(), TypeError);
    assert.equal(b.state.pendingApplies().length, 1, "the apply was written ahead");

    const restarted = await engineOf(b, new LocalFs(b.dir));
    const run = await restarted.sync();
    assert.deepEqual([run.uploaded, run.deleted, run.conflicts], [0, 1, 0]);
    const after = await workspaceRows(a.workspaceId);
    assert.equal(after.versions.length, before.versions.length, "nothing committed back");
    assert.deepEqual(Object.keys(after.live), ["notes/keep.md"]);
    assert.deepEqual(await tree(b.dir), await tree(a.dir));
  } finally {
    await cleanup(a, b);
  }
});
