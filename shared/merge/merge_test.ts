import assert from "node:assert/strict";
import { threeWayMerge } from "./merge.ts";

const BASE = "one\ntwo\nthree\nfour\nfive\n";

interface CleanCase {
  name: string;
  base: string;
  current: string;
  incoming: string;
  text: string;
}

const CLEAN: CleanCase[] = [
  { name: "nothing changed", base: BASE, current: BASE, incoming: BASE, text: BASE },
  {
    name: "only incoming changed",
    base: BASE,
    current: BASE,
    incoming: "ONE\n",
    text: "ONE\n",
  },
  { name: "only current changed", base: BASE, current: "x", incoming: BASE, text: "x" },
  {
    name: "both made the same edit",
    base: BASE,
    current: BASE.replace("three", "3"),
    incoming: BASE.replace("three", "3"),
    text: BASE.replace("three", "3"),
  },
  {
    name: "edits separated by an unchanged line",
    base: BASE,
    current: BASE.replace("two", "2"),
    incoming: BASE.replace("four", "4"),
    text: "one\n2\nthree\n4\nfive\n",
  },
  {
    name: "first and last lines",
    base: BASE,
    current: BASE.replace("one", "1"),
    incoming: BASE.replace("five", "5"),
    text: "1\ntwo\nthree\nfour\n5\n",
  },
  {
    name: "one side inserts, the other deletes elsewhere",
    base: BASE,
    current: "zero\n" + BASE,
    incoming: BASE.replace("four\n", ""),
    text: "zero\none\ntwo\nthree\nfive\n",
  },
  {
    name: "both sides make the same edit among different ones",
    base: BASE,
    current: "1\ntwo\nTHREE\nfour\nfive\n",
    incoming: "one\ntwo\nTHREE\nfour\n5\n",
    text: "1\ntwo\nTHREE\nfour\n5\n",
  },
  {
    name: "CRLF file with distinct edits stays CRLF",
    base: "a\r\nb\r\nc\r\nd\r\ne\r\n",
    current: "A\r\nb\r\nc\r\nd\r\ne\r\n",
    incoming: "a\r\nb\r\nc\r\nd\r\nE\r\n",
    text: "A\r\nb\r\nc\r\nd\r\nE\r\n",
  },
  {
    name: "missing final newline is preserved",
    base: "a\nb\nc\nd",
    current: "A\nb\nc\nd",
    incoming: "a\nb\nc\nD",
    text: "A\nb\nc\nD",
  },
  {
    name: "one side removes the final newline, the other edits the top",
    base: "a\nb\nc\nd\n",
    current: "A\nb\nc\nd\n",
    incoming: "a\nb\nc\nd",
    text: "A\nb\nc\nd",
  },
  {
    name: "empty base, same content added",
    base: "",
    current: "x\n",
    incoming: "x\n",
    text: "x\n",
  },
];

for (const c of CLEAN) {
  Deno.test(`threeWayMerge() merges cleanly: ${c.name}`, () => {
    assert.deepEqual(threeWayMerge(c.base, c.current, c.incoming), { clean: true, text: c.text });
  });
}

interface ConflictCase {
  name: string;
  base: string;
  current: string;
  incoming: string;
  conflicts: number;
}

const CONFLICTS: ConflictCase[] = [
  {
    name: "both edit the same line",
    base: BASE,
    current: BASE.replace("three", "3"),
    incoming: BASE.replace("three", "III"),
    conflicts: 1,
  },
  {
    name: "edits to adjacent lines",
    base: BASE,
    current: BASE.replace("two", "2"),
    incoming: BASE.replace("three", "3"),
    conflicts: 1,
  },
  {
    name: "both append different lines at the end",
    base: BASE,
    current: BASE + "six\n",
    incoming: BASE + "VI\n",
    conflicts: 1,
  },
  {
    name: "one deletes a block the other edits",
    base: BASE,
    current: "one\nfive\n",
    incoming: BASE.replace("three", "3"),
    conflicts: 1,
  },
  {
    name: "two separate overlapping regions",
    base: BASE,
    current: "1\ntwo\nthree\nfour\n5\n",
    incoming: "I\ntwo\nthree\nfour\nV\n",
    conflicts: 2,
  },
  {
    name: "both add different content to an empty base",
    base: "",
    current: "a\n",
    incoming: "b\n",
    conflicts: 1,
  },
];

for (const c of CONFLICTS) {
  Deno.test(`threeWayMerge() reports a conflict: ${c.name}`, () => {
    const result = threeWayMerge(c.base, c.current, c.incoming);
    assert.equal(result.clean, false);
    if (result.clean) return;
    assert.equal(result.conflicts.length, c.conflicts);
    assert.equal(result.text.split("<<<<<<< current\n").length - 1, c.conflicts);
  });
}

Deno.test("threeWayMerge() writes diff3-style markers and conflict details", () => {
  const result = threeWayMerge(BASE, BASE.replace("three", "3"), BASE.replace("three", "III"));
  assert.deepEqual(result, {
    clean: false,
    text: "one\ntwo\n<<<<<<< current\n3\n||||||| base\nthree\n=======\nIII\n>>>>>>> incoming\n" +
      "four\nfive\n",
    conflicts: [{
      currentStart: 2,
      currentLines: ["3"],
      baseStart: 2,
      baseLines: ["three"],
      incomingStart: 2,
      incomingLines: ["III"],
    }],
  });
});

Deno.test("threeWayMerge() reports a deleted block as empty current lines", () => {
  const result = threeWayMerge(BASE, "one\nfive\n", BASE.replace("three", "3"));
  assert.ok(!result.clean);
  assert.deepEqual(result.conflicts[0]?.currentLines, []);
  assert.deepEqual(result.conflicts[0]?.baseLines, ["two", "three", "four"]);
  assert.deepEqual(result.conflicts[0]?.incomingLines, ["two", "3", "four"]);
});

Deno.test("threeWayMerge() writes CRLF markers for a CRLF file", () => {
  const base = "a\r\nb\r\nc\r\n";
  const result = threeWayMerge(base, "a\r\nB\r\nc\r\n", "a\r\nβ\r\nc\r\n");
  assert.ok(!result.clean);
  assert.equal(
    result.text,
    "a\r\n<<<<<<< current\r\nB\r\n||||||| base\r\nb\r\n=======\r\nβ\r\n>>>>>>> incoming\r\nc\r\n",
  );
  assert.deepEqual(result.conflicts[0]?.currentLines, ["B"]);
});

Deno.test("threeWayMerge() puts markers on their own line without a final newline", () => {
  const result = threeWayMerge("a\nb", "a\nB", "a\nβ");
  assert.ok(!result.clean);
  assert.equal(
    result.text,
    "a\n<<<<<<< current\nB\n||||||| base\nb\n=======\nβ\n>>>>>>> incoming\n",
  );
});

Deno.test("threeWayMerge() uses custom marker labels", () => {
  const result = threeWayMerge("a\n", "b\n", "c\n", {
    labels: { current: "sandbox", base: "v1", incoming: "phone" },
  });
  assert.match(result.text, /^<<<<<<< sandbox\n[^]*\|\|\|\|\|\|\| v1\n[^]*>>>>>>> phone\n$/);
});

Deno.test("threeWayMerge() merges a large file with many repeated lines quickly", () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => (i % 5 === 0 ? "}\n" : `line ${i}\n`));
  const base = lines.join("");
  const current = ["top\n", ...lines.slice(1, 10_000), "middle\n", ...lines.slice(10_000)].join("");
  const incoming = [...lines.slice(0, -1), "bottom\n"].join("");
  const started = performance.now();
  const result = threeWayMerge(base, current, incoming);
  const elapsed = performance.now() - started;
  assert.ok(result.clean);
  assert.ok(result.text.startsWith("top\n") && result.text.endsWith("bottom\n"));
  assert.ok(result.text.includes("middle\n"));
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
});

Deno.test("threeWayMerge() reports one conflict when diffing exceeds its time budget", () => {
  const base = Array.from({ length: 4000 }, (_, i) => `o${i}\n`).join("");
  const current = Array.from({ length: 4000 }, (_, i) => `a${i}\n`).join("");
  const incoming = base.replace("o2000\n", "b\n");
  const result = threeWayMerge(base, current, incoming, { timeoutMs: 1 });
  assert.ok(!result.clean);
  assert.equal(result.conflicts.length, 1);
  assert.equal(result.conflicts[0]?.currentLines.length, 4000);
});

Deno.test("threeWayMerge() handles 300,000-line files without overflowing the stack", () => {
  const lines = Array.from({ length: 300_000 }, (_, i) => `l${i}\n`);
  const base = lines.join("");
  const current = ["A\n", ...lines.slice(1)].join("");
  const incoming = [...lines.slice(0, -1), "B\n"].join("");
  const result = threeWayMerge(base, current, incoming);
  assert.ok(result.clean);
  assert.equal(result.text, ["A\n", ...lines.slice(1, -1), "B\n"].join(""));
  const conflicted = threeWayMerge(base, current, "X\n" + lines.slice(1).join(""));
  assert.ok(!conflicted.clean);
  assert.equal(conflicted.conflicts.length, 1);
});
