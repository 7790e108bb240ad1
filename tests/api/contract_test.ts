// One contract: what the functions answer is exactly the shared/protocol types the client reads
// (camelCase everywhere, the commit answer and the token API included), and every route that
// takes a replica id refuses one that is not a UUID with a 400 `validation_failed`.
import assert from "node:assert/strict";
import type { CommitAnswer, CommitItemAnswer } from "../../shared/protocol/sync.ts";
import type { AgentToken, IssuedToken } from "../../shared/protocol/workspaces.ts";
import {
  type Answer,
  type ApiClient,
  inlineCommit,
  newUser,
  newWorkspace,
} from "../support/api.ts";
import { concurrentEdits } from "./conflict_support.ts";

// Key sets checked against the protocol types: adding or renaming a field there fails to compile
// here until the test knows it.
const COMMIT_KEYS = {
  changeSetId: true,
  workspaceId: true,
  replayed: true,
  cursor: true,
  items: true,
} satisfies Record<keyof CommitAnswer, true>;

const COMMIT_ITEM_KEYS = {
  index: true,
  path: true,
  outcome: true,
  code: true,
  versionId: true,
  currentVersionId: true,
  vector: true,
  conflictId: true,
  ancestorVersionId: true,
  supersededVersionId: true,
  conflictCopyPath: true,
  autoMerged: true,
  sha256: true,
  size: true,
  incomingVector: true,
  mergeRefused: true,
} satisfies Record<keyof CommitItemAnswer, true>;

const ISSUED_TOKEN_KEYS = {
  id: true,
  workspaceId: true,
  name: true,
  tokenPrefix: true,
  createdAt: true,
  expiresAt: true,
  token: true,
} satisfies Record<keyof IssuedToken, true>;

const AGENT_TOKEN_KEYS = {
  id: true,
  name: true,
  tokenPrefix: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  active: true,
} satisfies Record<keyof AgentToken, true>;

const sorted = (keys: object) => Object.keys(keys).sort();

/** Asserts a raw commit answer has the protocol's keys only, items included. */
function assertCommitAnswer(raw: Record<string, unknown>, label: string): void {
  assert.deepEqual(Object.keys(raw).sort(), sorted(COMMIT_KEYS), label);
  assert.equal(typeof raw.cursor, "number", label);
  for (const item of raw.items as object[]) assertItemKeys(item, label);
}

/** Asserts a raw commit item has none but the protocol's keys. */
function assertItemKeys(item: object, label: string): void {
  const stray = Object.keys(item).filter((key) => !Object.hasOwn(COMMIT_ITEM_KEYS, key));
  assert.deepEqual(stray, [], `${label}: item keys ${JSON.stringify(Object.keys(item))}`);
}

Deno.test("POST sync/commit answers the protocol's camelCase CommitAnswer, replays included", async () => {
  const { client } = await newUser("contract-commit");
  const { workspaceId, replicas } = await newWorkspace(client);
  const body = inlineCommit(workspaceId, replicas[0]!, [{ path: "a.txt", content: "one\n" }]);
  const first = await client.call<Record<string, unknown>>("POST", "sync/commit", body);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assertCommitAnswer(first.body, "commit");
  const answer = first.body as unknown as CommitAnswer;
  assert.equal(answer.workspaceId, workspaceId);
  assert.equal(answer.replayed, false);
  assert.deepEqual(Object.keys(answer.items[0]!).sort(), [
    "currentVersionId",
    "index",
    "outcome",
    "path",
    "vector",
    "versionId",
  ]);
  assert.equal(answer.items[0]!.outcome, "applied");
  assert.equal(answer.items[0]!.versionId, answer.items[0]!.currentVersionId);

  const replay = await client.call<Record<string, unknown>>("POST", "sync/commit", body);
  assert.equal(replay.status, 200, JSON.stringify(replay.body));
  assertCommitAnswer(replay.body, "replay");
  assert.equal(replay.body.replayed, true);
  assert.equal(replay.body.changeSetId, answer.changeSetId);
});

Deno.test("conflict and auto-merge items of the commit answer are camelCase", async () => {
  const { client } = await newUser("contract-conflict");
  const open = await concurrentEdits(client, {
    strategy: "user_intervention",
    base: "alpha\nbeta\ngamma\ndelta\nepsilon\n",
    current: "ALPHA\nbeta\ngamma\ndelta\nepsilon\n",
    incoming: "alpha\nbeta\ngamma\ndelta\nEPSILON\n",
  });
  assert.equal(open.incomingItem.outcome, "conflict");
  assert.ok(open.incomingItem.conflictId, JSON.stringify(open.incomingItem));
  assertItemKeys(open.incomingItem, "conflict item");

  const merged = await concurrentEdits(client, {
    strategy: "auto_merge",
    base: "alpha\nbeta\ngamma\ndelta\nepsilon\n",
    current: "ALPHA\nbeta\ngamma\ndelta\nepsilon\n",
    incoming: "alpha\nbeta\ngamma\ndelta\nEPSILON\n",
  });
  assert.equal(merged.incomingItem.outcome, "merged", JSON.stringify(merged.incomingItem));
  assert.equal(merged.incomingItem.autoMerged, true);
  assert.ok(merged.incomingItem.incomingVector);
  assertItemKeys(merged.incomingItem, "auto-merged item");
});

Deno.test("the token API answers camelCase: issued and listed tokens", async () => {
  const { client } = await newUser("contract-tokens");
  const { workspaceId } = await newWorkspace(client);
  const issued = await client.call<IssuedToken>("POST", `workspaces/${workspaceId}/tokens`, {
    name: "contract",
    ttlSeconds: 3600,
  });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  assert.deepEqual(Object.keys(issued.body).sort(), sorted(ISSUED_TOKEN_KEYS));
  assert.equal(issued.body.workspaceId, workspaceId);
  assert.ok(issued.body.token.startsWith(issued.body.tokenPrefix), JSON.stringify(issued.body));
  assert.ok(Date.parse(issued.body.expiresAt) > Date.now());

  const listed = await client.call<{ tokens: AgentToken[] }>(
    "GET",
    `workspaces/${workspaceId}/tokens`,
  );
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  assert.equal(listed.body.tokens.length, 1);
  const [token] = listed.body.tokens;
  assert.deepEqual(Object.keys(token!).sort(), sorted(AGENT_TOKEN_KEYS));
  assert.equal(token!.id, issued.body.id);
  assert.equal(token!.tokenPrefix, issued.body.tokenPrefix);
  assert.equal(token!.active, true);
  assert.equal(token!.revokedAt, null);
});

Deno.test("every route that takes a replica id refuses a non-UUID one with validation_failed", async () => {
  const { client } = await newUser("contract-replica");
  const { workspaceId, replicas } = await newWorkspace(client);
  const bad = "not-a-uuid";
  const good = replicas[0]!;
  const put = await client.call("PUT", `files/${workspaceId}/kept.txt`, "kept\n", {
    "content-type": "text/plain",
  });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  const conflictId = crypto.randomUUID();
  const commitBody = inlineCommit(workspaceId, bad, [{ path: "a.txt", content: "a\n" }]);
  const routes: [string, (api: ApiClient) => Promise<Answer<{ code?: string }>>][] = [
    ["POST sync/negotiate", (api) =>
      api.call("POST", "sync/negotiate", {
        workspaceId,
        replicaId: bad,
        changes: commitBody.changes,
      })],
    ["POST sync/commit", (api) => api.call("POST", "sync/commit", commitBody)],
    [
      "POST workspaces/:id/replicas",
      (api) =>
        api.call("POST", `workspaces/${workspaceId}/replicas`, { replicaId: bad, kind: "agent" }),
    ],
    [
      "POST workspaces/:id/replicas/:replicaId/heartbeat",
      (api) =>
        api.call("POST", `workspaces/${workspaceId}/replicas/${bad}/heartbeat`, { state: "idle" }),
    ],
    [
      "PUT files (x-sandsync-replica)",
      (api) =>
        api.call("PUT", `files/${workspaceId}/b.txt`, "b\n", {
          "content-type": "text/plain",
          "x-sandsync-replica": bad,
        }),
    ],
    [
      "DELETE files (x-sandsync-replica)",
      (api) =>
        api.call("DELETE", `files/${workspaceId}/kept.txt`, undefined, {
          "x-sandsync-replica": bad,
        }),
    ],
    ["POST conflicts/:id/resolve", (api) =>
      api.call("POST", `conflicts/${conflictId}/resolve`, {
        replicaId: bad,
        resolution: "current",
      })],
    [
      "POST conflicts/:id/merge",
      (api) => api.call("POST", `conflicts/${conflictId}/merge`, { replicaId: bad }),
    ],
  ];
  for (const [route, send] of routes) {
    const answer = await send(client);
    assert.equal(answer.status, 400, `${route}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.code, "validation_failed", `${route}: ${JSON.stringify(answer.body)}`);
  }
  // Nothing was written: the file the DELETE named is still there, b.txt never was.
  const kept = await client.call("GET", `files/${workspaceId}/kept.txt?history`);
  assert.equal(kept.status, 200, JSON.stringify(kept.body));
  assert.equal((kept.body as { versions: unknown[] }).versions.length, 1);
  const never = await client.call("GET", `files/${workspaceId}/b.txt?history`);
  assert.equal(never.status, 404, JSON.stringify(never.body));
  // The same routes take the registered replica (the ids were the only problem).
  const heartbeat = await client.call(
    "POST",
    `workspaces/${workspaceId}/replicas/${good}/heartbeat`,
    { state: "idle" },
  );
  assert.equal(heartbeat.status, 200, JSON.stringify(heartbeat.body));
});
