import assert from "node:assert/strict";
import type { CommitItemAnswer } from "../../client/types.ts";
import type { HashedFile } from "./file_state.ts";
import {
  type CommittedChange,
  interpretItem,
  interpretRecovered,
  type ItemEffect,
  recordEffects,
  type SentChange,
} from "./outcomes.ts";
import { startOutcome } from "./sync_outcome.ts";
import { withEngine } from "./test_context.ts";

const AT = new Date("2026-01-02T03:04:05.000Z");
const SENT = "a".repeat(64);
const MERGED = "m".repeat(64);
const FILE: HashedFile = {
  path: "src/a.ts",
  sha256: SENT,
  size: 3,
  mtimeMs: 1000.4,
  ino: 7,
  mode: 0o644,
};
const EDIT: SentChange = { path: "src/a.ts", sha256: SENT, base: { r1: 1 } };
const NEW_FILE: SentChange = { path: "src/a.ts", sha256: SENT, base: null };
const DELETE: SentChange = { path: "src/a.ts", sha256: null, base: { r1: 1 } };

/** The state a file is recorded as under `vector` / `versionId`. */
function recorded(vector: Record<string, number>, versionId: string | null) {
  return {
    path: FILE.path,
    vector,
    versionId,
    sha256: SENT,
    size: 3,
    mtimeMs: 1000,
    ino: 7,
    mode: 0o644,
  };
}

function item(fields: Omit<CommitItemAnswer, "index" | "path">): CommitItemAnswer {
  return { index: 0, path: FILE.path, ...fields };
}

const PATH = { path: FILE.path };

/** Each commit outcome, as the server answers it, and what it means for local state. */
const ITEM_CASES: { name: string; committed: CommittedChange; effect: ItemEffect }[] = [
  {
    name: "applied (fast-forward): the file is recorded under the server's vector",
    committed: {
      change: EDIT,
      item: item({
        outcome: "applied",
        versionId: "v2",
        currentVersionId: "v2",
        vector: { r1: 2 },
      }),
      file: FILE,
    },
    effect: { ...PATH, record: recorded({ r1: 2 }, "v2"), counts: "uploaded" },
  },
  {
    name: "applied for a new path: recorded under the server's vector, never one built here",
    committed: {
      change: NEW_FILE,
      item: item({ outcome: "applied", currentVersionId: "v1", vector: { srv: 9 } }),
      file: FILE,
    },
    effect: { ...PATH, record: recorded({ srv: 9 }, "v1"), counts: "uploaded" },
  },
  {
    name: "applied under last_write_wins with a conflict copy: the winner is recorded",
    committed: {
      change: EDIT,
      item: item({
        outcome: "applied",
        currentVersionId: "v3",
        vector: { r1: 2, r2: 1 },
        conflictId: "c1",
        conflictCopyPath: "src/a.sync-conflict-20260102-030405-r2.ts",
      }),
      file: FILE,
    },
    effect: { ...PATH, record: recorded({ r1: 2, r2: 1 }, "v3"), counts: "uploaded" },
  },
  {
    name: "applied without a vector: nothing recorded (the file is pushed again next run)",
    committed: { change: EDIT, item: item({ outcome: "applied" }), file: FILE },
    effect: PATH,
  },
  {
    name: "applied delete: the path is forgotten",
    committed: { change: DELETE, item: item({ outcome: "applied", vector: { r1: 2 } }) },
    effect: { ...PATH, forget: true, counts: "deleted" },
  },
  {
    name: "merged (identical content): recorded under the merged vector",
    committed: {
      change: EDIT,
      item: item({ outcome: "merged", currentVersionId: "v2", vector: { r1: 1, r2: 1 } }),
      file: FILE,
    },
    effect: { ...PATH, record: recorded({ r1: 1, r2: 1 }, "v2"), counts: "uploaded" },
  },
  {
    name: "merged delete of a path that does not exist: forgotten",
    committed: { change: DELETE, item: item({ outcome: "merged" }) },
    effect: { ...PATH, forget: true, counts: "deleted" },
  },
  {
    name: "auto_merge merged by the server: ours recorded under the incoming vector",
    committed: {
      change: EDIT,
      item: item({
        outcome: "merged",
        autoMerged: true,
        sha256: MERGED,
        currentVersionId: "v4",
        vector: { r1: 2, r2: 2 },
        incomingVector: { r1: 2 },
      }),
      file: FILE,
    },
    effect: { ...PATH, record: recorded({ r1: 2 }, null), counts: "uploaded" },
  },
  {
    name: "auto_merge merged by a server that names no incoming vector: ours under our base",
    committed: {
      change: EDIT,
      item: item({ outcome: "merged", sha256: MERGED, currentVersionId: "v4", vector: { r2: 2 } }),
      file: FILE,
    },
    effect: { ...PATH, record: recorded({ r1: 1 }, null), counts: "uploaded" },
  },
  {
    name: "superseded (a delete lost to an edit): forgotten and brought back",
    committed: {
      change: DELETE,
      item: item({ outcome: "superseded", currentVersionId: "v5", vector: { r2: 3 } }),
    },
    effect: { ...PATH, forget: true, bringBack: true },
  },
  {
    name: "conflict under user_intervention: local bytes on the current version, conflict open",
    committed: {
      change: EDIT,
      item: item({
        outcome: "conflict",
        currentVersionId: "v6",
        vector: { r2: 4 },
        conflictId: "c2",
      }),
      file: FILE,
    },
    effect: {
      ...PATH,
      record: recorded({ r2: 4 }, "v6"),
      openConflict: { conflictId: "c2", path: FILE.path, openedAt: AT.toISOString() },
    },
  },
  {
    name: "conflict under auto_merge with the merge refused: as user_intervention",
    committed: {
      change: EDIT,
      item: item({
        outcome: "conflict",
        currentVersionId: "v6",
        vector: { r2: 4 },
        conflictId: "c3",
        ancestorVersionId: "v1",
        mergeRefused: "overlapping",
      }),
      file: FILE,
    },
    effect: {
      ...PATH,
      record: recorded({ r2: 4 }, "v6"),
      openConflict: { conflictId: "c3", path: FILE.path, openedAt: AT.toISOString() },
    },
  },
  {
    name: "conflict on a delete: nothing recorded, the conflict is open",
    committed: {
      change: DELETE,
      item: item({ outcome: "conflict", vector: { r2: 4 }, conflictId: "c4" }),
    },
    effect: {
      ...PATH,
      openConflict: { conflictId: "c4", path: FILE.path, openedAt: AT.toISOString() },
    },
  },
  {
    name: "conflict without a vector or id: nothing recorded, nothing opened",
    committed: { change: EDIT, item: item({ outcome: "conflict" }), file: FILE },
    effect: PATH,
  },
  {
    name: "rejected with path_case_conflict: not synced, counted as skipped",
    committed: {
      change: EDIT,
      item: item({ outcome: "rejected", code: "path_case_conflict" }),
      file: FILE,
    },
    effect: { ...PATH, counts: "skipped", note: 'not synced: "src/a.ts" (path_case_conflict)' },
  },
  {
    name: "rejected with no code: not synced, reported as rejected",
    committed: { change: EDIT, item: item({ outcome: "rejected" }), file: FILE },
    effect: { ...PATH, counts: "skipped", note: 'not synced: "src/a.ts" (rejected)' },
  },
];

for (const { name, committed, effect } of ITEM_CASES) {
  Deno.test(`interpretItem() ${name}`, () => {
    assert.deepEqual(interpretItem(committed, AT), effect);
  });
}

const HELD = { file: FILE, gone: false };
const CHANGED = { file: null, gone: false };
const GONE = { file: null, gone: true };

/** A change a killed run sent, answered again, against what its path holds now. */
const RECOVERED_CASES: {
  name: string;
  change: SentChange;
  item: CommitItemAnswer;
  look: { file: HashedFile | null; gone: boolean };
  effect: ItemEffect;
}[] = [
  {
    name: "applied, bytes still there: recorded (no current version id needed)",
    change: EDIT,
    item: item({ outcome: "applied", vector: { r1: 2 } }),
    look: HELD,
    effect: { ...PATH, record: recorded({ r1: 2 }, null) },
  },
  {
    name: "applied, file edited since: left to the scan",
    change: EDIT,
    item: item({ outcome: "applied", currentVersionId: "v2", vector: { r1: 2 } }),
    look: CHANGED,
    effect: PATH,
  },
  {
    name: "applied without a vector: left to the scan",
    change: EDIT,
    item: item({ outcome: "applied", currentVersionId: "v2" }),
    look: HELD,
    effect: PATH,
  },
  {
    name: "merged by the server: ours under the incoming vector",
    change: EDIT,
    item: item({ outcome: "merged", sha256: MERGED, vector: { r2: 2 }, incomingVector: { r1: 2 } }),
    look: HELD,
    effect: { ...PATH, record: recorded({ r1: 2 }, null) },
  },
  {
    name: "conflict: recorded on the current version, the conflict open",
    change: EDIT,
    item: item({
      outcome: "conflict",
      currentVersionId: "v6",
      vector: { r2: 4 },
      conflictId: "c2",
    }),
    look: HELD,
    effect: {
      ...PATH,
      record: recorded({ r2: 4 }, "v6"),
      openConflict: { conflictId: "c2", path: FILE.path, openedAt: AT.toISOString() },
    },
  },
  {
    name: "rejected: nothing",
    change: EDIT,
    item: item({ outcome: "rejected", code: "path_case_conflict", vector: { r1: 1 } }),
    look: HELD,
    effect: PATH,
  },
  {
    name: "applied delete of a path still gone: forgotten",
    change: DELETE,
    item: item({ outcome: "applied" }),
    look: GONE,
    effect: { ...PATH, forget: true },
  },
  {
    name: "applied delete of a path recreated since: left to the scan",
    change: DELETE,
    item: item({ outcome: "applied" }),
    look: CHANGED,
    effect: PATH,
  },
  {
    name: "superseded delete: left to the pull",
    change: DELETE,
    item: item({ outcome: "superseded", vector: { r2: 3 } }),
    look: GONE,
    effect: PATH,
  },
];

for (const { name, change, item: answer, look, effect } of RECOVERED_CASES) {
  Deno.test(`interpretRecovered() ${name}`, () => {
    assert.deepEqual(interpretRecovered({ change, item: answer }, look, AT), effect);
  });
}

Deno.test("recordEffects() writes each effect to the state, counts it, answers what to bring back", async () => {
  await withEngine({}, ({ state }) => {
    state.put(recorded({ r1: 1 }, "v1"));
    state.put({ ...recorded({ r1: 1 }, "v1"), path: "gone.txt" });
    const result = startOutcome(state);
    const logs: string[] = [];
    const back = state.transaction(() =>
      recordEffects(state, [
        { path: "src/a.ts", record: recorded({ r1: 2 }, "v2"), counts: "uploaded" },
        { path: "gone.txt", forget: true, bringBack: true },
        {
          path: "c.txt",
          openConflict: { conflictId: "c2", path: "c.txt", openedAt: AT.toISOString() },
        },
        { path: "B.txt", counts: "skipped", note: 'not synced: "B.txt" (path_case_conflict)' },
      ], { result, log: (message) => logs.push(message) })
    );
    assert.deepEqual(back, ["gone.txt"]);
    assert.deepEqual(state.get("src/a.ts")?.vector, { r1: 2 });
    assert.equal(state.get("gone.txt"), undefined);
    assert.deepEqual(state.conflicts().map((c) => c.conflictId), ["c2"]);
    assert.deepEqual([result.uploaded, result.deleted, result.skipped], [1, 0, 1]);
    assert.deepEqual(logs, ['not synced: "B.txt" (path_case_conflict)']);
  });
});
