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

Deno.test("IgnoreRules ignores the defaults in every directory", () => {
  const rules = new IgnoreRules();
  assert.equal(rules.ignores("node_modules", true), true);
  assert.equal(rules.ignores("pkg/node_modules/x.js"), true);
  assert.equal(rules.ignores(".git/config"), true);
  assert.equal(rules.ignores(".sandsync/instance.json"), true);
  assert.equal(rules.ignores("src/.sandsync-tmp-1234"), true);
  assert.equal(rules.ignores("src/main.ts"), false);
  assert.equal(rules.ignores("", true), false, "the root itself is never ignored");
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

Deno.test("IgnoreRules.read() reads regular ignore files up to the size limit", async () => {
  const files: Record<string, { kind: "file" | "dir" | "symlink"; text: string }> = {
    ".gitignore": { kind: "file", text: "*.log\r\n" },
    ".sandsyncignore": { kind: "symlink", text: "src/\n" },
  };
  const reader = {
    stat: (name: string) => {
      const file = files[name];
      return Promise.resolve(file && { kind: file.kind, size: file.text.length });
    },
    readText: (name: string) => Promise.resolve(files[name]!.text),
  };
  const rules = await IgnoreRules.read(reader, { local: ["/.config/"] });
  assert.equal(rules.ignores("a.log"), true);
  assert.equal(rules.ignores("src", true), false, "a symlinked ignore file is not read");
  assert.equal(rules.ignoresPath(".config/login.json"), true);
  const small = await IgnoreRules.read(reader, { maxFileBytes: 3 });
  assert.equal(small.ignores("a.log"), false, "an ignore file over the limit is skipped");
});
