/**
 * Tenancy of the e2b-bridge, black-box over HTTP with the real `e2b` SDK inside the functions
 * against the fake E2B (control API + envd): user B, with a session and with an agent token,
 * names user A's sandbox in every way the API offers (create-bind, attach on POST/PATCH
 * /workspaces, pull, push, restore, snapshot) and is refused, with A's sandbox and workspace
 * byte-identical afterwards and A's sandbox never connected to or reached by B's calls. A's own
 * bound sandbox works through all of them.
 */
import assert from "node:assert/strict";
import { ApiClient, newUser, newWorkspace } from "../support/api.ts";
import { STANDIN_OTHER_TEAM_KEY } from "../e2b_standin/control_api.ts";
import {
  bindSandbox,
  createE2bSandbox,
  ROOT,
  runAll,
  treeHashes,
  withBridge,
  workspaceFiles,
  writeTree,
} from "./bridge_support.ts";
import { join } from "node:path";
import type postgres from "postgres";

/** Everything of a workspace a refused call must leave alone. */
async function workspaceState(sql: postgres.Sql, workspaceId: string) {
  const [row] = await sql<
    {
      sandbox_id: string | null;
      last_seq: string;
      versions: number;
      sets: number;
      replicas: number;
      checkpoints: number;
    }[]
  >`
    select w.sandbox_id, w.last_seq::text,
      (select count(*)::int from sandsync.versions where workspace_id = w.id) as versions,
      (select count(*)::int from sandsync.change_sets where workspace_id = w.id) as sets,
      (select count(*)::int from sandsync.replicas where workspace_id = w.id) as replicas,
      (select count(*)::int from sandsync.checkpoints where workspace_id = w.id) as checkpoints
    from sandsync.workspaces w where w.id = ${workspaceId}`;
  return { ...row!, files: [...(await workspaceFiles(sql, workspaceId))].sort() };
}

async function agentClient(
  owner: ApiClient,
  env: ConstructorParameters<typeof ApiClient>[0],
  workspaceId: string,
) {
  const issued = await owner.call<{ token: string }>("POST", `workspaces/${workspaceId}/tokens`, {
    name: "tenancy-test",
    ttlSeconds: 600,
  });
  assert.equal(issued.status, 201);
  return new ApiClient(env, env.anonKey, { "x-sandsync-token": issued.body.token });
}

Deno.test("user B and B's agent token cannot reach A's sandbox through any bridge or attach call", () =>
  withBridge(async ({ client: a, env, sql, userId: aUserId, workspaceId: wa, standin }) => {
    // A creates a sandbox for the workspace: E2B records the owner and workspace, and it is bound.
    const created = await a.call<{ sandboxId: string; workspaceId: string }>(
      "POST",
      "e2b-bridge/create",
      { workspaceId: wa },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const sa = created.body.sandboxId;
    assert.deepEqual(standin.record(sa)?.metadata, {
      sandsync_owner: aUserId,
      sandsync_workspace: wa,
    });
    assert.equal(
      (await a.call<{ sandboxId: string }>("GET", `workspaces/${wa}`)).body.sandboxId,
      sa,
    );

    // A's own bound sandbox works through pull, snapshot, restore and push.
    const saDir = standin.sandboxDir(sa);
    await writeTree(join(saDir, ROOT), { "a.txt": "secret of A\n", "src/b.ts": "export {};\n" });
    await writeTree(join(saDir, "home/user"), { ".bashrc": "# A's shell\n", ".ssh/id": "key\n" });
    const body = { workspaceId: wa, sandboxId: sa };
    assert.equal((await runAll(a, "pull", body)).pulled, 2);
    await Deno.writeTextFile(join(saDir, ROOT, "a.txt"), "secret of A, v2\n");
    assert.ok((await runAll(a, "snapshot", { ...body, name: "before" })).pages.at(-1)!.checkpoint);
    assert.equal((await runAll(a, "restore", { ...body, at: "before" })).pages.at(-1)!.done, true);
    assert.equal((await runAll(a, "push", body)).pages.at(-1)!.done, true);
    const aAgent = await agentClient(a, env, wa);
    assert.equal((await runAll(aAgent, "pull", body)).pulled, 0);

    const sandboxBefore = await treeHashes(saDir);
    const workspaceBefore = await workspaceState(sql, wa);
    const seen = standin.requests.length;

    // User B: a session, a workspace of B's own, and an agent token for it.
    const { client: b, id: bUserId } = await newUser("tenancy-b");
    const { workspaceId: wb } = await newWorkspace(b);
    const bAgent = await agentClient(b, env, wb);
    const refusals: [string, number, string][] = [];
    const attempt = async (
      what: string,
      caller: ApiClient,
      method: string,
      path: string,
      payload: unknown,
    ) => {
      const answer = await caller.call<{ code: string }>(method, path, payload);
      refusals.push([what, answer.status, answer.body?.code]);
    };
    for (const [who, caller] of [["B", b], ["B's agent", bAgent]] as const) {
      await attempt(`${who} create on A's workspace`, caller, "POST", "e2b-bridge/create", {
        workspaceId: wa,
      });
      await attempt(`${who} create-bind A's sandbox`, caller, "POST", "e2b-bridge/create", {
        workspaceId: wb,
        sandboxId: sa,
      });
      await attempt(`${who} attach on PATCH`, caller, "PATCH", `workspaces/${wb}`, {
        sandboxId: sa,
      });
      await attempt(`${who} attach on POST`, caller, "POST", "workspaces", {
        name: "stolen",
        sandboxId: sa,
      });
      for (const op of ["pull", "push", "restore", "snapshot"]) {
        const extra = op === "snapshot" ? { name: `grab-${op}` } : {};
        await attempt(`${who} ${op} own workspace`, caller, "POST", `e2b-bridge/${op}`, {
          workspaceId: wb,
          sandboxId: sa,
          ...extra,
        });
        await attempt(`${who} ${op} A's workspace`, caller, "POST", `e2b-bridge/${op}`, {
          workspaceId: wa,
          sandboxId: sa,
          ...extra,
        });
      }
    }
    // Even bound to B's workspace (a binding that slipped past the API, e.g. an RPC), E2B's
    // metadata names A: every operation is refused before the sandbox is reached.
    await bindSandbox(sql, wb, sa);
    for (const [who, caller] of [["B", b], ["B's agent", bAgent]] as const) {
      for (const op of ["pull", "push", "restore", "snapshot"]) {
        await attempt(`${who} ${op} A's sandbox bound to B`, caller, "POST", `e2b-bridge/${op}`, {
          workspaceId: wb,
          sandboxId: sa,
          ...(op === "snapshot" ? { name: "grab" } : {}),
        });
      }
    }
    const expected = (what: string): [number, string] => {
      // A create body cannot name a sandbox at all (validated before anything else).
      if (what.endsWith("create-bind A's sandbox")) return [400, "validation_failed"];
      if (what.startsWith("B's agent create")) return [403, "forbidden"];
      if (what.startsWith("B's agent attach")) return [403, "forbidden"];
      if (what.endsWith("A's workspace")) return [404, "workspace_not_found"];
      return [403, "sandbox_not_owned"];
    };
    for (const [what, status, code] of refusals) {
      assert.deepEqual([what, status, code], [what, ...expected(what)]);
    }

    assert.deepEqual(await treeHashes(saDir), sandboxBefore, "A's sandbox is byte-identical");
    assert.deepEqual(await workspaceState(sql, wa), workspaceBefore, "A's workspace is unchanged");
    const bState = await workspaceState(sql, wb);
    assert.deepEqual([bState.files, bState.versions, bState.checkpoints], [[], 0, 0]);
    const reached = standin.requests.slice(seen).filter((r) =>
      r.sandboxId === sa && r.call !== `GET /sandboxes/${sa}`
    );
    assert.deepEqual(
      reached,
      [],
      "B's calls only read A's sandbox info, never connected or reached envd",
    );
    assert.notEqual(bUserId, aUserId);

    // A can still use the sandbox afterwards.
    assert.equal((await runAll(a, "pull", body)).pulled, 0);
  }));

Deno.test("attach: only a sandbox whose metadata names the caller (and this workspace, if any)", () =>
  withBridge(async ({ client, userId, workspaceId, standin, sql }) => {
    const mine = await createE2bSandbox(standin, { sandsync_owner: userId });
    const forOther = await createE2bSandbox(standin, {
      sandsync_owner: userId,
      sandsync_workspace: crypto.randomUUID(),
    });
    const unlabelled = await createE2bSandbox(standin, {});
    const otherTeam = await createE2bSandbox(
      standin,
      { sandsync_owner: userId },
      STANDIN_OTHER_TEAM_KEY,
    );
    const patch = (sandboxId: string) =>
      client.call<{ code: string; sandboxId: string }>("PATCH", `workspaces/${workspaceId}`, {
        sandboxId,
      });
    for (
      const [id, status, code] of [
        [forOther.id, 403, "sandbox_not_owned"],
        [unlabelled.id, 403, "sandbox_not_owned"],
        [otherTeam.id, 404, "sandbox_not_found"],
      ] as const
    ) {
      const answer = await patch(id);
      assert.deepEqual([answer.status, answer.body.code], [status, code]);
    }
    const [row] = await sql`select sandbox_id from sandsync.workspaces where id = ${workspaceId}`;
    assert.equal(row?.sandbox_id, null, "no refused attach was recorded");

    const attached = await patch(mine.id);
    assert.deepEqual([attached.status, attached.body.sandboxId], [200, mine.id]);
    await writeTree(join(mine.dir, ROOT), { "x.txt": "x\n" });
    assert.equal((await runAll(client, "pull", { workspaceId, sandboxId: mine.id })).pulled, 1);

    const created = await client.call<{ id: string; sandboxId: string }>("POST", "workspaces", {
      name: "with sandbox",
      sandboxId: mine.id,
    });
    assert.deepEqual([created.status, created.body.sandboxId], [201, mine.id]);
    const refused = await client.call<{ code: string }>("POST", "workspaces", {
      name: "with another's",
      sandboxId: forOther.id,
    });
    assert.deepEqual([refused.status, refused.body.code], [403, "sandbox_not_owned"]);
  }));

Deno.test("roots: only SANDSYNC_BRIDGE_ROOTS prefixes; home, dot-directories and / refused before E2B", () =>
  withBridge(async ({ client, workspaceId, sandbox, standin }) => {
    const { id } = await sandbox({ "a.txt": "a\n" });
    const seen = standin.requests.length;
    for (
      const root of [
        "/home/user",
        "/home/user/.ssh",
        "/home",
        "/etc",
        "/proc/self",
        "/root",
        "/tmp",
      ]
    ) {
      for (const op of ["pull", "restore"]) {
        const answer = await client.call<{ code: string }>("POST", `e2b-bridge/${op}`, {
          workspaceId,
          sandboxId: id,
          root,
        });
        assert.deepEqual([root, op, answer.status, answer.body.code], [
          root,
          op,
          400,
          "sandbox_path_refused",
        ]);
      }
    }
    assert.deepEqual(standin.requests.slice(seen), [], "refused before any E2B call");
  }));

Deno.test("B naming A's sandbox id pulls nothing of it and writes nothing into it", () =>
  withBridge(async ({ env, sql, sandbox, standin }) => {
    const a = await sandbox({ ".env": "A_SECRET=1\n", "app.ts": "export {};\n" });
    const before = await treeHashes(standin.sandboxDir(a.id));
    const { client: b } = await newUser("tenancy-b");
    const { workspaceId: wb } = await newWorkspace(b);
    const bAgent = await agentClient(b, env, wb);
    for (const caller of [b, bAgent]) {
      for (const op of ["pull", "restore"]) {
        const answer = await caller.call<{ code: string }>("POST", `e2b-bridge/${op}`, {
          workspaceId: wb,
          sandboxId: a.id,
        });
        assert.deepEqual([op, answer.status, answer.body.code], [op, 403, "sandbox_not_owned"]);
      }
    }
    assert.deepEqual([...(await workspaceFiles(sql, wb)).keys()], []);
    assert.deepEqual(await treeHashes(standin.sandboxDir(a.id)), before);
  }));
