/**
 * Keeps every function and method of the sync engine (agent/sync_engine.ts, agent/engine/) at
 * most {@linkcode MAX_LINES} lines long, so each phase stays readable and testable on its own.
 * Nested functions are measured too. The measure relies on `deno fmt`'s layout: a declaration starts a line, and its body ends at
 * the first later line that is a lone `}` at the same indentation.
 *
 * @module
 */
import assert from "node:assert/strict";

const MAX_LINES = 60;
const ENGINE = new URL("./", import.meta.url);
const ENTRY = new URL("../sync_engine.ts", import.meta.url);

const FUNCTION = /^(\s*)(?:export\s+)?(?:async\s+)?function\*?\s+(\w+)/;
const MEMBER =
  /^(\s+)(?:(?:static|private|public|protected|override)\s+)*(?:async\s+)?(?:get\s+|set\s+)?(#?\w+)\s*(?:<[^>]*>)?\(/;
const ARROW = /^(\s*)(?:export\s+)?const\s+(\w+)\s*=\s*(?:async\s*)?\(/;
const CLASS = /^(\s*)(?:export\s+)?(?:abstract\s+)?class\s+\w+/;

/** One function or method: its name, first line (1-based) and length in lines. */
interface Measured {
  readonly name: string;
  readonly line: number;
  readonly lines: number;
}

/** The functions and methods of a formatted TypeScript source, with their lengths. */
function measure(source: string): Measured[] {
  const lines = source.split("\n");
  const out: Measured[] = [];
  const classes: { indent: string; end: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const cls = CLASS.exec(line);
    if (cls) classes.push({ indent: cls[1]!, end: closing(lines, i, cls[1]!) });
    const inClass = classes.find((c) => i <= c.end && line.startsWith(`${c.indent}  `));
    const member = inClass && !line.startsWith(`${inClass.indent}   `) ? MEMBER.exec(line) : null;
    const match = FUNCTION.exec(line) ?? ARROW.exec(line) ?? member;
    if (!match || /;\s*$/.test(line)) continue;
    const end = closing(lines, i, match[1]!);
    if (end < 0) continue;
    out.push({ name: match[2]!, line: i + 1, lines: end - i + 1 });
  }
  return out;
}

/** The index of the line closing a block opened at `start` with indentation `indent`. */
function closing(lines: readonly string[], start: number, indent: string): number {
  for (let j = start + 1; j < lines.length; j++) {
    const line = lines[j]!;
    if (line === `${indent}}` || line.startsWith(`${indent}};`)) return j;
    if (line.trim() !== "" && !line.startsWith(`${indent} `) && !line.startsWith(`${indent})`)) {
      if (line.startsWith(indent) && /^\s*[)}\]]/.test(line.slice(indent.length))) continue;
      return -1;
    }
  }
  return -1;
}

async function engineFiles(): Promise<URL[]> {
  const files = [ENTRY];
  for await (const entry of Deno.readDir(ENGINE)) {
    if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
      files.push(new URL(entry.name, ENGINE));
    }
  }
  return files;
}

Deno.test("measure() finds functions, methods and arrow constants with their lengths", () => {
  const source = [
    "export async function a(",
    "  x: number,",
    "): Promise<void> {",
    "  if (x) {",
    "  }",
    "}",
    "class C {",
    "  readonly #o: number;",
    "  get #log() {",
    "    return 1;",
    "  }",
    "  async run(options: O = {}): Promise<void> {",
    "    const f = () => {",
    "    };",
    "  }",
    "}",
    "const b = (y: number) => {",
    "  return y;",
    "};",
    "",
  ].join("\n");
  assert.deepEqual(measure(source).map(({ name, lines }) => [name, lines]), [
    ["a", 6],
    ["#log", 3],
    ["run", 4],
    ["f", 2],
    ["b", 3],
  ]);
});

Deno.test(`no function of the sync engine is longer than ${MAX_LINES} lines`, async () => {
  const long: string[] = [];
  let seen = 0;
  for (const file of await engineFiles()) {
    for (const fn of measure(await Deno.readTextFile(file))) {
      seen++;
      if (fn.lines > MAX_LINES) {
        long.push(`${file.pathname.split("/agent/")[1]}:${fn.line} ${fn.name} (${fn.lines})`);
      }
    }
  }
  assert.ok(seen > 20, "the measure found too few functions to be trusted");
  assert.deepEqual(long, []);
});
