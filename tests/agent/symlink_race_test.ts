// The symlink rule is checked again right before the rename (issue 10 §1): a directory swapped
// for a symlink after the download started never lets the file land outside the root.
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Agent, instanceId } from "../../agent/agent.ts";
import { TEMP_PREFIX } from "../../shared/paths/ignore_rules.ts";
import { LocalFs } from "../../agent/local_fs.ts";
import type { FileWriter } from "../../shared/sandbox_fs.ts";
import { SyncEngine } from "../../agent/sync_engine.ts";
import { cleanup, newAccount, newRoot, write } from "./support.ts";

/** Swaps `dir` for a symlink to `outside` just before the first temp file in it is created. */
class SwappingFs extends LocalFs {
  swapped = false;
  constructor(root: string, readonly dir: string, readonly outside: string) {
    super(root);
  }

  override async openWrite(path: string): Promise<FileWriter> {
    if (!this.swapped && path.startsWith(`${this.dir}/${TEMP_PREFIX}`)) {
      this.swapped = true;
      await Deno.rename(this.abs(this.dir), this.abs(`${this.dir}.moved`));
      await Deno.symlink(this.outside, this.abs(this.dir));
    }
    return await super.openWrite(path);
  }
}

async function engineOf(agent: Agent, fs: LocalFs, log: (line: string) => void) {
  return new SyncEngine({
    api: agent.api,
    fs,
    state: agent.state,
    workspaceId: agent.workspaceId,
    replicaId: agent.replicaId,
    instance: await instanceId(agent.dir),
    log,
  });
}

Deno.test("a directory swapped for a symlink mid-download: the file is refused, not renamed outside", async () => {
  const outside = await Deno.makeTempDir({ prefix: "sandsync-outside-" });
  const { config, workspace } = await newAccount("swap");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    await write(a.dir, "d/keep.txt", "keep\n");
    await a.sync();
    await b.sync();
    await write(a.dir, "d/new.sh", "#!/bin/sh\necho owned\n");
    await write(a.dir, "other.txt", "fine\n");
    await a.sync();

    const lines: string[] = [];
    const fs = new SwappingFs(b.dir, "d", outside);
    const run = await (await engineOf(b, fs, (line) => lines.push(line))).sync();
    assert.equal(fs.swapped, true, "the swap happened");
    assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), [], "nothing outside");
    assert.ok(lines.some((line) => line.includes('"d/new.sh"')), lines.join("\n"));
    assert.ok(run.skipped >= 1);
    assert.equal(await Deno.readTextFile(join(b.dir, "other.txt")), "fine\n", "the rest synced");
  } finally {
    await cleanup(a, b);
    await Deno.remove(outside, { recursive: true }).catch(() => {});
  }
});
