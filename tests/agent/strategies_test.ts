// The same concurrent edit of one file by two agents, under each conflict strategy: nothing either
// side wrote is lost (it survives as the current file, a conflict copy, or an open conflict), and
// the two directories end in the state the strategy promises.
import assert from "node:assert/strict";
import { listConflicts } from "../../client/conflicts_api.ts";
import { cleanup, newAccount, newRoot, tree, write } from "./support.ts";

const BASE = "one\ntwo\nthree\nfour\nfive\n";

async function concurrentEdit(
  strategy: "last_write_wins" | "user_intervention" | "auto_merge",
  edits: { a: string; b: string },
) {
  const { config, workspace } = await newAccount(strategy.replaceAll("_", "-"));
  const a = await newRoot(config, workspace, { strategy });
  const b = await newRoot(config, workspace);
  await write(a.dir, "doc.txt", BASE);
  await a.sync();
  await b.sync();
  await write(a.dir, "doc.txt", edits.a);
  await write(b.dir, "doc.txt", edits.b);
  await a.sync(); // A commits first: B's commit is the later, concurrent one
  const outcome = await b.sync();
  await a.sync();
  await b.sync();
  return { a, b, outcome, trees: { a: await tree(a.dir), b: await tree(b.dir) } };
}

Deno.test("last_write_wins: the later edit is current everywhere, the earlier one a conflict copy", async () => {
  const run = await concurrentEdit("last_write_wins", { a: "A wrote this\n", b: "B wrote this\n" });
  try {
    for (const side of [run.trees.a, run.trees.b]) {
      assert.equal(side["doc.txt"], "B wrote this\n");
      const copies = Object.entries(side).filter(([path]) => path.includes(".sync-conflict-"));
      assert.equal(copies.length, 1, JSON.stringify(Object.keys(side)));
      assert.match(copies[0]![0], /^doc\.sync-conflict-\d{8}-\d{6}-.+\.txt$/);
      assert.equal(copies[0]![1], "A wrote this\n");
    }
    assert.deepEqual(run.trees.a, run.trees.b);
    assert.equal(run.outcome.openConflicts, 0);
  } finally {
    await cleanup(run.a, run.b);
  }
});

Deno.test("auto_merge: non-overlapping edits merge into one file on both sides", async () => {
  const run = await concurrentEdit("auto_merge", {
    a: BASE.replace("one", "ONE (A)"),
    b: BASE.replace("five", "FIVE (B)"),
  });
  try {
    const merged = "ONE (A)\ntwo\nthree\nfour\nFIVE (B)\n";
    assert.equal(run.trees.a["doc.txt"], merged);
    assert.equal(run.trees.b["doc.txt"], merged);
    assert.deepEqual(Object.keys(run.trees.a), ["doc.txt"]);
    assert.equal(run.outcome.openConflicts, 0);
  } finally {
    await cleanup(run.a, run.b);
  }
});

Deno.test("auto_merge: overlapping edits fall back to an open conflict; both sides kept", async () => {
  const run = await concurrentEdit("auto_merge", {
    a: BASE.replace("three", "THREE by A"),
    b: BASE.replace("three", "THREE by B"),
  });
  try {
    // The server kept A's (first) version; B's stays in B's directory and in the open conflict.
    assert.equal(run.trees.a["doc.txt"], BASE.replace("three", "THREE by A"));
    assert.equal(run.trees.b["doc.txt"], BASE.replace("three", "THREE by B"));
    assert.equal(run.outcome.openConflicts, 1);
    const conflicts = await listConflicts(run.b.api, { workspaceId: run.b.workspaceId });
    assert.deepEqual(conflicts.map((conflict) => conflict.path), ["doc.txt"]);
  } finally {
    await cleanup(run.a, run.b);
  }
});
