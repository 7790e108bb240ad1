import assert from "node:assert/strict";
import { join } from "node:path";
import postgres from "postgres";
import { loadStackEnv } from "../support/stack_env.ts";
import { account, eventually, initRoot, removeDirs, startDaemon } from "./field_support.ts";

async function replicaRows(workspaceId: string) {
  const sql = postgres(loadStackEnv().dbUrl, { max: 1, onnotice: () => {} });
  try {
    return await sql<
      {
        id: string;
        daemon_state: string | null;
        held_deletes: number | null;
        last_error: string | null;
        last_success_at: Date | null;
      }[]
    >`select id, daemon_state, held_deletes, last_error, last_success_at
      from sandsync.replicas where workspace_id = ${workspaceId}`;
  } finally {
    await sql.end();
  }
}

Deno.test("the daemon reports its state, last success and held deletions with its replica heartbeat", async () => {
  const { config, workspace } = await account("field-heartbeat");
  const names = Array.from({ length: 12 }, (_, i) => `f${i}.txt`);
  const { dir, workspaceId } = await initRoot(config, workspace, async (dir) => {
    for (const name of names) await Deno.writeTextFile(join(dir, name), `${name}\n`);
    await Deno.writeTextFile(join(dir, "keep.txt"), "stays\n");
  });
  const daemon = await startDaemon(config, dir);
  try {
    await eventually(
      async () => {
        const [row] = await replicaRows(workspaceId);
        return row?.daemon_state === "idle" && row.last_success_at !== null;
      },
      30_000,
      "an idle daemon's heartbeat",
    );
    for (const name of names) await Deno.remove(join(dir, name));
    await eventually(
      async () => (await replicaRows(workspaceId))[0]?.held_deletes === 12,
      30_000,
      "the held deletions on the replica row",
    );
  } finally {
    await daemon.stop();
    await removeDirs(dir);
  }
});

Deno.test("the heartbeat route refuses bad input (400) and replicas of other workspaces (404)", async () => {
  const { client, workspace } = await account("field-heartbeat-api");
  const created = await client.call<{ id: string }>("POST", "workspaces", { name: workspace });
  const other = await client.call<{ id: string }>("POST", "workspaces", { name: `${workspace}-2` });
  const replicaId = crypto.randomUUID();
  const registered = await client.call("POST", `workspaces/${created.body.id}/replicas`, {
    replicaId,
    kind: "agent",
  });
  assert.equal(registered.status, 200);
  const path = (ws: string) => `workspaces/${ws}/replicas/${replicaId}/heartbeat`;
  const ok = await client.call("POST", path(created.body.id), { state: "idle", heldDeletes: 0 });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const bad = await client.call<{ code: string }>("POST", path(created.body.id), {
    state: "dancing",
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, "validation_failed");
  const foreign = await client.call<{ code: string }>("POST", path(other.body.id), {
    state: "idle",
  });
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.code, "replica_not_found");
});
