import assert from "node:assert/strict";
import { join } from "node:path";
import { instanceId } from "../../agent/agent.ts";
import { TEMP_PREFIX } from "../../shared/paths/ignore_rules.ts";
import { LocalFs } from "../../agent/local_fs.ts";
import { SyncEngine } from "../../agent/sync_engine.ts";
import type { FileWriter } from "../../shared/sandbox_fs.ts";
import { cleanup, newAccount, newRoot, write } from "./support.ts";

/** A directory whose temp files vanish once (as when another process removed them). */
class VanishingFs extends LocalFs {
  vanished = 0;

  override async openWrite(path: string): Promise<FileWriter> {
    if (path.includes(TEMP_PREFIX) && this.vanished === 0) {
      this.vanished++;
      throw new Deno.errors.NotFound(`"${path}" vanished`);
    }
    return await super.openWrite(path);
  }
}

Deno.test("a remote change that cannot be applied now is retried: the cursor does not move past it", async () => {
  const { config, workspace } = await newAccount("unapplied");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    await a.sync();
    await b.sync();
    await write(a.dir, "notes/todo.md", "one\n");
    await a.sync();
    const cursor = b.state.cursor;
    const fs = new VanishingFs(b.dir);
    const engine = new SyncEngine({
      api: b.api,
      fs,
      state: b.state,
      workspaceId: b.workspaceId,
      replicaId: b.replicaId,
      instance: await instanceId(b.dir),
    });
    await assert.rejects(engine.sync(), /Cannot apply 1 remote change now/);
    assert.equal(fs.vanished, 1);
    assert.equal(b.state.cursor, cursor, "the cursor stays before the change");
    const retried = await engine.sync();
    assert.equal(retried.downloaded, 1);
    assert.equal(await Deno.readTextFile(join(b.dir, "notes/todo.md")), "one\n");
  } finally {
    await cleanup(a, b);
  }
});
