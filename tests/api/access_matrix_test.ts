// Who may do what, across every function and operation, from one table: the workspace owner,
// an agent token of that workspace, another user, an agent token of another workspace, the anon
// key alone and the service role. Denied calls must also change nothing the owner can see.
import assert from "node:assert/strict";
import { sha256Hex } from "../../shared/hash.ts";
import { ApiClient, inlineCommit, newUser, newWorkspace } from "../support/api.ts";
import { concurrentEdits } from "./conflict_support.ts";

type Who = "owner" | "agent" | "otherUser" | "otherAgent" | "anon" | "service";

interface Target {
  workspaceId: string;
  replicaId: string;
  conflictId: string;
  ownerId: string;
}

interface Operation {
  name: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: (t: Target) => string;
  body?: (t: Target) => unknown;
  /** Expected status per caller; callers not listed must get a 4xx other than 400. */
  allowed: Partial<Record<Who, number>>;
}

const text = new TextEncoder().encode("matrix\n");
const change = {
  path: "matrix.txt",
  sha256: sha256Hex(text),
  size: text.byteLength,
  mode: 420,
  mtime: 1_700_000_000_000,
  base: null,
};

/** The matrix: every operation of every function that touches a workspace. */
const OPERATIONS: Operation[] = [
  {
    name: "sync negotiate",
    method: "POST",
    path: () => "sync/negotiate",
    body: (t) => ({ workspaceId: t.workspaceId, replicaId: t.replicaId, changes: [change] }),
    allowed: { owner: 200, agent: 200, service: 200 },
  },
  {
    name: "sync commit",
    method: "POST",
    path: () => "sync/commit",
    body: (t) => inlineCommit(t.workspaceId, t.replicaId, [{ path: "m.txt", content: "m" }]),
    allowed: { owner: 200, agent: 200, service: 200 },
  },
  {
    name: "sync changes",
    method: "GET",
    path: (t) => `sync/changes?workspaceId=${t.workspaceId}&cursor=0`,
    allowed: { owner: 200, agent: 200, service: 200 },
  },
  {
    name: "sync manifest",
    method: "GET",
    path: (t) => `sync/manifest?workspaceId=${t.workspaceId}`,
    allowed: { owner: 200, agent: 200, service: 200 },
  },
  {
    name: "workspaces get",
    method: "GET",
    path: (t) => `workspaces/${t.workspaceId}`,
    allowed: { owner: 200, agent: 200, service: 200 },
  },
  {
    name: "workspaces register replica",
    method: "POST",
    path: (t) => `workspaces/${t.workspaceId}/replicas`,
    body: () => ({ replicaId: crypto.randomUUID(), kind: "mobile" }),
    allowed: { owner: 200, agent: 200, service: 200 },
  },
  {
    name: "workspaces list tokens",
    method: "GET",
    path: (t) => `workspaces/${t.workspaceId}/tokens`,
    allowed: { owner: 200, agent: 200 },
  },
  {
    name: "workspaces issue token",
    method: "POST",
    path: (t) => `workspaces/${t.workspaceId}/tokens`,
    body: () => ({ name: "matrix" }),
    allowed: { owner: 201 },
  },
  {
    name: "files get",
    method: "GET",
    path: (t) => `files/${t.workspaceId}/notes.txt`,
    allowed: { owner: 200, agent: 200, service: 200 },
  },
  {
    name: "files history",
    method: "GET",
    path: (t) => `files/${t.workspaceId}/notes.txt?history`,
    allowed: { owner: 200, agent: 200, service: 200 },
  },
  {
    name: "files put",
    method: "PUT",
    path: (t) => `files/${t.workspaceId}/put-${crypto.randomUUID()}.txt`,
    body: () => "put by the matrix\n",
    allowed: { owner: 201, agent: 201, service: 201 },
  },
  {
    name: "conflicts list",
    method: "GET",
    path: (t) => `conflicts?workspaceId=${t.workspaceId}`,
    allowed: { owner: 200, agent: 200, service: 200 },
  },
  {
    name: "conflicts merge",
    method: "POST",
    path: (t) => `conflicts/${t.conflictId}/merge`,
    body: () => ({}),
    // Overlapping edits: the merge is refused with the hunks and the conflict stays open.
    allowed: { owner: 200, agent: 200, service: 200 },
  },
  {
    name: "quota check",
    method: "GET",
    path: () => "quota/check",
    allowed: { service: 200 },
  },
  {
    name: "quota set limit",
    method: "PUT",
    path: (t) => `quota/${t.ownerId}`,
    body: () => ({ limitBytes: 1024 * 1024 * 1024 }),
    allowed: { service: 200 },
  },
];

async function agentFor(client: ApiClient, workspaceId: string): Promise<ApiClient> {
  const issued = await client.call<{ token: string }>("POST", `workspaces/${workspaceId}/tokens`, {
    name: "matrix-agent",
  });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  return new ApiClient(client.env, client.env.anonKey, { "x-sandsync-token": issued.body.token });
}

Deno.test("access matrix: every function and operation, six kinds of caller", async (t) => {
  const owner = await newUser("matrix-owner");
  const other = await newUser("matrix-other");
  const edits = await concurrentEdits(owner.client, {
    strategy: "user_intervention",
    base: "one\n",
    current: "one (current)\n",
    incoming: "one (incoming)\n",
  });
  const conflictId = edits.incomingItem.conflictId!;
  assert.ok(conflictId, "the setup opened a conflict");
  const { workspaceId: otherWorkspace } = await newWorkspace(other.client);
  const callers: Record<Who, ApiClient> = {
    owner: owner.client,
    agent: await agentFor(owner.client, edits.workspaceId),
    otherUser: other.client,
    otherAgent: await agentFor(other.client, otherWorkspace),
    anon: new ApiClient(owner.env, owner.env.anonKey),
    service: new ApiClient(owner.env, owner.env.serviceRoleKey),
  };
  const target: Target = {
    workspaceId: edits.workspaceId,
    replicaId: edits.replicas[0],
    conflictId,
    ownerId: owner.id,
  };
  const ownersView = async () =>
    (await owner.client.call<{ files: { path: string; versionId: string }[] }>(
      "GET",
      `sync/manifest?workspaceId=${edits.workspaceId}`,
    )).body.files.map((file) => `${file.path}@${file.versionId}`).sort();

  for (const operation of OPERATIONS) {
    for (const who of Object.keys(callers) as Who[]) {
      await t.step(`${operation.name} as ${who}`, async () => {
        const expected = operation.allowed[who];
        const before = expected === undefined ? await ownersView() : undefined;
        const body = operation.body?.(target);
        const answer = await callers[who].call<{ code?: string }>(
          operation.method,
          operation.path(target),
          body,
          typeof body === "string" ? { "content-type": "text/plain" } : {},
        );
        if (expected !== undefined) {
          assert.equal(answer.status, expected, JSON.stringify(answer.body));
          return;
        }
        assert.ok(
          [401, 403, 404].includes(answer.status),
          `${who} got ${answer.status}: ${JSON.stringify(answer.body)}`,
        );
        assert.equal(typeof answer.body.code, "string");
        assert.deepEqual(await ownersView(), before, "a denied call changed nothing");
      });
    }
  }
});
