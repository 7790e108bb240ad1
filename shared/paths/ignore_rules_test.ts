import assert from "node:assert/strict";
import { IgnoreRules } from "./ignore_rules.ts";

const NEGATIONS = ["!.git/", "!.git", "!.git/**", "!.sandsync/", "!.sandsync-tmp-*", "!/.config/"];

Deno.test("IgnoreRules: no ignore file can negate the protected set or local patterns", () => {
  const rules = new IgnoreRules(NEGATIONS, { local: ["/.config/"] });
  for (const path of [".git/config", ".git/hooks/pre-commit", "pkg/.git/config"]) {
    assert.equal(rules.ignoresPath(path), true, path);
  }
  assert.equal(rules.ignores(".git", true), true);
  assert.equal(rules.ignoresPath(".sandsync/state.db"), true);
  assert.equal(rules.ignoresPath("src/.sandsync-tmp-1234"), true);
  assert.equal(rules.ignoresPath(".config/login.json"), true);
  assert.equal(rules.ignoresPath("src/main.ts"), false);
});

Deno.test("IgnoreRules: syncGit lifts .git/ only, never .sandsync/", () => {
  const rules = new IgnoreRules([], { syncGit: true });
  assert.equal(rules.ignoresPath(".git/config"), false);
  assert.equal(rules.ignoresPath(".sandsync/state.db"), true);
  assert.equal(rules.ignoresPath("node_modules/x.js"), true);
});
