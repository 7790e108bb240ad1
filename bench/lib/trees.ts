/**
 * File trees for sync benchmarks: the files of a tree, a generated tree of many small files,
 * the "10+10 edits" (ten files appended to on each side, different files per side and per
 * round) and a check that two trees hold the same bytes at given paths.
 *
 * @module
 */
import { join } from "node:path";

/** Every regular file under `dir` (relative paths, sorted), skipping `skip` directories. */
export async function listFiles(dir: string, skip = new Set([".sandsync"])): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for await (const entry of Deno.readDir(rel ? join(dir, rel) : dir)) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory && !skip.has(path)) await walk(path);
      else if (entry.isFile) out.push(path);
    }
  };
  await walk("");
  return out.sort();
}

/** Writes `count` small generated source files under `dir` (100 per directory). */
export async function makeSmallTree(dir: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `pkg-${String(Math.floor(i / 100)).padStart(3, "0")}`);
    if (i % 100 === 0) await Deno.mkdir(sub, { recursive: true });
    await Deno.writeTextFile(
      join(sub, `mod-${i}.ts`),
      `// generated module ${i}\nexport const value${i} = ${i};\nexport function f${i}() {\n  return value${i} * 2;\n}\n`,
    );
  }
}

/** The paths the edit rounds touch: mid-sized files, spread over the tree. */
export function editTargets(files: readonly string[], rounds: number): string[] {
  const wanted = rounds * 20;
  const step = Math.max(1, Math.floor(files.length / wanted));
  const picked: string[] = [];
  for (let i = 0; i < files.length && picked.length < wanted; i += step) picked.push(files[i]!);
  if (picked.length < wanted) throw new Error(`Need ${wanted} files to edit, have ${files.length}`);
  return picked;
}

/** One round of 10+10 edits: which paths each side appends to. */
export function editRound(targets: readonly string[], round: number) {
  const slice = targets.slice(round * 20, round * 20 + 20);
  return { a: slice.slice(0, 10), b: slice.slice(10, 20) };
}

/** Appends a line to each of `paths` under `dir`. */
export async function appendEdits(dir: string, paths: readonly string[], tag: string) {
  for (const path of paths) {
    await Deno.writeTextFile(join(dir, path), `\n// edited: ${tag}\n`, { append: true });
  }
}

/** Throws unless `a` and `b` hold the same bytes at every one of `paths`. */
export async function assertSame(a: string, b: string, paths: readonly string[], what: string) {
  for (const path of paths) {
    const [x, y] = await Promise.all([
      Deno.readFile(join(a, path)),
      Deno.readFile(join(b, path)).catch(() => null),
    ]);
    if (!y || x.byteLength !== y.byteLength || !x.every((byte, i) => byte === y[i])) {
      throw new Error(`${what}: "${path}" differs between the two sides`);
    }
  }
}
