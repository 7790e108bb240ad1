import assert from "node:assert/strict";
import {
  countLines,
  decodeText,
  detectLineEnding,
  encodeText,
  isProbablyText,
  splitLines,
  stripLineEnding,
} from "./text.ts";

Deno.test("isProbablyText() accepts UTF-8 text and empty content", () => {
  assert.ok(isProbablyText(new Uint8Array()));
  assert.ok(isProbablyText(encodeText("hello\nwörld ✓ 🙂\n")));
  assert.ok(isProbablyText(encodeText("\uFEFFwith a BOM")));
});

Deno.test("isProbablyText() refuses NUL bytes in the first 8 KiB", () => {
  assert.ok(!isProbablyText(new Uint8Array([0x61, 0x00, 0x62])));
  const late = new Uint8Array(9000).fill(0x61);
  late[8191] = 0;
  assert.ok(!isProbablyText(late));
  // A NUL after 8 KiB is valid UTF-8 and passes, as with git.
  late[8191] = 0x61;
  late[8500] = 0;
  assert.ok(isProbablyText(late));
});

Deno.test("isProbablyText() refuses invalid UTF-8", () => {
  assert.ok(!isProbablyText(new Uint8Array([0xff, 0xfe, 0x41])));
  assert.ok(!isProbablyText(new Uint8Array([0x61, 0xc3])));
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(!isProbablyText(png));
});

Deno.test("decodeText() round-trips bytes, BOM included", () => {
  const bytes = encodeText("\uFEFFa\r\nb");
  const text = decodeText(bytes);
  assert.equal(text, "\uFEFFa\r\nb");
  assert.deepEqual(encodeText(text ?? ""), bytes);
  assert.equal(decodeText(new Uint8Array([0])), null);
});

Deno.test("splitLines() keeps terminators and joins back to the input", () => {
  const cases: [string, string[]][] = [
    ["", []],
    ["a", ["a"]],
    ["a\n", ["a\n"]],
    ["a\r\nb\nc", ["a\r\n", "b\n", "c"]],
    ["\n\n", ["\n", "\n"]],
    ["x\ry\n", ["x\ry\n"]],
  ];
  for (const [text, lines] of cases) {
    assert.deepEqual(splitLines(text), lines, JSON.stringify(text));
    assert.equal(splitLines(text).join(""), text);
  }
});

Deno.test("countLines() counts a final unterminated line", () => {
  const cases: [string, number][] = [["", 0], ["a", 1], ["a\n", 1], ["a\nb", 2], ["\n", 1], [
    "a\r\nb\r\n",
    2,
  ]];
  for (const [text, count] of cases) assert.equal(countLines(text), count, JSON.stringify(text));
});

Deno.test("detectLineEnding() picks the majority ending", () => {
  assert.equal(detectLineEnding("no newline"), "\n");
  assert.equal(detectLineEnding("a\r\nb\r\nc\n"), "\r\n");
  assert.equal(detectLineEnding("a\nb\nc\r\n"), "\n");
});

Deno.test("stripLineEnding() removes one terminator", () => {
  assert.equal(stripLineEnding("a\r\n"), "a");
  assert.equal(stripLineEnding("a\n"), "a");
  assert.equal(stripLineEnding("a"), "a");
  assert.equal(stripLineEnding("a\n\n"), "a\n");
});
