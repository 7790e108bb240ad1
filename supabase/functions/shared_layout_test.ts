// `_shared/` holds only what two or more functions run, grouped by concern (`edge/`, `db/`,
// `blobs/`, `commit/`, `conflicts/`, `sandboxes/`), never importing a function's own folder;
// everything one function alone runs lives in that function's folder.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join, relative, resolve } from "node:path";

const FUNCTIONS_DIR = fileURLToPath(new URL(".", import.meta.url));
const SHARED_DIR = join(FUNCTIONS_DIR, "_shared");
const MAX_MODULES_PER_LEVEL = 12;

const functionNames = [...Deno.readDirSync(FUNCTIONS_DIR)]
  .filter((entry) => entry.isDirectory && !entry.name.startsWith("_"))
  .map((entry) => entry.name);

/** Relative `.ts` imports of one file, resolved to absolute paths. */
function importsOf(file: string): string[] {
  const text = Deno.readTextFileSync(file);
  return [...text.matchAll(/(?:from|import)\s+"(\.[^"]+\.ts)"/g)].map((match) =>
    resolve(dirname(file), match[1]!)
  );
}

/** Every file `entry` reaches through relative imports. */
function reach(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const target of importsOf(entry)) reach(target, seen);
  return seen;
}

/** The non-test modules of `_shared/`, by folder. */
function sharedModules(dir = SHARED_DIR, found = new Map<string, string[]>()) {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) sharedModules(path, found);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
      found.set(dir, [...(found.get(dir) ?? []), path]);
    }
  }
  return found;
}

Deno.test("every _shared module is run by two or more functions", () => {
  const users = new Map<string, string[]>();
  for (const name of functionNames) {
    for (const file of reach(join(FUNCTIONS_DIR, name, "index.ts"))) {
      users.set(file, [...(users.get(file) ?? []), name]);
    }
  }
  const lonely = [...sharedModules().values()].flat().filter((file) =>
    (users.get(file)?.length ?? 0) < 2
  ).map((file) => `${relative(FUNCTIONS_DIR, file)} (${users.get(file)?.join(", ") ?? "none"})`);
  assert.deepEqual(lonely, [], "move these into the one function that runs them");
});

Deno.test(`_shared has at most ${MAX_MODULES_PER_LEVEL} modules or folders at each level`, () => {
  const crowded: string[] = [];
  const visit = (dir: string) => {
    const entries = [...Deno.readDirSync(dir)].filter((entry) =>
      entry.isDirectory || (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts"))
    );
    if (entries.length > MAX_MODULES_PER_LEVEL) {
      crowded.push(`${relative(FUNCTIONS_DIR, dir)}: ${entries.length}`);
    }
    for (const entry of entries) if (entry.isDirectory) visit(join(dir, entry.name));
  };
  visit(SHARED_DIR);
  assert.deepEqual(crowded, []);
});

Deno.test("_shared never imports a function's own folder", () => {
  const upward: string[] = [];
  for (const file of [...sharedModules().values()].flat()) {
    for (const target of importsOf(file)) {
      if (target.startsWith(FUNCTIONS_DIR) && !target.startsWith(SHARED_DIR + "/")) {
        upward.push(`${relative(FUNCTIONS_DIR, file)} -> ${relative(FUNCTIONS_DIR, target)}`);
      }
    }
  }
  assert.deepEqual(upward, []);
});
