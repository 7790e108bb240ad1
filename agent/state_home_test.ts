import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { migrateLegacyState, statePaths } from "./state_home.ts";

Deno.test("statePaths() puts a root's state outside it; migrateLegacyState() moves .sandsync/state.db out", async () => {
  const home = await Deno.makeTempDir();
  const root = await Deno.makeTempDir();
  const before = Deno.env.get("SANDSYNC_STATE_HOME");
  Deno.env.set("SANDSYNC_STATE_HOME", home);
  try {
    const paths = statePaths(root);
    assert.ok(paths.db.startsWith(home), paths.db);
    assert.ok(!paths.db.startsWith(root));
    await Deno.mkdir(join(root, ".sandsync"));
    const legacy = new DatabaseSync(join(root, ".sandsync/state.db"));
    legacy.exec("pragma journal_mode = wal; create table meta (key text primary key, value text)");
    legacy.prepare("insert into meta values ('cursor', '42')").run();
    // Still open (the WAL holds the row): VACUUM INTO copies what the WAL holds too.
    assert.equal(migrateLegacyState(root, paths), true);
    legacy.close();
    const moved = new DatabaseSync(paths.db);
    const row = moved.prepare("select value from meta where key = 'cursor'").get() as {
      value: string;
    };
    moved.close();
    assert.equal(row.value, "42");
    await assert.rejects(Deno.stat(join(root, ".sandsync")), "the old state directory is gone");
    assert.equal(migrateLegacyState(root, paths), false, "once only");
  } finally {
    if (before === undefined) Deno.env.delete("SANDSYNC_STATE_HOME");
    else Deno.env.set("SANDSYNC_STATE_HOME", before);
    await Deno.remove(home, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});
