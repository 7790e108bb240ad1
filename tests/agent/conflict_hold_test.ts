import assert from "node:assert/strict";
import { join } from "node:path";
import { cleanup, newAccount, newRoot, runCli, write } from "./support.ts";

Deno.test("a path with an open conflict is not pushed again until it is resolved", async () => {
  const { config, workspace } = await newAccount("hold");
  const a = await newRoot(config, workspace, { strategy: "user_intervention" });
  const b = await newRoot(config, workspace);
  try {
    await write(a.dir, "doc.txt", "base\n");
    await a.sync();
    await b.sync();
    await write(a.dir, "doc.txt", "A's edit\n");
    await write(b.dir, "doc.txt", "B's edit\n");
    await a.sync();
    assert.equal((await b.sync()).openConflicts, 1);

    // B keeps editing before anyone resolved: the edit stays local, the server keeps A's side.
    await write(b.dir, "doc.txt", "B's second edit\n");
    const held = await b.sync();
    assert.equal(held.uploaded, 0);
    assert.equal(held.openConflicts, 1);
    await a.sync();
    assert.equal(await Deno.readTextFile(join(a.dir, "doc.txt")), "A's edit\n");

    // Resolving with B's side (--ours on B) publishes B's latest bytes.
    const resolved = await runCli(config, ["resolve", "doc.txt", "--ours", b.dir]);
    assert.equal(resolved.code, 0, resolved.stderr);
    await b.sync();
    await a.sync();
    assert.equal(await Deno.readTextFile(join(a.dir, "doc.txt")), "B's second edit\n");
    assert.equal((await a.sync()).openConflicts, 0);
  } finally {
    await cleanup(a, b);
  }
});
