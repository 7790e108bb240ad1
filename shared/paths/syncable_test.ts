import assert from "node:assert/strict";
import { IgnoreRules } from "./ignore_rules.ts";
import { DEFAULT_FILE_MODE, type Syncability, syncable, syncedMode } from "./syncable.ts";
import type { FsEntry } from "../sandbox_fs.ts";

const rules = IgnoreRules.fromTexts(["*.log\nbuild/\n"]);

/** Entry (path, kind) → what the agent's scan and the bridge's listing both do with it. */
const CASES: [string, FsEntry["kind"], Syncability][] = [
  ["src/main.ts", "file", { action: "sync" }],
  ["src", "dir", { action: "walk" }],
  ["link", "symlink", { action: "skip", reason: "symlink" }],
  ["src/link-dir", "symlink", { action: "skip", reason: "symlink" }],
  ["fifo", "other", { action: "skip", reason: "not_a_file" }],
  ["cafe\u0301.txt", "file", { action: "skip", reason: "invalid_path", problem: "path_not_nfc" }],
  ["a\u0001b", "file", { action: "skip", reason: "invalid_path", problem: "path_control_char" }],
  ["bidi\u202etxt.exe", "file", {
    action: "skip",
    reason: "invalid_path",
    problem: "path_format_char",
  }],
  // Ignored entries are never reported, whatever their kind or name.
  ["x.log", "file", { action: "ignore" }],
  ["build", "dir", { action: "ignore" }],
  ["node_modules", "dir", { action: "ignore" }],
  ["pkg/node_modules/x.js", "file", { action: "ignore" }],
  [".git", "dir", { action: "ignore" }],
  [".sandsync", "dir", { action: "ignore" }],
  ["src/.sandsync-tmp-1234", "file", { action: "ignore" }],
  ["ignored-link.log", "symlink", { action: "ignore" }],
  ["cafe\u0301.log", "file", { action: "ignore" }],
];

Deno.test("syncable() sorts entries the same way for the agent and the bridge", () => {
  for (const [path, kind, expected] of CASES) {
    assert.deepEqual(syncable({ path, kind }, rules), expected, `${JSON.stringify(path)} ${kind}`);
  }
});

Deno.test("syncable() walks .git/ only when the workspace syncs it", () => {
  const withGit = new IgnoreRules([], { syncGit: true });
  assert.deepEqual(syncable({ path: ".git", kind: "dir" }, withGit), { action: "walk" });
  assert.deepEqual(syncable({ path: ".git/config", kind: "file" }, withGit), { action: "sync" });
});

Deno.test("syncedMode() keeps permission bits only, with a default when unknown", () => {
  assert.equal(syncedMode(0o100755), 0o755);
  assert.equal(syncedMode(0o4755), 0o755, "no setuid");
  assert.equal(syncedMode(null), DEFAULT_FILE_MODE);
  assert.equal(syncedMode(undefined), DEFAULT_FILE_MODE);
});
