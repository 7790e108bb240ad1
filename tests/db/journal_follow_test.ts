import assert from "node:assert/strict";
import { asUser, commit, connect, createUser, setupWorkspace, storedBlob } from "./db_support.ts";

const WRITERS = 4;
const COMMITS = 25;
const FILES_PER_COMMIT = 2;
const TOTAL = WRITERS * COMMITS * FILES_PER_COMMIT;

interface Change {
  seq: string;
  path: string;
  version_id: string;
}

Deno.test("a reader following the journal while 4 writers commit sees every change once, in order", async () => {
  const sql = connect(WRITERS + 3);
  try {
    const owner = await createUser(sql, "journal");
    const { workspaceId, replicaIds } = await setupWorkspace(
      sql,
      owner,
      "last_write_wins",
      WRITERS,
    );
    const sha = await storedBlob(sql, owner, "x");

    // The reader wakes on NOTIFY and also polls, like the API's long poll; it checks that every
    // page starts right after its cursor (no change ever appears behind it).
    let wake: () => void = () => {};
    const listener = await sql.listen("sandsync_changes", (payload) => {
      const note = JSON.parse(payload) as { workspace_id: string; seq: number };
      if (note.workspace_id === workspaceId) wake();
    });
    const seen: Change[] = [];
    const reader = (async () => {
      let cursor = 0;
      const deadline = Date.now() + 30_000;
      while (seen.length < TOTAL && Date.now() < deadline) {
        const page = await asUser(
          sql,
          owner,
          (tx) =>
            tx<Change[]>`select seq::text, path, version_id from public.changes_since(
            ${workspaceId}, ${cursor}, 37)`,
        );
        if (page.length > 0) {
          assert.equal(
            Number(page[0]?.seq),
            cursor + 1,
            `page after ${cursor} starts at ${cursor + 1}`,
          );
          seen.push(...page);
          cursor = Number(page.at(-1)?.seq);
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    })();

    const writers = replicaIds.map(async (replica, w) => {
      for (let c = 0; c < COMMITS; c++) {
        await asUser(sql, owner, (tx) =>
          commit(
            tx,
            workspaceId,
            replica,
            `w${w}-c${c}`,
            Array.from({ length: FILES_PER_COMMIT }, (_, f) => ({
              path: `w${w}/c${c}-f${f}.txt`,
              sha256: sha,
              size: 1,
            })),
          ));
      }
    });
    await Promise.all(writers);
    await reader;
    await listener.unlisten();

    assert.equal(seen.length, TOTAL, "the reader saw every change");
    assert.deepEqual(
      seen.map((c) => Number(c.seq)),
      seen.map((_, i) => i + 1),
      "in seq order, 1..n",
    );
    assert.equal(new Set(seen.map((c) => c.version_id)).size, TOTAL, "each change exactly once");
    const current = await sql<{ version_id: string }[]>`select current_version_id as version_id
      from sandsync.files where workspace_id = ${workspaceId}`;
    assert.deepEqual(
      new Set(current.map((r) => r.version_id)),
      new Set(seen.map((c) => c.version_id)),
      "the journal matches the committed state",
    );
  } finally {
    await sql.end();
  }
});
