// The server's protected paths (issue 10 §2): `.sandsync/…` and `.sandsync-tmp-*` refused
// everywhere, `.git/…` unless the owner opted in with `sync_git`; only the owner's user session
// may flip the setting; every refusal is a 400 with a stable code and leaves nothing behind.
import assert from "node:assert/strict";
import postgres from "postgres";
import { ApiClient, inlineCommit, newUser, newWorkspace } from "../support/api.ts";

interface Refusal {
  code: string;
  details?: { path?: string; problem?: string };
}

async function agentClient(client: ApiClient, workspaceId: string): Promise<ApiClient> {
  const issued = await client.call<{ token: string }>("POST", `workspaces/${workspaceId}/tokens`, {
    name: "sandbox",
  });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  return new ApiClient(client.env, client.env.anonKey, { "x-sandsync-token": issued.body.token });
}

Deno.test("commit and negotiate refuse .sandsync/, temp names and .git/ with invalid_path", async () => {
  const { id, client } = await newUser("protected");
  const { workspaceId, replicas: [replicaId] } = await newWorkspace(client);
  const sql = postgres(client.env.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const cases: [string, string][] = [
      [".sandsync/state.db", "path_reserved"],
      ["sub/.sandsync/x", "path_reserved"],
      ["src/.sandsync-tmp-1234", "path_reserved"],
      [".git/config", "path_git"],
      [".git/hooks/pre-commit", "path_git"],
      ["vendor/lib/.git/config", "path_git"],
    ];
    for (const [path, problem] of cases) {
      const body = inlineCommit(workspaceId, replicaId!, [
        { path: "fine.txt", content: "fine" },
        { path, content: `bytes of ${path}` },
      ]);
      const negotiated = await client.call<Refusal>("POST", "sync/negotiate", {
        workspaceId,
        replicaId,
        changes: body.changes,
      });
      assert.equal(negotiated.status, 400, `${path}: ${JSON.stringify(negotiated.body)}`);
      assert.equal(negotiated.body.code, "invalid_path");
      assert.equal(negotiated.body.details?.problem, problem);
      const committed = await client.call<Refusal>("POST", "sync/commit", body);
      assert.equal(committed.status, 400, `${path}: ${JSON.stringify(committed.body)}`);
      assert.equal(committed.body.code, "invalid_path");
      assert.equal(committed.body.details?.path, path);
      assert.equal(committed.body.details?.problem, problem);
    }
    // Nothing behind: no file row, no stored or reserved blob, no quota used.
    const [files] = await sql`select count(*)::int as n from sandsync.files
      where workspace_id = ${workspaceId}`;
    assert.equal(files!.n, 0);
    const [objects] = await sql`select count(*)::int as n from storage.objects
      where bucket_id = 'sandsync' and name like ${id + "/%"}`;
    assert.equal(objects!.n, 0);
    // The SQL trigger refuses the same rows whatever route writes them.
    await assert.rejects(
      sql`insert into sandsync.files (workspace_id, owner_id, path, sha256)
        values (${workspaceId}, ${id}, '.git/config', ${"0".repeat(64)})`,
      (error: { code?: string; hint?: string }) =>
        error.code === "SSI02" && error.hint === "invalid_path",
    );
  } finally {
    await sql.end();
  }
});

Deno.test("sync_git: set by the owner's session, .git/ is accepted; an agent token cannot flip it", async () => {
  const { client } = await newUser("syncgit");
  const { workspaceId, replicas: [replicaId] } = await newWorkspace(client);
  const agent = await agentClient(client, workspaceId);

  const shown = await client.call<{ syncGit: boolean }>("GET", `workspaces/${workspaceId}`);
  assert.equal(shown.body.syncGit, false);
  const byAgent = await agent.call<Refusal>("PATCH", `workspaces/${workspaceId}`, {
    syncGit: true,
  });
  assert.equal(byAgent.status, 403, JSON.stringify(byAgent.body));
  assert.equal(byAgent.body.code, "forbidden");
  const still = await client.call<{ syncGit: boolean }>("GET", `workspaces/${workspaceId}`);
  assert.equal(still.body.syncGit, false, "the agent token changed nothing");
  const refused = await agent.call<Refusal>(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicaId!, [{ path: ".git/config", content: "[core]\n" }]),
  );
  assert.equal(refused.status, 400);
  assert.equal(refused.body.details?.problem, "path_git");

  const { client: stranger } = await newUser("syncgit-other");
  const foreign = await stranger.call<Refusal>("PATCH", `workspaces/${workspaceId}`, {
    syncGit: true,
  });
  assert.equal(foreign.status, 404, JSON.stringify(foreign.body));
  assert.equal(foreign.body.code, "workspace_not_found");

  const unknown = await client.call<Refusal>("PATCH", `workspaces/${workspaceId}`, {
    syncGit: "yes",
  });
  assert.equal(unknown.status, 400, JSON.stringify(unknown.body));

  const byOwner = await client.call<{ syncGit: boolean }>("PATCH", `workspaces/${workspaceId}`, {
    syncGit: true,
  });
  assert.equal(byOwner.status, 200, JSON.stringify(byOwner.body));
  assert.equal(byOwner.body.syncGit, true);
  const accepted = await agent.call(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicaId!, [{ path: ".git/config", content: "[core]\n" }]),
  );
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  // `.sandsync/` stays reserved even then.
  const reserved = await agent.call<Refusal>(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicaId!, [{ path: ".sandsync/state.db", content: "x" }]),
  );
  assert.equal(reserved.status, 400);
  assert.equal(reserved.body.details?.problem, "path_reserved");
});

Deno.test("a mode with setuid, setgid or sticky bits is refused (permission bits only)", async () => {
  const { client } = await newUser("modes");
  const { workspaceId, replicas: [replicaId] } = await newWorkspace(client);
  for (const mode of [0o4755, 0o2755, 0o1777]) {
    const body = inlineCommit(workspaceId, replicaId!, [{
      path: "run.sh",
      content: "#!/bin/sh\n",
    }]);
    const answer = await client.call<Refusal>("POST", "sync/commit", {
      ...body,
      changes: body.changes.map((change) => ({ ...change, mode })),
    });
    assert.equal(answer.status, 400, `${mode.toString(8)}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.code, "validation_failed");
  }
});

Deno.test("PUT /files refuses a protected path with invalid_path before storing a byte", async () => {
  const { id, client } = await newUser("protected-put");
  const { workspaceId } = await newWorkspace(client);
  const sql = postgres(client.env.dbUrl, { max: 1, onnotice: () => {} });
  try {
    for (const [path, problem] of [[".git/config", "path_git"], [".sandsync/x", "path_reserved"]]) {
      const response = await fetch(
        `${client.env.apiUrl}/functions/v1/files/${workspaceId}/${path}`,
        {
          method: "PUT",
          headers: { authorization: `Bearer ${client.bearer}` },
          body: "[core]\n",
        },
      );
      const body = await response.json() as Refusal;
      assert.equal(response.status, 400, `${path}: ${JSON.stringify(body)}`);
      assert.equal(body.code, "invalid_path");
      assert.equal(body.details?.problem, problem);
    }
    const [objects] = await sql`select count(*)::int as n from storage.objects
      where bucket_id = 'sandsync' and name like ${id + "/%"}`;
    assert.equal(objects!.n, 0, "no blob stored");
  } finally {
    await sql.end();
  }
});
