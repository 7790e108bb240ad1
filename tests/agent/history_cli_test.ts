import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256Hex } from "../../shared/hash.ts";
import { cleanup, newAccount, newRoot, runCli, tree, write } from "./support.ts";

Deno.test("history, diff and restore (an old version, a deleted file, --all at a time)", async () => {
  const { config, workspace } = await newAccount("history");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    await write(a.dir, "f.txt", "v1\n");
    await write(a.dir, "g.txt", "keep\n");
    await a.sync();
    const early = new Date().toISOString();
    await write(a.dir, "f.txt", "v2\n");
    await a.sync();
    await write(a.dir, "f.txt", "v3\n");
    await a.sync();

    const listed = await runCli(config, ["history", "f.txt", a.dir, "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    const history = JSON.parse(listed.stdout);
    assert.deepEqual(
      history.versions.map((v: { sha256: string }) => v.sha256),
      ["v3\n", "v2\n", "v1\n"].map((t) => sha256Hex(t)),
    );
    const [v3, v2, v1] = history.versions.map((v: { versionId: string }) => v.versionId);
    assert.equal(history.currentVersionId, v3);
    const human = await runCli(config, ["history", "f.txt", a.dir]);
    assert.equal(human.stdout.trim().split("\n").length, 3);
    assert.match(human.stdout.split("\n")[0]!, new RegExp(`^${v3} .*applied.*\\(current\\)$`));

    const diff = await runCli(config, ["diff", "f.txt", a.dir, "--from", v1, "--to", v2]);
    assert.equal(diff.code, 0, diff.stderr);
    assert.equal(diff.stdout, "--- a/f.txt\n+++ b/f.txt\n@@ -1,1 +1,1 @@\n-v1\n+v2\n");
    // Without versions: the local file against the version it is based on.
    await write(a.dir, "f.txt", "v3\nlocal line\n");
    const local = await runCli(config, ["diff", "f.txt", a.dir, "--json"]);
    assert.equal(local.code, 0, local.stderr);
    assert.deepEqual(JSON.parse(local.stdout), {
      path: "f.txt",
      from: v3,
      to: "local",
      diff: "--- a/f.txt\n+++ b/f.txt\n@@ -1,1 +1,2 @@\n v3\n+local line\n",
      stats: { added: 1, removed: 0 },
    });
    await a.sync();

    // An old version by id: committed as the newest version, and written here.
    const restored = await runCli(config, ["restore", "f.txt", a.dir, "--at", v1, "--json"]);
    assert.equal(restored.code, 0, restored.stderr);
    const report = JSON.parse(restored.stdout);
    assert.equal(report.restored[0].fromVersionId, v1);
    assert.equal(report.restored[0].localMatches, true);
    assert.equal(await Deno.readTextFile(join(a.dir, "f.txt")), "v1\n");
    const after = JSON.parse((await runCli(config, ["history", "f.txt", a.dir, "--json"])).stdout);
    assert.equal(after.versions.length, 5);
    assert.equal(after.currentVersionId, report.restored[0].versionId);
    assert.equal(after.versions[0].sha256, sha256Hex("v1\n"));

    // A deleted file comes back from its tombstone's history, here and elsewhere.
    await Deno.remove(join(a.dir, "g.txt"));
    assert.equal((await a.sync()).deleted, 1);
    const back = await runCli(config, ["restore", "g.txt", a.dir, "--at", early]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /^restored g\.txt from /);
    assert.equal(await Deno.readTextFile(join(a.dir, "g.txt")), "keep\n");

    // --all at a time: what was live then is brought back; newer files stay.
    await write(a.dir, "f.txt", "v5\n");
    await write(a.dir, "h.txt", "new\n");
    await a.sync();
    const all = await runCli(config, ["restore", "--all", a.dir, "--at", early, "--json"]);
    assert.equal(all.code, 0, all.stderr);
    const allReport = JSON.parse(all.stdout);
    assert.deepEqual(allReport.restored.map((r: { path: string }) => r.path), ["f.txt"]);
    assert.deepEqual([allReport.unchanged, allReport.skipped], [["g.txt"], ["h.txt"]]);
    await b.sync();
    assert.deepEqual(await tree(b.dir), { "f.txt": "v1\n", "g.txt": "keep\n", "h.txt": "new\n" });
    assert.deepEqual(await tree(a.dir), await tree(b.dir));

    // Bad input: a time that is no time (usage), a path without history (failure).
    assert.equal((await runCli(config, ["restore", "f.txt", a.dir, "--at", "yesterday"])).code, 2);
    const unknown = await runCli(config, ["restore", "nope.txt", a.dir, "--at", early]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /"nope\.txt" has no history/);
  } finally {
    await cleanup(a, b);
  }
});
