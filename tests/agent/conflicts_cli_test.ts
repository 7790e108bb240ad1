import assert from "node:assert/strict";
import { join } from "node:path";
import { cleanup, newAccount, newRoot, runCli, write } from "./support.ts";

const read = (dir: string, path: string) => Deno.readTextFile(join(dir, path));

Deno.test("conflicts and resolve --ours / --theirs / --merge between two agents (user_intervention)", async () => {
  const { config, workspace } = await newAccount("resolve");
  const a = await newRoot(config, workspace, { strategy: "user_intervention" });
  const b = await newRoot(config, workspace);
  try {
    const base = "one\ntwo\nthree\nfour\nfive\n";
    for (const name of ["ours", "theirs", "flip", "merge", "clash"]) {
      await write(a.dir, `${name}.txt`, base);
    }
    await a.sync();
    await b.sync();
    // Concurrent edits: A commits first (its versions become current), B's conflict.
    await write(a.dir, "ours.txt", "A's ours\n");
    await write(a.dir, "theirs.txt", "A's theirs\n");
    await write(a.dir, "flip.txt", "A's flip\n");
    await write(a.dir, "merge.txt", "ONE\ntwo\nthree\nfour\nfive\n");
    await write(a.dir, "clash.txt", "one\nTWO by A\nthree\nfour\nfive\n");
    await write(b.dir, "ours.txt", "B's ours\n");
    await write(b.dir, "theirs.txt", "B's theirs\n");
    await write(b.dir, "flip.txt", "B's flip\n");
    await write(b.dir, "merge.txt", "one\ntwo\nthree\nfour\nFIVE\n");
    await write(b.dir, "clash.txt", "one\nTWO by B\nthree\nfour\nfive\n");
    await a.sync();
    const clashed = await b.sync();
    assert.equal(clashed.openConflicts, 5);
    await a.sync(); // A hears of the conflicts

    const listed = await runCli(config, ["conflicts", b.dir, "--json"]);
    assert.equal(listed.code, 3, listed.stderr);
    const conflicts = JSON.parse(listed.stdout).conflicts;
    assert.deepEqual(conflicts.map((c: { path: string }) => c.path).sort(), [
      "clash.txt",
      "flip.txt",
      "merge.txt",
      "ours.txt",
      "theirs.txt",
    ]);
    const human = await runCli(config, ["conflicts", a.dir]);
    assert.equal(human.code, 3);
    assert.match(human.stdout, /ours\.txt\s+[0-9a-f-]{36}\s+\(user_intervention/);

    // --ours on B keeps B's file; A gets it with its next pull.
    const ours = await runCli(config, ["resolve", "ours.txt", b.dir, "--ours", "--json"]);
    assert.equal(ours.code, 0, ours.stderr);
    const oursReport = JSON.parse(ours.stdout);
    assert.deepEqual([oursReport.resolution, oursReport.localMatches], ["incoming", true]);
    assert.equal(await read(b.dir, "ours.txt"), "B's ours\n");

    // --theirs on B takes the workspace's side (A's) into B's directory.
    const theirs = await runCli(config, ["resolve", join(b.dir, "theirs.txt"), b.dir, "--theirs"]);
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.match(theirs.stdout, /resolved theirs\.txt \(theirs: current\)/);
    assert.equal(await read(b.dir, "theirs.txt"), "A's theirs\n");

    // --theirs where the local file is the workspace's side (A) takes the other one (B's).
    const flip = await runCli(config, ["resolve", "flip.txt", a.dir, "--theirs", "--json"]);
    assert.equal(flip.code, 0, flip.stderr);
    assert.equal(JSON.parse(flip.stdout).resolution, "incoming");
    assert.equal(await read(a.dir, "flip.txt"), "B's flip\n");

    // --merge: a clean three-way merge lands on both sides.
    const merged = await runCli(config, ["resolve", "merge.txt", a.dir, "--merge", "--json"]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.equal(JSON.parse(merged.stdout).localMatches, true);
    assert.equal(await read(a.dir, "merge.txt"), "ONE\ntwo\nthree\nfour\nFIVE\n");

    // --merge of overlapping edits reports the hunks and leaves the conflict open (exit 3).
    const refused = await runCli(config, ["resolve", "clash.txt", b.dir, "--merge"]);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stdout, /cannot merge clash\.txt: overlapping/);
    assert.match(refused.stdout, /current +\| TWO by A/);
    assert.match(refused.stdout, /incoming +\| TWO by B/);
    assert.equal(await read(b.dir, "clash.txt"), "one\nTWO by B\nthree\nfour\nfive\n");
    // An edit made since the conflict is never discarded by --theirs; --ours commits it.
    await write(b.dir, "clash.txt", "one\nTWO by both\nthree\nfour\nfive\n");
    const discard = await runCli(config, ["resolve", "clash.txt", b.dir, "--theirs"]);
    assert.equal(discard.code, 1);
    assert.match(discard.stderr, /edited here since the conflict/);
    const kept = await runCli(config, ["resolve", "clash.txt", b.dir, "--ours", "--json"]);
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(JSON.parse(kept.stdout).resolution, "merged");
    assert.equal((await runCli(config, ["resolve", "clash.txt", b.dir, "--ours"])).code, 1);
    assert.equal((await runCli(config, ["resolve", "clash.txt", b.dir])).code, 2);

    // Nothing open any more; both directories agree, and a sync moves nothing on B (the
    // state bases follow the resolutions).
    const none = await runCli(config, ["conflicts", b.dir, "--json"]);
    assert.equal(none.code, 0, none.stderr);
    assert.deepEqual(JSON.parse(none.stdout).conflicts, []);
    const syncB = JSON.parse((await runCli(config, ["sync", b.dir, "--json"])).stdout);
    // (B's resolve commands pulled A's merge already.)
    assert.deepEqual([syncB.uploaded, syncB.downloaded, syncB.conflicts], [0, 0, 0]);
    const syncA = await runCli(config, ["sync", a.dir, "--json"]);
    assert.equal(syncA.code, 0, syncA.stderr);
    assert.deepEqual(JSON.parse(syncA.stdout).uploaded, 0);
    for (
      const [path, text] of Object.entries({
        "ours.txt": "B's ours\n",
        "theirs.txt": "A's theirs\n",
        "flip.txt": "B's flip\n",
        "merge.txt": "ONE\ntwo\nthree\nfour\nFIVE\n",
        "clash.txt": "one\nTWO by both\nthree\nfour\nfive\n",
      })
    ) {
      assert.equal(await read(a.dir, path), text, `A's ${path}`);
      assert.equal(await read(b.dir, path), text, `B's ${path}`);
    }
  } finally {
    await cleanup(a, b);
  }
});
