import assert from "node:assert/strict";
import { conflictCopyPath, isConflictCopyPath, parseConflictCopyPath } from "./conflict_copy.ts";

const AT = new Date("2026-11-25T07:05:09.987Z");
const R = "phone";

Deno.test("conflictCopyPath() names copies by the extension rules", () => {
  const cases: [string, string][] = [
    ["app.ts", "app.sync-conflict-20261125-070509-phone.ts"],
    ["src/app.ts", "src/app.sync-conflict-20261125-070509-phone.ts"],
    ["a/b/file.tar.gz", "a/b/file.tar.sync-conflict-20261125-070509-phone.gz"],
    [".env", ".env.sync-conflict-20261125-070509-phone"],
    ["cfg/.env.local", "cfg/.env.sync-conflict-20261125-070509-phone.local"],
    ["Makefile", "Makefile.sync-conflict-20261125-070509-phone"],
    ["odd.", "odd..sync-conflict-20261125-070509-phone"],
    ["v1.2/notes", "v1.2/notes.sync-conflict-20261125-070509-phone"],
    [`x.${"e".repeat(17)}`, `x.${"e".repeat(17)}.sync-conflict-20261125-070509-phone`],
  ];
  for (const [path, copy] of cases) {
    assert.equal(conflictCopyPath(path, { at: AT, replica: R }), copy);
  }
});

Deno.test("conflictCopyPath() formats the time in UTC", () => {
  const at = new Date("2026-01-02T23:59:59+02:00");
  assert.equal(
    conflictCopyPath("a.txt", { at, replica: "r" }),
    "a.sync-conflict-20260102-215959-r.txt",
  );
});

Deno.test("conflictCopyPath() makes the replica id safe for a file name", () => {
  const copy = conflictCopyPath("a.txt", { at: AT, replica: "agent/one.two three" });
  assert.equal(copy, "a.sync-conflict-20261125-070509-agent_one_two_three.txt");
  const long = conflictCopyPath("a", { at: AT, replica: "r".repeat(128) });
  assert.ok(long.endsWith(`-${"r".repeat(64)}`));
});

Deno.test("conflictCopyPath() keeps the name within 255 bytes", () => {
  const name = `${"é".repeat(126)}.md`; // 255 bytes
  const copy = conflictCopyPath(`dir/${name}`, { at: AT, replica: R });
  const segment = copy.slice(4);
  assert.ok(new TextEncoder().encode(segment).length <= 255);
  assert.ok(segment.endsWith(".sync-conflict-20261125-070509-phone.md"));
  assert.ok(segment.startsWith("éé"));
});

Deno.test("conflictCopyPath() refuses an invalid date or empty replica", () => {
  assert.throws(() => conflictCopyPath("a", { at: new Date("nope"), replica: R }), RangeError);
  assert.throws(() => conflictCopyPath("a", { at: AT, replica: "" }), RangeError);
});

Deno.test("isConflictCopyPath() recognises copies and only copies", () => {
  for (const path of ["a.ts", "b/c.tar.gz", ".env", "Makefile", "src/x.ts"]) {
    assert.ok(!isConflictCopyPath(path), path);
    assert.ok(isConflictCopyPath(conflictCopyPath(path, { at: AT, replica: R })), path);
  }
  assert.ok(!isConflictCopyPath("a.sync-conflict-2026-phone.ts"));
  assert.ok(!isConflictCopyPath("a.sync-conflict-20261125-070509-.ts"));
  assert.ok(!isConflictCopyPath("dir.sync-conflict-20261125-070509-r/file.ts"));
});

Deno.test("parseConflictCopyPath() recovers the original path, time and replica", () => {
  for (const path of ["a/b/file.tar.gz", ".env", "cfg/.env.local", "Makefile", "odd."]) {
    const info = parseConflictCopyPath(conflictCopyPath(path, { at: AT, replica: R }));
    assert.deepEqual(info, {
      originalPath: path,
      at: new Date("2026-11-25T07:05:09Z"),
      replica: R,
    });
  }
  assert.equal(parseConflictCopyPath("a.sync-conflict-20261399-070509-r.ts"), null);
  assert.equal(parseConflictCopyPath("plain.ts"), null);
});
