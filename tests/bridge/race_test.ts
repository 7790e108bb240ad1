/**
 * A pull racing an agent's commits on the same files: both went through the one commit path,
 * so the workspace's strategy decides (user_intervention: open conflicts; last_write_wins: the
 * later wins, the other kept as a version and a conflict copy) and nothing either side wrote
 * is lost.
 */
import assert from "node:assert/strict";
import { inlineCommit } from "../support/api.ts";
import { ROOT, runAll, sha256, withBridge, writeTree } from "./bridge_support.ts";

const PATHS = Array.from({ length: 10 }, (_, i) => `src/f${i}.ts`);
const RACED = PATHS.slice(0, 5);

for (const strategy of ["user_intervention", "last_write_wins"]) {
  Deno.test(`a pull racing an agent's commits under ${strategy} loses nothing`, () =>
    withBridge(async ({ client, sql, workspaceId, replicaId, sandbox }) => {
      const { id, root } = await sandbox(Object.fromEntries(PATHS.map((p) => [p, `v1 ${p}\n`])));
      await runAll(client, "pull", { workspaceId, sandboxId: id, root: ROOT });
      const rows = await sql<{ path: string; vector: Record<string, number> }[]>`
        select path, vector from sandsync.files where workspace_id = ${workspaceId}`;
      const vectors = new Map(rows.map((row) => [row.path, row.vector]));

      // The sandbox and the agent edit the same five files from the same versions, at once.
      await writeTree(root, Object.fromEntries(RACED.map((p) => [p, `sandbox ${p}\n`])));
      const agentCommit = inlineCommit(
        workspaceId,
        replicaId,
        RACED.map((path) => ({ path, content: `agent ${path}\n`, base: vectors.get(path)! })),
      );
      const [pulled, committed] = await Promise.all([
        runAll(client, "pull", { workspaceId, sandboxId: id, root: ROOT }),
        client.call("POST", "sync/commit", agentCommit),
      ]);
      assert.equal(committed.status, 200, JSON.stringify(committed.body));
      assert.equal(pulled.pulled, 5);

      for (const path of RACED) {
        const versions = await sql<{ sha256: string }[]>`
          select v.sha256 from sandsync.versions v join sandsync.files f on f.id = v.file_id
          where f.workspace_id = ${workspaceId} and f.path = ${path}`;
        const kept = new Set(versions.map((v) => v.sha256));
        assert.ok(kept.has(sha256(`sandbox ${path}\n`)), `${path}: the sandbox's edit is kept`);
        assert.ok(kept.has(sha256(`agent ${path}\n`)), `${path}: the agent's edit is kept`);
      }
      const conflicts = await sql<{ path: string; status: string; resolution: string | null }[]>`
        select f.path, c.status, c.resolution from sandsync.conflicts c
        join sandsync.files f on f.id = c.file_id
        where c.workspace_id = ${workspaceId} order by f.path`;
      assert.deepEqual(conflicts.map((c) => c.path), RACED);
      if (strategy === "user_intervention") {
        assert.ok(conflicts.every((c) => c.status === "open"));
      } else {
        assert.ok(conflicts.every((c) => c.resolution === "last_write_wins"));
        const [copies] = await sql<{ n: number }[]>`
          select count(*)::int as n from sandsync.files
          where workspace_id = ${workspaceId} and path like '%.sync-conflict-%' and not deleted`;
        assert.equal(copies?.n, 5, "each loser also lives on as a conflict copy");
      }
      // The untouched files moved no bytes and opened no conflict.
      const untouched = await sql<{ n: number }[]>`
        select count(*)::int as n from sandsync.versions v join sandsync.files f on f.id = v.file_id
        where f.workspace_id = ${workspaceId} and f.path = any(${PATHS.slice(5)})`;
      assert.equal(untouched[0]?.n, 5);
    }, { strategy }));
}
