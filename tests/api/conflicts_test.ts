import assert from "node:assert/strict";
import { sha256Hex } from "../../shared/hash.ts";
import { compareVectors } from "../../shared/version_vector.ts";
import { ApiClient, inlineCommit, newUser, newWorkspace } from "../support/api.ts";
import {
  base64Text,
  commit,
  type ConcurrentEdits,
  concurrentEdits,
  currentText,
  download,
} from "./conflict_support.ts";

interface Side {
  versionId: string;
  sha256: string | null;
  size: number;
  deleted: boolean;
  replicaId: string | null;
  committedAt: string;
  url?: string;
}

interface Conflict {
  id: string;
  path: string;
  status: string;
  resolution: string | null;
  resolvedVersionId: string | null;
  mergeRequired: boolean;
  fileCurrentVersionId: string;
  current: Side;
  incoming: Side;
  ancestor: Side | null;
}

interface Resolved {
  conflictId: string;
  versionId: string;
  vector: Record<string, number>;
  seq: number;
  sha256: string | null;
  resolution: string;
}

const BASE = "alpha\nbeta\ngamma\ndelta\nepsilon\n";
const MINE = "ALPHA\nbeta\ngamma\ndelta\nepsilon\n";
const THEIRS = "alpha\nbeta\ngamma\ndelta\nEPSILON\n";
const BOTH = "ALPHA\nbeta\ngamma\ndelta\nEPSILON\n";

async function listConflicts(client: ApiClient, workspaceId: string, status = "open") {
  const answer = await client.call<{ conflicts: Conflict[] }>(
    "GET",
    `conflicts?workspaceId=${workspaceId}&status=${status}`,
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.conflicts;
}

/** A user_intervention conflict between MINE (current, r1) and THEIRS (incoming, r2). */
async function userConflict(client: ApiClient): Promise<ConcurrentEdits & { conflict: Conflict }> {
  const edits = await concurrentEdits(client, {
    strategy: "user_intervention",
    base: BASE,
    current: MINE,
    incoming: THEIRS,
  });
  assert.equal(edits.incomingItem.outcome, "conflict");
  const [conflict] = await listConflicts(client, edits.workspaceId);
  assert.ok(conflict);
  return { ...edits, conflict };
}

function assertDominates(vector: Record<string, number>, ...others: Record<string, number>[]) {
  for (const other of others) assert.equal(compareVectors(vector, other), "after");
}

Deno.test("conflicts: a user_intervention conflict is listed with both sides, the ancestor and signed URLs", async () => {
  const { client } = await newUser("conflict-list");
  const { workspaceId, replicas, conflict, currentItem, incomingItem } = await userConflict(client);
  assert.equal(conflict.id, incomingItem.conflictId);
  assert.equal(conflict.path, "notes.txt");
  assert.equal(conflict.status, "open");
  assert.equal(conflict.mergeRequired, false);
  assert.equal(conflict.fileCurrentVersionId, currentItem.versionId);
  assert.equal(conflict.current.versionId, currentItem.versionId);
  assert.equal(conflict.current.sha256, sha256Hex(MINE));
  assert.equal(conflict.current.size, MINE.length);
  assert.equal(conflict.current.replicaId, replicas[0]);
  assert.equal(conflict.incoming.versionId, incomingItem.versionId);
  assert.equal(conflict.incoming.sha256, sha256Hex(THEIRS));
  assert.equal(conflict.incoming.replicaId, replicas[1]);
  assert.ok(Date.parse(conflict.incoming.committedAt) >= Date.parse(conflict.current.committedAt));
  assert.equal(conflict.ancestor?.sha256, sha256Hex(BASE));
  const texts = await Promise.all(
    [conflict.current, conflict.incoming, conflict.ancestor!].map(async (side) =>
      new TextDecoder().decode(await download(side.url!))
    ),
  );
  assert.deepEqual(texts, [MINE, THEIRS, BASE]);

  assert.equal((await listConflicts(client, workspaceId, "all")).length, 1);
  const bad = await client.call("GET", `conflicts?workspaceId=${workspaceId}&status=closed`);
  assert.equal(bad.status, 400);
  assert.equal((bad.body as { code: string }).code, "validation_failed");
  const missing = await client.call("GET", `conflicts?workspaceId=${crypto.randomUUID()}`);
  assert.equal(missing.status, 404);
  assert.equal((missing.body as { code: string }).code, "workspace_not_found");
});

Deno.test("conflicts: resolving with incoming makes it current, dominating both sides; a second resolve is conflict_closed", async () => {
  const { client } = await newUser("conflict-incoming");
  const { workspaceId, replicas, conflict, currentItem, incomingItem } = await userConflict(client);
  const answer = await client.call<Resolved>("POST", `conflicts/${conflict.id}/resolve`, {
    replicaId: replicas[1],
    resolution: "incoming",
    expectedCurrentVersionId: conflict.fileCurrentVersionId,
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.sha256, sha256Hex(THEIRS));
  assertDominates(answer.body.vector, currentItem.vector!, incomingItem.vector!);
  const { text, file } = await currentText(client, workspaceId);
  assert.equal(text, THEIRS);
  assert.equal(file.versionId, answer.body.versionId);
  assert.deepEqual(await listConflicts(client, workspaceId), []);
  const [closed] = await listConflicts(client, workspaceId, "all");
  assert.equal(closed?.resolution, "incoming");
  assert.equal(closed?.resolvedVersionId, answer.body.versionId);

  const again = await client.call("POST", `conflicts/${conflict.id}/resolve`, {
    replicaId: replicas[0],
    resolution: "current",
    expectedCurrentVersionId: answer.body.versionId,
  });
  assert.equal(again.status, 409);
  assert.equal((again.body as { code: string }).code, "conflict_closed");
  const merge = await client.call("POST", `conflicts/${conflict.id}/merge`);
  assert.equal((merge.body as { code: string }).code, "conflict_closed");
  assert.equal((await currentText(client, workspaceId)).file.versionId, answer.body.versionId);
});

Deno.test("conflicts: a stale view is refused (precondition_failed) and changes nothing; the fresh view resolves with current", async () => {
  const { client } = await newUser("conflict-stale");
  const { workspaceId, replicas, conflict, currentItem, incomingItem } = await userConflict(client);
  // The incoming version is not the file's current version: a stale (wrong) view.
  const wrong = await client.call("POST", `conflicts/${conflict.id}/resolve`, {
    replicaId: replicas[0],
    resolution: "current",
    expectedCurrentVersionId: incomingItem.versionId,
  });
  assert.equal(wrong.status, 412);
  assert.equal((wrong.body as { code: string }).code, "precondition_failed");

  // The file moves on after the conflict was listed.
  const later = "alpha\nbeta\ngamma\nDELTA\nepsilon\n";
  const moved = await commit(
    client,
    inlineCommit(workspaceId, replicas[0], [{
      path: "notes.txt",
      content: later,
      base: currentItem.vector,
    }]),
  );
  assert.equal(moved.items[0]!.outcome, "applied");
  for (const body of [{}, { expectedCurrentVersionId: conflict.fileCurrentVersionId }]) {
    const stale = await client.call("POST", `conflicts/${conflict.id}/resolve`, {
      replicaId: replicas[0],
      resolution: "merged",
      content: base64Text("merged on a stale view\n"),
      ...body,
    });
    assert.equal(stale.status, 412, JSON.stringify(stale.body));
  }
  assert.equal((await listConflicts(client, workspaceId)).length, 1, "the conflict stays open");
  assert.equal((await currentText(client, workspaceId)).text, later);

  const fresh = await client.call<Resolved>("POST", `conflicts/${conflict.id}/resolve`, {
    replicaId: replicas[0],
    resolution: "current",
    expectedCurrentVersionId: moved.items[0]!.versionId,
  });
  assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
  assertDominates(fresh.body.vector, moved.items[0]!.vector!, incomingItem.vector!);
  assert.equal((await currentText(client, workspaceId)).text, later);
});

Deno.test("conflicts: resolving with merged content stores it (quota counted) and makes it current", async () => {
  const { client } = await newUser("conflict-merged");
  const { workspaceId, replicas, conflict, currentItem, incomingItem } = await userConflict(client);
  const usage = async () =>
    (await client.call<{ usedBytes: number }>("GET", "quota")).body.usedBytes;
  const before = await usage();
  const merged = "hand merged\n" + BOTH;
  const answer = await client.call<Resolved>("POST", `conflicts/${conflict.id}/resolve`, {
    replicaId: replicas[0],
    resolution: "merged",
    content: base64Text(merged),
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.sha256, sha256Hex(merged));
  assertDominates(answer.body.vector, currentItem.vector!, incomingItem.vector!);
  const { text, file } = await currentText(client, workspaceId);
  assert.equal(text, merged);
  assert.deepEqual(file.vector, answer.body.vector);
  assert.equal(await usage(), before + merged.length);

  // Both replicas fast-forward from the resolution.
  const next = await commit(
    client,
    inlineCommit(workspaceId, replicas[1], [{
      path: "notes.txt",
      content: "next\n",
      base: file.vector,
    }]),
  );
  assert.equal(next.items[0]!.outcome, "applied");
});

Deno.test("conflicts: bad resolve requests are refused before anything is stored", async () => {
  const { client } = await newUser("conflict-bad");
  const { workspaceId, replicas, conflict } = await userConflict(client);
  const usage = async () =>
    (await client.call<{ usedBytes: number; reservedBytes: number }>("GET", "quota")).body;
  const before = await usage();
  const cases: [unknown, number, string][] = [
    [{ replicaId: replicas[0], resolution: "merged" }, 400, "validation_failed"],
    [
      { replicaId: replicas[0], resolution: "current", content: base64Text("x") },
      400,
      "validation_failed",
    ],
    [{ replicaId: replicas[0], resolution: "theirs" }, 400, "validation_failed"],
    [{ replicaId: "r1", resolution: "current" }, 400, "validation_failed"],
    [
      { replicaId: replicas[0], resolution: "merged", content: "not base64!" },
      400,
      "validation_failed",
    ],
    [
      { replicaId: crypto.randomUUID(), resolution: "merged", content: base64Text("orphan\n") },
      404,
      "replica_not_found",
    ],
    ["{", 400, "invalid_json"],
  ];
  for (const [body, status, code] of cases) {
    const answer = await client.call("POST", `conflicts/${conflict.id}/resolve`, body);
    assert.equal(answer.status, status, JSON.stringify({ body, answer: answer.body }));
    assert.equal((answer.body as { code: string }).code, code);
  }
  const notUuid = await client.call("POST", "conflicts/nope/resolve", {
    replicaId: replicas[0],
    resolution: "current",
  });
  assert.equal(notUuid.status, 400);
  const unknown = await client.call("POST", `conflicts/${crypto.randomUUID()}/resolve`, {
    replicaId: replicas[0],
    resolution: "current",
  });
  assert.equal(unknown.status, 404);
  assert.equal((unknown.body as { code: string }).code, "conflict_not_found");
  assert.deepEqual(await usage(), before, "no bytes stored or reserved");
  assert.equal((await listConflicts(client, workspaceId)).length, 1);
});

Deno.test("conflicts: another user cannot list, resolve or merge someone else's conflict (404, no leak)", async () => {
  const { client } = await newUser("conflict-owner");
  const { workspaceId, replicas, conflict } = await userConflict(client);
  const { client: other } = await newUser("conflict-other");
  const { replicas: [otherReplica] } = await newWorkspace(other, { strategy: "user_intervention" });

  const list = await other.call("GET", `conflicts?workspaceId=${workspaceId}`);
  assert.equal(list.status, 404);
  assert.equal((list.body as { code: string }).code, "workspace_not_found");
  for (const replicaId of [replicas[0], otherReplica]) {
    const resolve = await other.call("POST", `conflicts/${conflict.id}/resolve`, {
      replicaId,
      resolution: "incoming",
      expectedCurrentVersionId: conflict.fileCurrentVersionId,
    });
    assert.equal(resolve.status, 404);
    assert.equal((resolve.body as { code: string }).code, "conflict_not_found");
  }
  const merge = await other.call("POST", `conflicts/${conflict.id}/merge`, {
    replicaId: otherReplica,
  });
  assert.equal(merge.status, 404);
  assert.equal((merge.body as { code: string }).code, "conflict_not_found");
  // An unknown id answers exactly the same.
  const unknown = await other.call("POST", `conflicts/${crypto.randomUUID()}/merge`);
  assert.equal(unknown.status, 404);
  assert.equal((unknown.body as { code: string }).code, "conflict_not_found");

  // An agent token of the owner's other workspace is held to its workspace too.
  const { workspaceId: second } = await newWorkspace(client);
  const issued = await client.call<{ token: string }>("POST", `workspaces/${second}/tokens`, {
    name: "agent",
  });
  assert.equal(issued.status, 201);
  const agent = new ApiClient(client.env, client.env.anonKey, {
    "x-sandsync-token": issued.body.token,
  });
  const agentList = await agent.call("GET", `conflicts?workspaceId=${workspaceId}`);
  assert.equal(agentList.status, 404);
  const agentMerge = await agent.call("POST", `conflicts/${conflict.id}/merge`);
  assert.equal(agentMerge.status, 404);
  assert.equal((agentMerge.body as { code: string }).code, "conflict_not_found");

  const [still] = await listConflicts(client, workspaceId);
  assert.equal(still?.status, "open");
});

Deno.test("auto_merge: two concurrent non-overlapping edits end as one merged current version with both", async () => {
  const { client } = await newUser("automerge-clean");
  const edits = await concurrentEdits(client, {
    strategy: "auto_merge",
    base: BASE,
    current: MINE,
    incoming: THEIRS,
  });
  const item = edits.incomingItem;
  assert.equal(item.outcome, "merged", JSON.stringify(item));
  assert.equal(item.autoMerged, true);
  assert.equal(item.sha256, sha256Hex(BOTH));
  // The answer carries the vector the server gave the incoming version (clients never guess it).
  assert.deepEqual(item.incomingVector, { ...edits.baseVector, [edits.replicas[1]]: 1 });
  const { text, file } = await currentText(client, edits.workspaceId);
  assert.equal(text, BOTH);
  assert.equal(file.versionId, item.versionId);
  assert.deepEqual(file.vector, item.vector);
  assertDominates(file.vector, edits.currentItem.vector!, {
    ...edits.baseVector,
    [edits.replicas[1]]: 1,
  });
  assert.deepEqual(await listConflicts(client, edits.workspaceId), []);
  const [resolved] = await listConflicts(client, edits.workspaceId, "all");
  assert.equal(resolved?.resolution, "merged");

  // A retried commit (same idempotency key) answers the same merged item.
  const replay = await commit(client, edits.incomingCommit);
  assert.equal(replay.replayed, true);
  assert.equal(replay.items[0]!.outcome, "merged");
  assert.equal(replay.items[0]!.versionId, item.versionId);
});

Deno.test("auto_merge: overlapping edits fall back to an open conflict, whose hunks the merge route shows", async () => {
  const { client } = await newUser("automerge-overlap");
  const theirs = "alpha\nbeta\ngamma\ndelta\nepsilon\n".replace("alpha", "Alpha!");
  const edits = await concurrentEdits(client, {
    strategy: "auto_merge",
    base: BASE,
    current: MINE,
    incoming: theirs,
  });
  assert.equal(edits.incomingItem.outcome, "conflict");
  assert.equal(edits.incomingItem.mergeRefused, "overlapping");
  assert.equal((await currentText(client, edits.workspaceId)).text, MINE);
  const [conflict] = await listConflicts(client, edits.workspaceId);
  assert.equal(conflict?.mergeRequired, true);

  const merge = await client.call<{ merged: boolean; reason: string; hunks: unknown[] }>(
    "POST",
    `conflicts/${conflict!.id}/merge`,
  );
  assert.equal(merge.status, 200);
  assert.equal(merge.body.merged, false);
  assert.equal(merge.body.reason, "overlapping");
  assert.deepEqual(merge.body.hunks, [{
    base: { start: 1, count: 1, lines: ["alpha"] },
    current: { start: 1, count: 1, lines: ["ALPHA"] },
    incoming: { start: 1, count: 1, lines: ["Alpha!"] },
  }]);
  assert.equal((await listConflicts(client, edits.workspaceId)).length, 1, "still open");
});

Deno.test("auto_merge: overlapping edits with merge_fallback last_write_wins end with incoming current", async () => {
  const { client } = await newUser("automerge-lww");
  const theirs = BASE.replace("alpha", "Alpha!");
  const edits = await concurrentEdits(client, {
    strategy: "auto_merge",
    mergeFallback: "last_write_wins",
    base: BASE,
    current: MINE,
    incoming: theirs,
  });
  assert.equal(edits.incomingItem.outcome, "applied", JSON.stringify(edits.incomingItem));
  assert.equal(edits.incomingItem.mergeRefused, "overlapping");
  assert.equal(edits.incomingItem.supersededVersionId, edits.currentItem.versionId);
  const { text, file } = await currentText(client, edits.workspaceId);
  assert.equal(text, theirs);
  assert.equal(file.versionId, edits.incomingItem.versionId);
  assert.deepEqual(await listConflicts(client, edits.workspaceId), []);
});

Deno.test("auto_merge: a binary file conflict never auto-merges", async () => {
  const { client } = await newUser("automerge-binary");
  // Line-wise these edits would merge cleanly (first line vs last line); the NULs make it binary.
  const edits = await concurrentEdits(client, {
    strategy: "auto_merge",
    path: "image.bin",
    base: Uint8Array.from([0, 1, 2, 3, 10, 4, 5, 10, 6, 7, 10]),
    current: Uint8Array.from([0, 42, 2, 3, 10, 4, 5, 10, 6, 7, 10]),
    incoming: Uint8Array.from([0, 1, 2, 3, 10, 4, 5, 10, 6, 8, 10]),
  });
  assert.equal(edits.incomingItem.outcome, "conflict");
  assert.equal(edits.incomingItem.mergeRefused, "binary");
  const [conflict] = await listConflicts(client, edits.workspaceId);
  const merge = await client.call<{ merged: boolean; reason: string }>(
    "POST",
    `conflicts/${conflict!.id}/merge`,
  );
  assert.equal(merge.status, 200);
  assert.deepEqual([merge.body.merged, merge.body.reason], [false, "binary"]);
  assert.equal((await listConflicts(client, edits.workspaceId)).length, 1);
});

Deno.test("conflicts: the merge route merges a user_intervention conflict cleanly and resolves it", async () => {
  const { client } = await newUser("merge-route");
  const { workspaceId, conflict, currentItem, incomingItem } = await userConflict(client);
  const stale = await client.call("POST", `conflicts/${conflict.id}/merge`, {
    expectedCurrentVersionId: incomingItem.versionId,
  });
  assert.equal(stale.status, 412);
  const answer = await client.call<
    { merged: boolean; versionId: string; vector: Record<string, number> }
  >(
    "POST",
    `conflicts/${conflict.id}/merge`,
    { expectedCurrentVersionId: conflict.fileCurrentVersionId },
  );
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.merged, true);
  assertDominates(answer.body.vector, currentItem.vector!, incomingItem.vector!);
  const { text, file } = await currentText(client, workspaceId);
  assert.equal(text, BOTH);
  assert.equal(file.versionId, answer.body.versionId);
  const again = await client.call("POST", `conflicts/${conflict.id}/merge`);
  assert.equal(again.status, 409);
  assert.equal((again.body as { code: string }).code, "conflict_closed");
});

Deno.test("auto_merge: merged bytes over the quota leave the conflict open and nothing stored", async () => {
  const { id, client, env } = await newUser("automerge-quota");
  const service = new ApiClient(env, env.serviceRoleKey);
  const limit = await service.call("PUT", `quota/${id}`, { limitBytes: 3 * BASE.length });
  assert.equal(limit.status, 200);
  const edits = await concurrentEdits(client, {
    strategy: "auto_merge",
    base: BASE,
    current: MINE,
    incoming: THEIRS,
  });
  assert.equal(edits.incomingItem.outcome, "conflict");
  assert.equal(edits.incomingItem.mergeRefused, "quota_exceeded");
  const quota = await client.call<{ usedBytes: number; reservedBytes: number }>("GET", "quota");
  assert.deepEqual([quota.body.usedBytes, quota.body.reservedBytes], [3 * BASE.length, 0]);
  assert.equal((await currentText(client, edits.workspaceId)).text, MINE);
  assert.equal((await listConflicts(client, edits.workspaceId)).length, 1);
});

Deno.test("conflicts: an agent token lists and resolves the conflicts of its own workspace", async () => {
  const { client } = await newUser("conflict-agent");
  const { workspaceId, replicas, conflict } = await userConflict(client);
  const issued = await client.call<{ token: string }>("POST", `workspaces/${workspaceId}/tokens`, {
    name: "agent",
  });
  const agent = new ApiClient(client.env, client.env.anonKey, {
    "x-sandsync-token": issued.body.token,
  });
  assert.deepEqual((await listConflicts(agent, workspaceId)).map((c) => c.id), [conflict.id]);
  const merged = await agent.call<{ merged: boolean }>("POST", `conflicts/${conflict.id}/merge`, {
    replicaId: replicas[0],
  });
  assert.equal(merged.status, 200, JSON.stringify(merged.body));
  assert.equal(merged.body.merged, true);
  assert.equal((await currentText(client, workspaceId)).text, BOTH);
});
