import assert from "node:assert/strict";
import { join } from "node:path";
import type { PendingChange } from "../../client/push.ts";
import type { CommitAnswer, CommitRequest } from "../../client/types.ts";
import { sha256Hex } from "../../shared/hash.ts";
import { heldOverQuotaOf, pushPlanned, recoverCommits } from "./push.ts";
import { startOutcome } from "./sync_outcome.ts";
import { withEngine } from "./test_context.ts";

Deno.test("heldOverQuotaOf() reports each held change with its size", () => {
  const held = heldOverQuotaOf([
    { path: "big.bin", sha256: "b".repeat(64), size: 99, mode: 0o644, mtime: 0, base: null },
  ]);
  assert.deepEqual(held, [{ path: "big.bin", size: 99, code: "quota_exceeded" }]);
});

Deno.test("pushPlanned() with nothing to push clears the quota hold of a whole-tree run only", async () => {
  await withEngine({}, async (f) => {
    const result = startOutcome(f.state);
    const none: PendingChange[] = [];
    f.state.setMeta("held_quota", "[]");
    await pushPlanned(f.ctx, none, { files: new Map(), result, targeted: true });
    assert.equal(f.state.getMeta("held_quota"), "[]");
    await pushPlanned(f.ctx, none, { files: new Map(), result, targeted: false });
    assert.equal(f.state.getMeta("held_quota"), undefined);
  });
});

Deno.test("recoverCommits() records what a lost commit answer says, by the same request", async () => {
  const request: CommitRequest = {
    workspaceId: "ws",
    replicaId: "r1",
    idempotencyKey: "k1",
    changes: [
      { path: "a.txt", sha256: sha256Hex("A"), size: 1, mode: 0o644, mtime: 0, base: null },
      { path: "edited.txt", sha256: sha256Hex("E"), size: 1, mode: 0o644, mtime: 0, base: null },
      { path: "gone.txt", sha256: null, size: 0, mode: 0o644, mtime: 0, base: { r1: 1 } },
    ],
  } as CommitRequest;
  const sent: CommitRequest[] = [];
  const answer: CommitAnswer = {
    changeSetId: "cs",
    workspaceId: "ws",
    replayed: true,
    cursor: 4,
    items: [
      { index: 0, path: "a.txt", outcome: "applied", currentVersionId: "v1", vector: { r1: 1 } },
      {
        index: 1,
        path: "edited.txt",
        outcome: "applied",
        currentVersionId: "v2",
        vector: { r1: 1 },
      },
      { index: 2, path: "gone.txt", outcome: "applied" },
    ],
  };
  const api = {
    commit: (body: CommitRequest) => {
      sent.push(body);
      return Promise.resolve(answer);
    },
  };
  await withEngine(api, async (f) => {
    await Deno.writeTextFile(join(f.dir, "a.txt"), "A");
    await Deno.writeTextFile(join(f.dir, "edited.txt"), "E, then more");
    f.state.put({
      path: "gone.txt",
      vector: { r1: 1 },
      versionId: null,
      sha256: "",
      size: 0,
      mtimeMs: 0,
      ino: null,
      mode: 0o644,
    });
    f.state.setMeta("pending_commits", JSON.stringify([request]));
    await recoverCommits(f.ctx);
    assert.deepEqual(sent, [request]);
    assert.deepEqual(f.state.get("a.txt")?.vector, { r1: 1 });
    assert.equal(f.state.get("edited.txt"), undefined);
    assert.equal(f.state.get("gone.txt"), undefined);
    assert.equal(f.state.getMeta("pending_commits"), undefined);
    assert.deepEqual(f.logs, ["recovered 2 changes of an interrupted commit"]);
  });
});
