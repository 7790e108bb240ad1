import assert from "node:assert/strict";
import { join } from "node:path";
import { holdLock } from "../tests/support/lock_holder.ts";
import { StateDb } from "./state_db.ts";

// Two processes open one directory's state at once (a daemon starting, `sandsync status` beside
// it): the one that finds the database locked waits instead of failing with "database is locked".
Deno.test("StateDb opens a database another process holds locked for a moment", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "state.db");
  try {
    // A fresh database in the default (rollback) journal mode, as a migrated one is, held in a
    // write transaction by another process for 800 ms.
    const holder = await holdLock(`import { DatabaseSync } from "node:sqlite";
       const db = new DatabaseSync(${JSON.stringify(file)});
       db.exec("create table t (x); begin immediate; insert into t values (1)");
       console.log("locked");
       await new Promise((r) => setTimeout(r, 800));
       db.exec("commit"); db.close();`);
    const state = new StateDb(file); // (used to throw "database is locked" here)
    state.setMeta("cursor", "7");
    assert.equal(state.getMeta("cursor"), "7");
    state.close();
    assert.equal((await holder.process.status).code, 0);
    await holder.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
