// Every function deploys as `supabase functions deploy` would ship it: declared in config.toml
// with verify_jwt and the project's import map, importing no other function, and bundling into
// one file from its entry point alone (so every import resolves outside the local stack).
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { parse } from "smol-toml";

const FUNCTIONS_DIR = fileURLToPath(new URL(".", import.meta.url));
const CONFIG = join(FUNCTIONS_DIR, "..", "config.toml");

const names = [...Deno.readDirSync(FUNCTIONS_DIR)]
  .filter((entry) => entry.isDirectory && !entry.name.startsWith("_"))
  .map((entry) => entry.name)
  .sort();

const config = parse(Deno.readTextFileSync(CONFIG)) as {
  functions?: Record<string, { verify_jwt?: boolean; import_map?: string }>;
};

/** Relative imports of every `.ts` file under `dir`. */
function relativeImports(dir: string): { file: string; specifier: string }[] {
  const found: { file: string; specifier: string }[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...relativeImports(path));
    else if (entry.name.endsWith(".ts")) {
      const text = Deno.readTextFileSync(path);
      for (const match of text.matchAll(/from\s+"(\.[^"]+)"/g)) {
        found.push({ file: path, specifier: match[1]! });
      }
    }
  }
  return found;
}

Deno.test("every function folder is declared in config.toml with verify_jwt", () => {
  assert.ok(names.length > 0);
  for (const name of names) {
    const section = config.functions?.[name];
    assert.ok(section, `[functions.${name}] is missing from supabase/config.toml`);
    assert.equal(section.verify_jwt, true, `${name}: verify_jwt must be true`);
  }
});

Deno.test("no function imports another function", () => {
  for (const name of names) {
    for (const { file, specifier } of relativeImports(join(FUNCTIONS_DIR, name))) {
      const target = fileURLToPath(new URL(specifier, `file://${file}`));
      const inFunctions = target.startsWith(FUNCTIONS_DIR);
      const allowed = !inFunctions || target.startsWith(join(FUNCTIONS_DIR, name) + "/") ||
        target.startsWith(join(FUNCTIONS_DIR, "_shared") + "/");
      assert.ok(allowed, `${file} imports ${specifier} from another function`);
    }
  }
});

for (const name of names) {
  Deno.test(`function "${name}" bundles from its entry point alone`, async () => {
    const out = await Deno.makeTempFile({ suffix: ".js" });
    try {
      const result = await new Deno.Command(Deno.execPath(), {
        args: ["bundle", "--quiet", join(FUNCTIONS_DIR, name, "index.ts"), "-o", out],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(result.success, new TextDecoder().decode(result.stderr));
      assert.ok((await Deno.stat(out)).size > 0);
    } finally {
      await Deno.remove(out).catch(() => {});
    }
  });
}
