// Every version and change set made with an agent token records the token's id (history shows
// it as `agentTokenId`); a user's own writes record none.
import assert from "node:assert/strict";
import { connect } from "../db/db_support.ts";
import { ApiClient, inlineCommit, newUser, newWorkspace } from "../support/api.ts";

interface History {
  versions: { agentTokenId: string | null; committedBy: string | null }[];
}

Deno.test("versions and change sets record the agent token that wrote them", async () => {
  const { id, client } = await newUser("attribution");
  const { workspaceId, replicas } = await newWorkspace(client, { replicas: 2 });
  const issued = await client.call<{ id: string; token: string }>(
    "POST",
    `workspaces/${workspaceId}/tokens`,
    { name: "attribution-agent" },
  );
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  const agent = new ApiClient(client.env, client.env.anonKey, {
    "x-sandsync-token": issued.body.token,
  });
  const byAgent = await agent.call<{ changeSetId: string }>(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicas[0]!, [{ path: "agent.txt", content: "from the agent\n" }]),
  );
  assert.equal(byAgent.status, 200, JSON.stringify(byAgent.body));
  const byUser = await client.call(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicas[1]!, [{ path: "user.txt", content: "from the user\n" }]),
  );
  assert.equal(byUser.status, 200, JSON.stringify(byUser.body));
  const put = await agent.call("PUT", `files/${workspaceId}/put.txt`, "put by the agent\n", {
    "content-type": "text/plain",
  });
  assert.equal(put.status, 201, JSON.stringify(put.body));

  const history = async (path: string) => {
    const answer = await client.call<History>("GET", `files/${workspaceId}/${path}?history`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.versions;
  };
  for (const path of ["agent.txt", "put.txt"]) {
    const [version] = await history(path);
    assert.equal(version?.agentTokenId, issued.body.id, path);
    assert.equal(version?.committedBy, id, path);
  }
  assert.equal((await history("user.txt"))[0]?.agentTokenId, null);
  // The token's own view of history shows the same.
  const seenByAgent = await agent.call<History>("GET", `files/${workspaceId}/agent.txt?history`);
  assert.equal(seenByAgent.body.versions[0]?.agentTokenId, issued.body.id);

  const sql = connect(1);
  try {
    const sets = await sql<{ replica_id: string; agent_token_id: string | null }[]>`
      select replica_id, agent_token_id from sandsync.change_sets
      where workspace_id = ${workspaceId} order by created_at`;
    const byReplica = new Map(sets.map((set) => [set.replica_id, set.agent_token_id]));
    assert.equal(byReplica.get(replicas[0]!), issued.body.id);
    assert.equal(byReplica.get(replicas[1]!), null);
    assert.ok(
      sets.filter((set) => set.agent_token_id === issued.body.id).length >= 2,
      JSON.stringify(sets),
    );
  } finally {
    await sql.end();
  }
});
