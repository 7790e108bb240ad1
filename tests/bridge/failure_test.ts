/**
 * The e2b-bridge when things go wrong: the sandbox stops answering in the middle of a pull
 * (a clear `sandbox_unavailable` and no partial commit), no envd at all, and bad input, which
 * gets a stable 4xx code and changes nothing.
 */
import assert from "node:assert/strict";
import { startEnvdStandin } from "../e2b_standin/standin.ts";
import { ApiClient, newUser, newWorkspace } from "../support/api.ts";
import { ROOT, runAll, sandboxPort, withBridge, workspaceFiles } from "./bridge_support.ts";

/**
 * A forwarding proxy on the bridge's envd port: once `afterBytes` bytes of file downloads went
 * through, it stops the stand-in behind it, cuts the download under way and answers like E2B's
 * edge for a dead sandbox (HTTP 502). (The bridge reads a page's files as one archive, so the
 * sandbox dies in the middle of that download.)
 */
function dyingProxy(port: number, upstream: string, afterBytes: number, stop: () => void) {
  let downloaded = 0;
  let dead = false;
  const die = () => {
    if (!dead) stop();
    dead = true;
  };
  return Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    if (dead) {
      return Response.json({ code: 502, message: "The sandbox was not found" }, { status: 502 });
    }
    const response = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    if (request.method !== "GET" || url.pathname !== "/files" || !response.body) {
      return new Response(response.body, { status: response.status, headers: response.headers });
    }
    const reader = response.body.getReader();
    const cut = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        downloaded += value.byteLength;
        if (downloaded > afterBytes) {
          die();
          await reader.cancel().catch(() => {});
          return controller.error(new Error("the sandbox died"));
        }
        controller.enqueue(value);
      },
    });
    return new Response(cut, { status: response.status, headers: response.headers });
  });
}

async function counts(sql: import("postgres").Sql, workspaceId: string) {
  const [row] = await sql<{ files: number; versions: number; sets: number; state: number }[]>`
    select (select count(*)::int from sandsync.files where workspace_id = ${workspaceId}) as files,
      (select count(*)::int from sandsync.versions where workspace_id = ${workspaceId}) as versions,
      (select count(*)::int from sandsync.change_sets where workspace_id = ${workspaceId}) as sets,
      (select count(*)::int from sandsync.replica_files r join sandsync.replicas p on p.id = r.replica_id
        where p.workspace_id = ${workspaceId}) as state`;
  return row;
}

Deno.test("a sandbox that stops answering mid-pull fails with sandbox_unavailable and commits nothing", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox, standin }) => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`f${i}.txt`] = `content ${i}\n`.repeat(50);
    const { id } = await sandbox(files);
    const proxy = dyingProxy(sandboxPort(), standin.url, 16 * 1024, () => void standin.close());
    try {
      const answer = await client.call<{ code: string; details: { sandboxId: string } }>(
        "POST",
        "e2b-bridge/pull",
        { workspaceId, sandboxId: id, root: ROOT },
      );
      assert.equal(answer.status, 502);
      assert.equal(answer.body.code, "sandbox_unavailable");
      assert.equal(answer.body.details.sandboxId, id);
    } finally {
      await proxy.shutdown();
    }
    assert.deepEqual(await counts(sql, workspaceId), { files: 0, versions: 0, sets: 0, state: 0 });

    // The sandbox comes back: the same pull now completes.
    const again = await startEnvdStandin({ root: standin.root, port: sandboxPort() });
    try {
      const pulled = await runAll(client, "pull", { workspaceId, sandboxId: id });
      assert.equal(pulled.pulled, 200);
      assert.equal((await workspaceFiles(sql, workspaceId)).size, 200);
    } finally {
      await again.close();
    }
  }, { port: 0 }));

Deno.test("no envd listening at all is sandbox_unavailable too", () =>
  withBridge(async ({ client, workspaceId, sandbox }) => {
    const { id } = await sandbox({ "a.txt": "a" });
    for (const op of ["pull", "restore"]) {
      const answer = await client.call<{ code: string }>("POST", `e2b-bridge/${op}`, {
        workspaceId,
        sandboxId: id,
      });
      assert.deepEqual([op, answer.status, answer.body.code], [op, 502, "sandbox_unavailable"]);
    }
  }, { port: 0 }));

Deno.test("bad requests get stable 4xx codes and leave no replica, file or checkpoint behind", () =>
  withBridge(async ({ client, env, sql, workspaceId, sandbox }) => {
    const { id } = await sandbox({ "a.txt": "a" });
    const ok = { workspaceId, sandboxId: id, root: ROOT };
    const cases: [string, string, unknown, number, string][] = [
      ["pull", "relative root", { ...ok, root: "home/user" }, 400, "validation_failed"],
      ["pull", "root with ..", { ...ok, root: "/home/user/../../etc" }, 400, "validation_failed"],
      ["pull", "root /", { ...ok, root: "/" }, 400, "validation_failed"],
      ["pull", "bad sandbox id", { ...ok, sandboxId: "../x" }, 400, "validation_failed"],
      ["pull", "bad workspace id", { ...ok, workspaceId: "nope" }, 400, "validation_failed"],
      ["pull", "garbage cursor", { ...ok, cursor: "!!!" }, 400, "invalid_cursor"],
      ["restore", "garbage cursor", { ...ok, cursor: "e30" }, 400, "invalid_cursor"],
      [
        "snapshot",
        "name like a uuid",
        { ...ok, name: crypto.randomUUID() },
        400,
        "validation_failed",
      ],
      ["snapshot", "no name", ok, 400, "validation_failed"],
      ["pull", "not JSON", "{", 400, "invalid_json"],
      [
        "pull",
        "unknown workspace",
        { ...ok, workspaceId: crypto.randomUUID() },
        404,
        "workspace_not_found",
      ],
      ["nope", "unknown route", ok, 404, "not_found"],
    ];
    for (const [op, what, body, status, code] of cases) {
      const answer = await client.call<{ code: string }>("POST", `e2b-bridge/${op}`, body);
      assert.deepEqual([what, answer.status, answer.body.code], [what, status, code]);
    }
    const other = await newUser("bridge-other");
    const foreign = await other.client.call<{ code: string }>("POST", "e2b-bridge/pull", ok);
    assert.deepEqual([foreign.status, foreign.body.code], [404, "workspace_not_found"]);
    const anonymous = await fetch(`${env.apiUrl}/functions/v1/e2b-bridge/pull`, {
      method: "POST",
      body: JSON.stringify(ok),
    });
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();

    const [left] = await sql<{ replicas: number; files: number; checkpoints: number }[]>`
      select
        (select count(*)::int from sandsync.replicas where workspace_id = ${workspaceId}
          and kind = 'bridge') as replicas,
        (select count(*)::int from sandsync.files where workspace_id = ${workspaceId}) as files,
        (select count(*)::int from sandsync.checkpoints where workspace_id = ${workspaceId})
          as checkpoints`;
    assert.deepEqual(left, { replicas: 0, files: 0, checkpoints: 0 });
  }));

Deno.test("the service role and an agent token of the workspace may pull; a sibling's token may not", () =>
  withBridge(async ({ client, env, sql, workspaceId, sandbox }) => {
    const a = await sandbox({ "s.txt": "by the service role\n" });
    const service = new ApiClient(env, env.serviceRoleKey);
    const byService = await runAll(service, "pull", { workspaceId, sandboxId: a.id });
    assert.equal(byService.pulled, 1);

    const b = await sandbox({ "t.txt": "by an agent token\n" });
    const { workspaceId: sibling } = await newWorkspace(client);
    const token = async (id: string) => {
      const issued = await client.call<{ token: string }>("POST", `workspaces/${id}/tokens`, {
        name: "bridge-test",
        ttlSeconds: 600,
      });
      return new ApiClient(env, env.anonKey, { "x-sandsync-token": issued.body.token });
    };
    const agent = await token(workspaceId);
    assert.equal((await runAll(agent, "pull", { workspaceId, sandboxId: b.id })).pulled, 1);
    const stranger = await token(sibling);
    const refused = await stranger.call<{ code: string }>("POST", "e2b-bridge/pull", {
      workspaceId,
      sandboxId: b.id,
    });
    assert.deepEqual([refused.status, refused.body.code], [404, "workspace_not_found"]);
    assert.deepEqual([...(await workspaceFiles(sql, workspaceId)).keys()].sort(), [
      "s.txt",
      "t.txt",
    ]);
  }));
