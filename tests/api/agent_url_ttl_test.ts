// Signed download URLs handed to agent-token callers expire within 10 minutes (a revoked token's
// URLs die soon); users keep the longer lifetime. Read from the `token` of each URL (a JWT).
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { ApiClient, inlineCommit, newUser, newWorkspace } from "../support/api.ts";

interface Entry {
  readonly url?: string;
}

function lifetime(url: string): number {
  const token = new URL(url).searchParams.get("token");
  assert.ok(token, url);
  return Number(decodeJwt(token).exp) - Date.now() / 1000;
}

Deno.test("signed download URLs live 10 minutes for agent tokens, an hour for users", async () => {
  const { client } = await newUser("url-ttl");
  const { workspaceId, replicas } = await newWorkspace(client);
  const committed = await client.call(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicas[0]!, [{ path: "a.txt", content: "hello ttl\n" }]),
  );
  assert.equal(committed.status, 200, JSON.stringify(committed.body));
  const issued = await client.call<{ token: string }>("POST", `workspaces/${workspaceId}/tokens`, {
    name: "ttl-agent",
  });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  const agent = new ApiClient(client.env, client.env.anonKey, {
    "x-sandsync-token": issued.body.token,
  });
  const urls = async (caller: ApiClient) => {
    const feed = await caller.call<{ changes: Entry[] }>(
      "GET",
      `sync/changes?workspaceId=${workspaceId}&cursor=0`,
    );
    assert.equal(feed.status, 200, JSON.stringify(feed.body));
    const manifest = await caller.call<{ files: Entry[] }>(
      "GET",
      `sync/manifest?workspaceId=${workspaceId}`,
    );
    assert.equal(manifest.status, 200, JSON.stringify(manifest.body));
    const all = [...feed.body.changes, ...manifest.body.files].map((entry) => entry.url);
    assert.equal(all.length, 2);
    return all.map((url) => lifetime(url!));
  };
  for (const seconds of await urls(agent)) {
    assert.ok(seconds > 0 && seconds <= 600, `agent URL lives ${seconds} s`);
  }
  for (const seconds of await urls(client)) {
    assert.ok(seconds > 3000, `user URL lives ${seconds} s`);
  }
});
