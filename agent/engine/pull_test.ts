import assert from "node:assert/strict";
import { join } from "node:path";
import type { ChangesPage } from "../../client/types.ts";
import { IgnoreRules } from "../../shared/paths/ignore_rules.ts";
import { pullChanges, readPage, unappliedError, undelete } from "./pull.ts";
import { startOutcome } from "./sync_outcome.ts";
import { changeEntry, liveEntry, withEngine } from "./test_context.ts";

function page(changes: ChangesPage["changes"], cursor: number, hasMore = false): ChangesPage {
  return { workspaceId: "ws", changes, cursor, hasMore } as ChangesPage;
}

Deno.test("readPage() keeps the latest change of each path and every conflict in order", () => {
  const reading = readPage(page([
    changeEntry("a", { seq: 1, versionId: "a1" }),
    changeEntry("b", { seq: 2, kind: "conflict", conflictId: "c1", committedAt: "T2" }),
    changeEntry("a", { seq: 3, versionId: "a2" }),
    changeEntry("b", { seq: 4, conflictId: "c1" }),
    changeEntry("z", { seq: 5, kind: "conflict", conflictId: null }),
  ], 5));
  assert.deepEqual(reading.latest.map((e) => e.versionId), ["a2", "v-b"]);
  assert.deepEqual(reading.conflicts, [
    { open: { conflictId: "c1", path: "b", openedAt: "T2" } },
    { close: "c1" },
  ]);
});

Deno.test("unappliedError() names up to three paths and none when all were applied", () => {
  assert.equal(unappliedError([]), undefined);
  assert.equal(
    unappliedError(["a"])?.message,
    'Cannot apply 1 remote change now: "a" (the run is retried)',
  );
  assert.equal(
    unappliedError(["a", "b", "c", "d"])?.message,
    'Cannot apply 4 remote changes now: "a", "b", "c", ... (the run is retried)',
  );
});

Deno.test("pullChanges() applies every page, notes conflicts and moves the cursor", async () => {
  const asked: number[] = [];
  const pages = new Map([
    [
      0,
      page(
        [liveEntry("a.txt", "A"), changeEntry("a.txt", { kind: "conflict", conflictId: "c1" })],
        7,
        true,
      ),
    ],
    [7, page([liveEntry("b.txt", "B")], 9)],
  ]);
  const api = {
    changes: (query: { cursor: number }) => {
      asked.push(query.cursor);
      return Promise.resolve(pages.get(query.cursor)!);
    },
  };
  await withEngine(api, async (f) => {
    const result = startOutcome(f.state);
    await pullChanges(f.ctx, { rules: await IgnoreRules.load(f.fs), result });
    assert.deepEqual(asked, [0, 7]);
    assert.equal(f.state.cursor, 9);
    assert.equal(await Deno.readTextFile(join(f.dir, "b.txt")), "B");
    assert.deepEqual(f.state.conflicts().map((c) => c.conflictId), ["c1"]);
    assert.equal(result.downloaded, 2);
  });
});

Deno.test("pullChanges() uses a prefetched first page and keeps the cursor before a failed one", async () => {
  const api = { changes: () => Promise.reject(new Error("not asked")) };
  await withEngine(api, async (f) => {
    f.state.setMeta("cursor", "3");
    const result = startOutcome(f.state);
    const first = page([liveEntry("a.txt", "A", { url: undefined })], 8);
    await assert.rejects(
      pullChanges(f.ctx, {
        rules: await IgnoreRules.load(f.fs),
        result,
        changes: { from: 3, page: first },
      }),
      /Cannot apply 1 remote change now: "a.txt"/,
    );
    assert.equal(f.state.cursor, 3);
  });
});

Deno.test("undelete() brings back live files and forgets those deleted in the workspace", async () => {
  const api = {
    fullManifest: () => Promise.resolve({ cursor: 5, files: [liveEntry("a.txt", "A")] }),
  };
  await withEngine(api, async (f) => {
    f.state.put({
      path: "gone.txt",
      vector: {},
      versionId: null,
      sha256: "",
      size: 0,
      mtimeMs: 0,
      ino: null,
      mode: 0o644,
    });
    const result = startOutcome(f.state);
    await undelete(f.ctx, ["a.txt", "gone.txt"], { rules: await IgnoreRules.load(f.fs), result });
    assert.equal(await Deno.readTextFile(join(f.dir, "a.txt")), "A");
    assert.equal(f.state.get("gone.txt"), undefined);
    assert.equal(result.rejectedDeletes, 1);
  });
});
