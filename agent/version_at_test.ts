import assert from "node:assert/strict";
import type { FileVersion } from "../client/files_api.ts";
import { parseRestorePoint, versionAt } from "./version_at.ts";

function version(id: string, committedAt: string, outcome = "applied", deleted = false) {
  return {
    versionId: id,
    path: "a.txt",
    sha256: deleted ? null : id.repeat(64).slice(0, 64),
    size: deleted ? 0 : 1,
    mode: 0o644,
    mtime: null,
    deleted,
    vector: {},
    replicaId: null,
    authorKind: "user",
    committedBy: null,
    agentTokenId: null,
    committedAt,
    outcome,
    linesAdded: null,
    linesRemoved: null,
  } satisfies FileVersion;
}

// Newest first, as history lists them.
const history = [
  version("5", "2026-01-05T00:00:00Z", "applied", true),
  version("4", "2026-01-04T00:00:00Z", "conflict"),
  version("3", "2026-01-03T00:00:00Z", "resolution"),
  version("2", "2026-01-02T00:00:00Z", "superseded", true),
  version("1", "2026-01-01T00:00:00Z"),
];

Deno.test("versionAt() picks the newest version that became current at or before the time", () => {
  const at = (iso: string) => versionAt(history, parseRestorePoint(iso)!)?.versionId;
  assert.equal(at("2025-12-31T23:59:59Z"), undefined, "before the first version");
  assert.equal(at("2026-01-01T00:00:00Z"), "1", "at the very commit time");
  assert.equal(at("2026-01-02T12:00:00Z"), "1", "a lost delete never became current");
  assert.equal(at("2026-01-04T12:00:00Z"), "3", "an open conflict's side never became current");
  assert.equal(at("2026-01-06"), "5", "a tombstone is what was current after the delete");
});

Deno.test("versionAt() with a version id finds exactly that version", () => {
  assert.equal(versionAt(history, { versionId: "4" })?.versionId, "4");
  assert.equal(versionAt(history, { versionId: "9" }), undefined);
});

Deno.test("parseRestorePoint() takes uuids and ISO times, refuses anything else", () => {
  const id = "8C1A7E4B-2D3F-4A5B-9C6D-7E8F9A0B1C2D";
  assert.deepEqual(parseRestorePoint(id), { versionId: id.toLowerCase() });
  assert.deepEqual(parseRestorePoint("2026-01-02T03:04:05.678Z"), {
    time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  });
  assert.equal(parseRestorePoint("yesterday"), undefined);
  assert.equal(parseRestorePoint("12345"), undefined);
  assert.equal(parseRestorePoint("2026-13-45"), undefined);
});
