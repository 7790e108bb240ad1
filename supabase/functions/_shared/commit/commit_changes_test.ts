import assert from "node:assert/strict";
import { toCommitAnswer } from "./commit_changes.ts";

const WORKSPACE = "6f1c3a3e-3c51-4b8e-9a43-2d6b2d3f7a10";
const REPLICA = "0d7e6b8a-5f0e-4b59-9d2a-8f3c1e2b4a67";

Deno.test("toCommitAnswer() turns SQL's snake_case answer into the protocol's camelCase one", () => {
  const answer = toCommitAnswer({
    change_set_id: "cs",
    workspace_id: WORKSPACE,
    replayed: false,
    cursor: "42",
    items: [
      {
        index: 0,
        path: "a.txt",
        outcome: "applied",
        version_id: "v1",
        current_version_id: "v1",
        vector: { [REPLICA]: 1 },
      },
      {
        index: 1,
        path: "b.txt",
        outcome: "conflict",
        version_id: "v2",
        current_version_id: "v0",
        vector: { [REPLICA]: 2 },
        conflict_id: "c1",
        ancestor_version_id: "v-1",
        conflict_copy_path: "b.sync-conflict.txt",
      },
    ],
  });
  assert.deepEqual(answer, {
    changeSetId: "cs",
    workspaceId: WORKSPACE,
    replayed: false,
    cursor: 42,
    items: [
      {
        index: 0,
        path: "a.txt",
        outcome: "applied",
        versionId: "v1",
        currentVersionId: "v1",
        vector: { [REPLICA]: 1 },
      },
      {
        index: 1,
        path: "b.txt",
        outcome: "conflict",
        versionId: "v2",
        currentVersionId: "v0",
        vector: { [REPLICA]: 2 },
        conflictId: "c1",
        ancestorVersionId: "v-1",
        conflictCopyPath: "b.sync-conflict.txt",
      },
    ],
  });
});

Deno.test("toCommitAnswer() answers an empty change set with no items", () => {
  const answer = toCommitAnswer({
    change_set_id: "cs",
    workspace_id: WORKSPACE,
    replayed: true,
    cursor: 7,
    items: null,
  });
  assert.deepEqual(answer.items, []);
  assert.equal(answer.replayed, true);
});
