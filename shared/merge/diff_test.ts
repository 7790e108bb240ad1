import assert from "node:assert/strict";
import { diffStats, unifiedDiff } from "./diff.ts";

Deno.test("unifiedDiff() writes git-style a/ and b/ headers", () => {
  assert.equal(
    unifiedDiff("src/a.ts", "a\nb\n", "a\nc\n"),
    "--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n",
  );
});

Deno.test("unifiedDiff() returns an empty string for equal texts", () => {
  assert.equal(unifiedDiff("x", "same\n", "same\n"), "");
  assert.equal(unifiedDiff("x", "", ""), "");
});

Deno.test("unifiedDiff() honours the context option", () => {
  const old = ["1", "2", "3", "4", "5", "6", "7"].join("\n") + "\n";
  const changed = old.replace("4\n", "four\n");
  const narrow = unifiedDiff("n.txt", old, changed, { context: 1 });
  assert.match(narrow, /^@@ -3,3 \+3,3 @@$/m);
  assert.doesNotMatch(narrow, /^ 2$/m);
  const wide = unifiedDiff("n.txt", old, changed);
  assert.match(wide, /^@@ -1,7 \+1,7 @@$/m);
  assert.throws(() => unifiedDiff("n.txt", old, changed, { context: -1 }), RangeError);
});

Deno.test("unifiedDiff() marks a missing final newline", () => {
  const patch = unifiedDiff("f", "a\nb", "a\nb\n");
  assert.match(patch, /^\\ No newline at end of file$/m);
});

Deno.test("unifiedDiff() keeps CRLF line endings", () => {
  const patch = unifiedDiff("w.txt", "a\r\nb\r\n", "a\r\nc\r\n");
  assert.ok(patch.includes("-b\r\n+c\r\n"));
});

Deno.test("unifiedDiff() shows a created and a deleted file against empty text", () => {
  assert.equal(unifiedDiff("n", "", "x\n"), "--- a/n\n+++ b/n\n@@ -0,0 +1,1 @@\n+x\n");
  assert.equal(unifiedDiff("n", "x\n", ""), "--- a/n\n+++ b/n\n@@ -1,1 +0,0 @@\n-x\n");
});

Deno.test("diffStats() counts added and removed lines", () => {
  const cases: [string, string, number, number][] = [
    ["", "", 0, 0],
    ["a\n", "a\n", 0, 0],
    ["", "a\nb\n", 2, 0],
    ["a\nb\n", "", 0, 2],
    ["a\nb\nc\n", "a\nB\nc\nd\n", 2, 1],
    ["a\nb", "a\nb\n", 1, 1],
    ["a\r\nb\r\n", "a\r\nc\r\n", 1, 1],
  ];
  for (const [oldText, newText, added, removed] of cases) {
    assert.deepEqual(diffStats(oldText, newText), { added, removed }, JSON.stringify(newText));
  }
});

Deno.test("diffStats() agrees with the +/- lines of unifiedDiff()", () => {
  const old = "one\ntwo\nthree\nfour\nfive\n";
  const next = "one\n2\nthree\nfive\nsix\nseven\n";
  const lines = unifiedDiff("f", old, next).split("\n").slice(2);
  const added = lines.filter((l) => l.startsWith("+")).length;
  const removed = lines.filter((l) => l.startsWith("-")).length;
  assert.deepEqual(diffStats(old, next), { added, removed });
});

Deno.test("unifiedDiff() and diffStats() give up with null past their time budget", () => {
  const old = Array.from({ length: 5000 }, (_, i) => `old ${i}\n`).join("");
  const next = Array.from({ length: 5000 }, (_, i) => `new ${i}\n`).join("");
  assert.equal(unifiedDiff("big.txt", old, next, { timeoutMs: 1 }), null);
  assert.equal(diffStats(old, next, { timeoutMs: 1 }), null);
  assert.equal(
    unifiedDiff("f", "a\n", "b\n", { timeoutMs: 1000 }),
    "--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-a\n+b\n",
  );
  assert.deepEqual(diffStats("a\n", "b\n", { timeoutMs: 1000 }), { added: 1, removed: 1 });
});
