/**
 * The repository explains itself: no code comment or doc may cite a document that lives outside
 * it (the maintainers' design and style notes beside the checkout), because a clone has no copy
 * and the citation leads nowhere. Decisions are recorded in `docs/decisions/` and cited there by
 * path; a rule is stated where it applies. This test scans every text file of the repository
 * (tracked, and new files not ignored) and names each offending file:line.
 *
 * Runs with the unit tests (`deno task test --only unit`, see scripts/test.ts).
 *
 * @module
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const DECISIONS = "docs/decisions";

// The phrases are assembled so this file does not contain what it looks for.
const OUTSIDE_NAMES: readonly RegExp[] = [
  // "<DESIGN> decision N", "<DESIGN> decisions 4 and 5", the file name itself.
  new RegExp(`\\b${"DES" + "IGN"}(?:\\.md\\b| decisions?\\b)`),
  // "<STYLE> rule 6", "<STYLE> rules", the file name itself.
  new RegExp(`\\b${"STY" + "LE"}(?:\\.md\\b| rules?\\b)`),
  // Prose naming them: "design" followed by "notes" or "document".
  new RegExp(`\\bdesign (?:${"no" + "tes"}|${"docu" + "ment"})\\b`, "i"),
];

/** A path climbing to a `shared/` folder; it is a citation of the outside when it leads nowhere. */
const SHARED_PATH = new RegExp(`(?:\\.\\./)+${"sha" + "red"}/[^\\s"'\`)\\]>,;:]*`, "g");

/** Every text file of the checkout: tracked ones and new ones git does not ignore. */
function repositoryFiles(): string[] {
  const listed = new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  assert.ok(listed.success, `git ls-files failed: ${new TextDecoder().decode(listed.stderr)}`);
  const names = new TextDecoder().decode(listed.stdout).split("\0").filter(Boolean);
  // A tracked file deleted in the working tree (being replaced) is listed but gone.
  return [...new Set(names)].filter((name) => existsSync(join(ROOT, name))).sort();
}

function textOf(name: string): string | undefined {
  const bytes = Deno.readFileSync(join(ROOT, name));
  if (bytes.includes(0)) return undefined; // binary
  return new TextDecoder().decode(bytes);
}

/** Where `reference` (relative to `file`) leads, or undefined when it leaves the repository. */
function resolveInside(file: string, reference: string): string | undefined {
  const target = normalize(join(dirname(file), reference));
  return target.startsWith("..") ? undefined : target;
}

/** The citations of documents outside the repository in one file, as `file:line: text`. */
export function outsideCitations(file: string, text: string): string[] {
  const found: string[] = [];
  text.split("\n").forEach((line, index) => {
    const where = `${file}:${index + 1}: ${line.trim()}`;
    if (OUTSIDE_NAMES.some((pattern) => pattern.test(line))) {
      found.push(where);
      return;
    }
    for (const match of line.matchAll(SHARED_PATH)) {
      const target = resolveInside(file, match[0]);
      if (target === undefined || !existsSync(join(ROOT, target))) {
        found.push(where);
        return;
      }
    }
  });
  return found;
}

Deno.test("no code comment or doc cites a document outside the repository", () => {
  const found = repositoryFiles().flatMap((file) => {
    const text = textOf(file);
    return text === undefined ? [] : outsideCitations(file, text);
  });
  assert.deepEqual(
    found,
    [],
    `${found.length} citation(s) of documents outside the repository; cite ${DECISIONS}/ ` +
      `or state the reason in place:\n${found.join("\n")}`,
  );
});

Deno.test("every decision record the repository cites exists", () => {
  const records = new Set([...Deno.readDirSync(join(ROOT, DECISIONS))].map((entry) => entry.name));
  const dead = repositoryFiles().flatMap((file) => {
    const lines = textOf(file)?.split("\n") ?? [];
    return lines.flatMap((line, index) =>
      [...line.matchAll(/decisions\/(\d{4}-[a-z0-9-]+\.md)/g)]
        .filter((match) => !records.has(match[1]!))
        .map((match) => `${file}:${index + 1}: ${match[1]}`)
    );
  });
  assert.deepEqual(dead, [], `citations of missing decision records:\n${dead.join("\n")}`);
});

Deno.test("outsideCitations() flags outside names and paths that lead out, not paths inside", () => {
  const design = "DES" + "IGN";
  const style = "STY" + "LE";
  assert.equal(outsideCitations("a/b.ts", `// see ${design} decision 9`).length, 1);
  assert.equal(outsideCitations("a/b.ts", `// (${style} rule 7)`).length, 1);
  assert.equal(outsideCitations("a/b.md", `read ${design}.md first`).length, 1);
  assert.equal(outsideCitations("a/b.md", "as the project's design " + "notes say").length, 1);
  // Climbing out of the checkout, or to a shared/ folder that is not there.
  assert.equal(outsideCitations("docs/x.md", "`../../sha" + "red/bench/run.sh`").length, 1);
  assert.equal(outsideCitations("bench/lib/x.ts", "`<repo>/../sha" + "red/bench/`").length, 1);
  // The repository's own shared/ folder is fine, and so are ordinary words.
  assert.deepEqual(outsideCitations("agent/x.ts", 'import "../sha' + 'red/hash.ts";'), []);
  assert.deepEqual(
    outsideCitations("supabase/functions/sync/x.ts", 'from "../../../sha' + 'red/pool.ts";'),
    [],
  );
  assert.deepEqual(outsideCitations("a/b.md", "the design decision was written down"), []);
});

Deno.test("every decision record is listed in the index and has its three parts", () => {
  const index = Deno.readTextFileSync(join(ROOT, DECISIONS, "README.md"));
  const records = [...Deno.readDirSync(join(ROOT, DECISIONS))]
    .map((entry) => entry.name)
    .filter((name) => /^\d{4}-[a-z0-9-]+\.md$/.test(name))
    .sort();
  assert.ok(records.length > 0, `no records in ${DECISIONS}`);
  for (const name of records) {
    assert.ok(index.includes(`](${name})`), `${DECISIONS}/README.md does not list ${name}`);
    const text = Deno.readTextFileSync(join(ROOT, DECISIONS, name));
    for (const part of ["Context", "Decision", "Consequences"]) {
      assert.match(text, new RegExp(`^## ${part}$`, "m"), `${name} has no "## ${part}"`);
    }
  }
  const numbers = records.map((name) => Number(name.slice(0, 4)));
  assert.deepEqual(numbers, numbers.map((_, i) => i + 1), `${DECISIONS} numbers have a gap`);
  // Paths in the index resolve (a renamed record would leave a dead link).
  for (const [, target] of index.matchAll(/\]\(([^)#]+)\)/g)) {
    assert.ok(
      existsSync(join(ROOT, DECISIONS, target!)),
      `${DECISIONS}/README.md links to missing "${target}"`,
    );
  }
});
