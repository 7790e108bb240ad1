import assert from "node:assert/strict";
import { IgnoreRules } from "./bridge_ignore.ts";

Deno.test("IgnoreRules ignores the defaults in every directory", () => {
  const rules = new IgnoreRules();
  assert.equal(rules.ignores("node_modules", true), true);
  assert.equal(rules.ignores("pkg/node_modules/x.js"), true);
  assert.equal(rules.ignores(".git/config"), true);
  assert.equal(rules.ignores(".sandsync/instance.json"), true);
  assert.equal(rules.ignores("src/.sandsync-tmp-1234"), true);
  assert.equal(rules.ignores("src/main.ts"), false);
});

Deno.test("IgnoreRules.fromTexts() adds .gitignore patterns, negations included", () => {
  const rules = IgnoreRules.fromTexts(["# build output\ndist/\n*.log\n!keep.log\n"]);
  assert.equal(rules.ignores("dist", true), true);
  assert.equal(rules.ignores("dist/app.js"), true);
  assert.equal(rules.ignores("logs/a.log"), true);
  assert.equal(rules.ignores("keep.log"), false);
  assert.equal(rules.ignores("src/dist.ts"), false);
});

Deno.test("IgnoreRules: negations in ignore files do not reach the protected set", () => {
  const rules = IgnoreRules.fromTexts(["!.git/\n!.sandsync/\n!.sandsync-tmp-*\n"]);
  assert.equal(rules.ignores(".git", true), true);
  assert.equal(rules.ignoresPath(".git/hooks/pre-commit"), true);
  assert.equal(rules.ignoresPath(".sandsync/instance.json"), true);
  assert.equal(rules.ignores("src/.sandsync-tmp-1234"), true);
  assert.equal(IgnoreRules.fromTexts([], { syncGit: true }).ignoresPath(".git/config"), false);
});
