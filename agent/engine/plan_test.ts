import assert from "node:assert/strict";
import type { ChangeEntry } from "../../client/types.ts";
import type { ScannedFile } from "../scanner.ts";
import type { PathState } from "../state_db.ts";
import { MIN_GUARDED_FILES } from "./options.ts";
import {
  adoptable,
  guardDeletions,
  holdConflicted,
  planDeletions,
  planEdits,
  planRestore,
} from "./plan.ts";

const H1 = "1".repeat(64);
const H2 = "2".repeat(64);

function file(path: string, fields: Partial<ScannedFile> = {}): ScannedFile {
  return { path, sha256: H1, size: 1, mtimeMs: 1000, ino: 1, mode: 0o644, ...fields };
}

function st(path: string, fields: Partial<PathState> = {}): PathState {
  return {
    path,
    vector: { r1: 1 },
    versionId: "v1",
    sha256: H1,
    size: 1,
    mtimeMs: 1000,
    ino: 1,
    mode: 0o644,
    ...fields,
  };
}

function byPath<T extends { path: string }>(...items: T[]): Map<string, T> {
  return new Map(items.map((item) => [item.path, item]));
}

const RESTORE_CASES = [
  {
    seen: { fresh: true, targeted: false, scannedFiles: 3, recordedFiles: 0 },
    restore: true,
    emptied: false,
  },
  {
    seen: { fresh: false, targeted: false, scannedFiles: 0, recordedFiles: 5 },
    restore: true,
    emptied: true,
  },
  {
    seen: { fresh: false, targeted: true, scannedFiles: 0, recordedFiles: 5 },
    restore: false,
    emptied: false,
  },
  {
    seen: { fresh: false, targeted: false, scannedFiles: 0, recordedFiles: 0 },
    restore: false,
    emptied: false,
  },
  {
    seen: { fresh: false, targeted: false, scannedFiles: 2, recordedFiles: 5 },
    restore: false,
    emptied: false,
  },
];

for (const { seen, restore, emptied } of RESTORE_CASES) {
  Deno.test(`planRestore() ${JSON.stringify(seen)} restores: ${restore}, emptied: ${emptied}`, () => {
    assert.deepEqual(planRestore(seen), { restore, emptied });
  });
}

Deno.test("planEdits() finds new and changed files and records touched ones", () => {
  const recorded = byPath(st("same"), st("touched"), st("edited"), st("chmod"));
  const { edits, touched } = planEdits([
    file("same"),
    file("touched", { mtimeMs: 2000.6 }),
    file("edited", { sha256: H2 }),
    file("chmod", { mode: 0o755 }),
    file("new"),
  ], recorded);
  assert.deepEqual(edits.map((e) => [e.file.path, e.base]), [
    ["edited", { r1: 1 }],
    ["chmod", { r1: 1 }],
    ["new", null],
  ]);
  assert.deepEqual(touched, [st("touched", { mtimeMs: 2001 })]);
});

Deno.test("planDeletions() deletes recorded files not found and forgets ignored ones", () => {
  const recorded = byPath(
    st("kept"),
    st("gone", { vector: { r2: 3 }, mode: 0o755 }),
    st("ignored"),
  );
  const plan = planDeletions(recorded, {
    scanned: byPath(file("kept")),
    ignores: (path) => path === "ignored",
    now: 42,
  });
  assert.deepEqual(plan.deletions, [
    { path: "gone", sha256: null, size: 0, mode: 0o755, mtime: 42, base: { r2: 3 } },
  ]);
  assert.deepEqual(plan.forgotten, ["ignored"]);
});

const GUARD_CASES: {
  name: string;
  deletions: number;
  synced: number;
  options?: { confirmDeletes?: boolean; rejectDeletes?: boolean };
  verdict: string;
}[] = [
  { name: "commits deletions up to maxDelete", deletions: 5, synced: 10, verdict: "commit" },
  { name: "holds deletions over maxDelete", deletions: 6, synced: 10, verdict: "hold" },
  {
    name: "commits confirmed deletions over maxDelete",
    deletions: 10,
    synced: 10,
    options: { confirmDeletes: true },
    verdict: "commit",
  },
  {
    name: "rejects deletions when told, even few",
    deletions: 1,
    synced: 100,
    options: { rejectDeletes: true },
    verdict: "reject",
  },
  {
    name: "does not guard fewer synced files than the minimum",
    deletions: MIN_GUARDED_FILES - 1,
    synced: MIN_GUARDED_FILES - 1,
    verdict: "commit",
  },
  { name: "commits no deletion", deletions: 0, synced: 100, verdict: "commit" },
];

for (const { name, deletions, synced, options, verdict } of GUARD_CASES) {
  Deno.test(`guardDeletions() ${name}`, () => {
    assert.equal(guardDeletions({ deletions, synced }, { maxDelete: 0.5, ...options }), verdict);
  });
}

Deno.test("holdConflicted() holds back changes on paths with an open conflict", () => {
  const { push, held } = holdConflicted(
    [{ path: "a" }, { path: "b" }, { path: "c" }],
    new Set(["b"]),
  );
  assert.deepEqual(push, [{ path: "a" }, { path: "c" }]);
  assert.deepEqual(held, [{ path: "b" }]);
});

Deno.test("adoptable() adopts scanned files identical to the workspace's", () => {
  const entry = (path: string, fields: Partial<ChangeEntry> = {}): ChangeEntry => ({
    seq: 1,
    kind: "file",
    path,
    versionId: `v-${path}`,
    conflictId: null,
    sha256: H1,
    size: 1,
    mode: 0o644,
    mtime: null,
    deleted: false,
    vector: { srv: 1 },
    replicaId: null,
    committedAt: "2026-01-01T00:00:00Z",
    ...fields,
  });
  const adopted = adoptable(
    [
      entry("same"),
      entry("other", { sha256: H2 }),
      entry("mode", { mode: 0o755 }),
      entry("absent"),
    ],
    byPath(file("same"), file("other"), file("mode")),
  );
  assert.deepEqual(adopted, [st("same", { vector: { srv: 1 }, versionId: "v-same" })]);
});
