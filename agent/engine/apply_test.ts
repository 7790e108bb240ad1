import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256Hex } from "../../shared/hash.ts";
import { IgnoreRules } from "../../shared/paths/ignore_rules.ts";
import type { FsEntry } from "../../shared/sandbox_fs.ts";
import { alreadyApplied, applyRemote, judgeLocal } from "./apply.ts";
import { stateOf } from "./file_state.ts";
import { startOutcome } from "./sync_outcome.ts";
import { changeEntry, type EngineFixture, liveEntry, withEngine } from "./test_context.ts";

const SEEN_CASES: {
  name: string;
  vector: Record<string, number>;
  restore: boolean;
  missing: boolean;
  seen: boolean;
}[] = [
  {
    name: "a version before the recorded one",
    vector: { srv: 1 },
    restore: false,
    missing: false,
    seen: true,
  },
  {
    name: "the recorded version (own echo)",
    vector: { srv: 2 },
    restore: false,
    missing: false,
    seen: true,
  },
  { name: "a later version", vector: { srv: 3 }, restore: false, missing: false, seen: false },
  { name: "a concurrent version", vector: { r9: 1 }, restore: false, missing: false, seen: false },
  {
    name: "the recorded version, restoring a missing file",
    vector: { srv: 2 },
    restore: true,
    missing: true,
    seen: false,
  },
  {
    name: "the recorded version, restoring a file still there",
    vector: { srv: 2 },
    restore: true,
    missing: false,
    seen: true,
  },
];

for (const { name, vector, restore, missing, seen } of SEEN_CASES) {
  Deno.test(`alreadyApplied() ${name}: ${seen}`, () => {
    assert.equal(
      alreadyApplied({ vector, deleted: false }, { vector: { srv: 2 } }, { restore, missing }),
      seen,
    );
  });
}

Deno.test("alreadyApplied() a restore does not bring back a deletion already seen", () => {
  assert.equal(
    alreadyApplied({ vector: { srv: 2 }, deleted: true }, { vector: { srv: 2 } }, {
      restore: true,
      missing: true,
    }),
    true,
  );
  assert.equal(
    alreadyApplied({ vector: { srv: 1 }, deleted: false }, undefined, {
      restore: false,
      missing: false,
    }),
    false,
  );
});

const LOOK: FsEntry = { path: "a", kind: "file", size: 1, mtimeMs: 1000, ino: 1, mode: 0o644 };
const OLD = "o".repeat(64);
const NEW = "n".repeat(64);
const MINE = "m".repeat(64);
const LOCAL_CASES: {
  name: string;
  entry: { sha256: string | null; deleted: boolean };
  sha256: string;
  after?: FsEntry | null;
  recorded?: { sha256: string; mode: number };
  verdict: string;
}[] = [
  {
    name: "holds the remote bytes already: adopt",
    entry: { sha256: NEW, deleted: false },
    sha256: NEW,
    verdict: "adopt",
  },
  {
    name: "holds the recorded bytes, another stat: touched",
    entry: { sha256: NEW, deleted: false },
    sha256: OLD,
    verdict: "touched",
  },
  {
    name: "holds other bytes: keep (a local edit)",
    entry: { sha256: NEW, deleted: false },
    sha256: MINE,
    verdict: "keep",
  },
  {
    name: "changed while hashed: keep",
    entry: { sha256: NEW, deleted: false },
    sha256: OLD,
    after: { ...LOOK, size: 2 },
    verdict: "keep",
  },
  {
    name: "gone while hashed: keep",
    entry: { sha256: NEW, deleted: false },
    sha256: OLD,
    after: null,
    verdict: "keep",
  },
  {
    name: "recorded bytes, another mode: keep",
    entry: { sha256: NEW, deleted: false },
    sha256: OLD,
    after: { ...LOOK, mode: 0o755 },
    verdict: "keep",
  },
  {
    name: "not recorded: keep",
    entry: { sha256: NEW, deleted: false },
    sha256: OLD,
    recorded: undefined,
    verdict: "keep",
  },
  {
    name: "a deletion over the recorded bytes: touched",
    entry: { sha256: null, deleted: true },
    sha256: OLD,
    verdict: "touched",
  },
];

for (const { name, entry, sha256, after, verdict, ...rest } of LOCAL_CASES) {
  Deno.test(`judgeLocal() a local file that ${name}`, () => {
    const recorded = "recorded" in rest ? rest.recorded : { sha256: OLD, mode: 0o644 };
    const look = { sha256, before: LOOK, after: after === undefined ? LOOK : after };
    assert.equal(judgeLocal(entry, recorded, look), verdict);
  });
}

async function record(f: EngineFixture, path: string, text: string, vector = { srv: 1 }) {
  await Deno.mkdir(join(f.dir, path, ".."), { recursive: true });
  await Deno.writeTextFile(join(f.dir, path), text);
  const info = (await f.fs.stat(path))!;
  f.state.put(stateOf({ ...info, sha256: sha256Hex(text) }, { vector, versionId: "v0" }));
}

async function apply(f: EngineFixture, entry: ReturnType<typeof changeEntry>, restore = false) {
  const result = startOutcome(f.state);
  const failed: string[] = [];
  const rules = await IgnoreRules.load(f.fs, ["*.log"]);
  await applyRemote(f.ctx, entry, { rules, result, restore, failed });
  return { result, failed };
}

Deno.test("applyRemote() writes a new file and records it under the entry's version", async () => {
  await withEngine({}, async (f) => {
    const { result } = await apply(f, liveEntry("dir/new.txt", "hello", { vector: { srv: 4 } }));
    assert.equal(await Deno.readTextFile(join(f.dir, "dir/new.txt")), "hello");
    assert.deepEqual(f.state.get("dir/new.txt")?.vector, { srv: 4 });
    assert.deepEqual([result.downloaded, result.bytes], [1, 5]);
    assert.deepEqual(f.state.pendingApplies(), []);
  });
});

Deno.test("applyRemote() replaces a file that looks as recorded", async () => {
  await withEngine({}, async (f) => {
    await record(f, "a.txt", "old");
    await apply(f, liveEntry("a.txt", "new", { vector: { srv: 2 } }));
    assert.equal(await Deno.readTextFile(join(f.dir, "a.txt")), "new");
    assert.deepEqual(f.state.get("a.txt")?.vector, { srv: 2 });
  });
});

Deno.test("applyRemote() leaves a local edit for the next push", async () => {
  await withEngine({}, async (f) => {
    await record(f, "a.txt", "old");
    await Deno.writeTextFile(join(f.dir, "a.txt"), "mine!");
    const { result } = await apply(f, liveEntry("a.txt", "new", { vector: { srv: 2 } }));
    assert.equal(await Deno.readTextFile(join(f.dir, "a.txt")), "mine!");
    assert.deepEqual(f.state.get("a.txt")?.vector, { srv: 1 });
    assert.equal(result.skipped, 1);
  });
});

Deno.test("applyRemote() skips a version already applied", async () => {
  await withEngine({}, async (f) => {
    await record(f, "a.txt", "old", { srv: 2 });
    const { result } = await apply(f, liveEntry("a.txt", "new", { vector: { srv: 2 } }));
    assert.equal(await Deno.readTextFile(join(f.dir, "a.txt")), "old");
    assert.equal(result.downloaded + result.skipped, 0);
  });
});

Deno.test("applyRemote() deletes a recorded file and its emptied parents", async () => {
  await withEngine({}, async (f) => {
    await record(f, "d/e/a.txt", "old");
    const { result } = await apply(
      f,
      changeEntry("d/e/a.txt", { deleted: true, vector: { srv: 2 } }),
    );
    assert.equal(await f.fs.stat("d"), null);
    assert.equal(f.state.get("d/e/a.txt"), undefined);
    assert.equal(result.deleted, 1);
  });
});

Deno.test("applyRemote() skips an ignored path", async () => {
  await withEngine({}, async (f) => {
    const { result } = await apply(f, liveEntry("debug.log", "x"));
    assert.equal(await f.fs.stat("debug.log"), null);
    assert.equal(result.skipped, 1);
  });
});

Deno.test("applyRemote() reports bytes it cannot fetch as failed (retried), leaving no temp", async () => {
  await withEngine({}, async (f) => {
    const { result, failed } = await apply(f, liveEntry("a.txt", "x", { url: undefined }));
    assert.deepEqual(failed, ["a.txt"]);
    assert.equal(result.skipped, 1);
    assert.deepEqual(await f.fs.list(""), []);
    assert.match(f.logs[0]!, /^cannot apply "a\.txt" now: no download URL/);
  });
});
