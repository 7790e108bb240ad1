import assert from "node:assert/strict";
import {
  asUser,
  commit,
  type CommitResult,
  connect,
  createUser,
  setupWorkspace,
  storedBlob,
} from "./db_support.ts";

const WRITERS = 32;

async function race(strategy: string) {
  const sql = connect(WRITERS + 1);
  try {
    const owner = await createUser(sql, `race-${strategy}`);
    const { workspaceId, replicaIds } = await setupWorkspace(sql, owner, strategy, WRITERS + 1);
    const [first, ...writers] = replicaIds as [string, ...string[]];
    const baseSha = await storedBlob(sql, owner, "base");
    const shas = await Promise.all(writers.map((_, i) => storedBlob(sql, owner, `edit ${i}`)));
    await asUser(
      sql,
      owner,
      (tx) => commit(tx, workspaceId, first, "base", [{ path: "f.txt", sha256: baseSha, size: 4 }]),
    );

    // 32 replicas edit the same path concurrently, each on the same base version.
    const results: CommitResult[] = await Promise.all(
      writers.map((replica, i) =>
        asUser(sql, owner, (tx) =>
          commit(tx, workspaceId, replica, `edit-${i}`, [{
            path: "f.txt",
            sha256: shas[i],
            size: new TextEncoder().encode(`edit ${i}`).length,
            base: { [first]: 1 },
          }]))
      ),
    );
    const outcomes = results.map((r) => r.items[0]?.outcome);

    const history = await sql<{ replica_id: string; sha256: string }[]>`
      select v.replica_id, v.sha256 from sandsync.versions as v
      join sandsync.files as f on f.id = v.file_id
      where f.workspace_id = ${workspaceId} and f.path = 'f.txt'`;
    writers.forEach((replica, i) => {
      assert.equal(
        history.filter((v) => v.replica_id === replica && v.sha256 === shas[i]).length,
        1,
        `edit ${i} is in history exactly once`,
      );
    });
    const current = await sql<{ n: number }[]>`select count(*)::int as n from sandsync.files
      where workspace_id = ${workspaceId} and path = 'f.txt' and current_version_id is not null`;
    assert.equal(current[0]?.n, 1, "exactly one current version");
    const seqs = await sql<{ seq: string }[]>`select seq from sandsync.changes
      where workspace_id = ${workspaceId} order by seq`;
    assert.deepEqual(
      seqs.map((s) => Number(s.seq)),
      seqs.map((_, i) => i + 1),
      "journal is gap-free",
    );
    const open = await sql<{ n: number; merge: number }[]>`select count(*)::int as n,
      count(*) filter (where merge_required)::int as merge
      from sandsync.conflicts where workspace_id = ${workspaceId} and status = 'open'`;
    return { outcomes, open: open[0], workspaceId, sql };
  } catch (error) {
    await sql.end();
    throw error;
  }
}

Deno.test("32 concurrent commits to one path under last_write_wins lose nothing", async () => {
  const { outcomes, open, workspaceId, sql } = await race("last_write_wins");
  try {
    assert.deepEqual(outcomes, Array(WRITERS).fill("applied"), "every later commit wins in turn");
    assert.equal(open?.n, 0, "no conflict stays open");
    const copies = await sql<{ n: number }[]>`select count(*)::int as n from sandsync.files
      where workspace_id = ${workspaceId} and path like 'f.sync-conflict-%'`;
    assert.equal(copies[0]?.n, WRITERS - 1, "each overwritten version also became a conflict copy");
  } finally {
    await sql.end();
  }
});

Deno.test("32 concurrent commits to one path under user_intervention open 31 conflicts", async () => {
  const { outcomes, open, sql } = await race("user_intervention");
  try {
    assert.equal(
      outcomes.filter((o) => o === "applied").length,
      1,
      "the first commit fast-forwards",
    );
    assert.equal(outcomes.filter((o) => o === "conflict").length, WRITERS - 1, "the rest conflict");
    assert.equal(open?.n, WRITERS - 1, "one open conflict per losing commit");
  } finally {
    await sql.end();
  }
});

Deno.test("32 concurrent commits to one path under auto_merge ask for 31 merges", async () => {
  const { outcomes, open, sql } = await race("auto_merge");
  try {
    assert.equal(
      outcomes.filter((o) => o === "applied").length,
      1,
      "the first commit fast-forwards",
    );
    assert.equal(open?.n, WRITERS - 1, "the rest are open conflicts");
    assert.equal(open?.merge, WRITERS - 1, "each with an ancestor to merge against");
  } finally {
    await sql.end();
  }
});
