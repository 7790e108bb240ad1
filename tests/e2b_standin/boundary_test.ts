/** The stand-in is test-only: no code under supabase/ or shared/ may import it. */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sources(path);
    else if (/\.(ts|tsx|js|mjs)$/.test(entry.name)) yield path;
  }
}

Deno.test("nothing in supabase/ or shared/ imports tests/e2b_standin", async () => {
  const offenders: string[] = [];
  for (const top of ["supabase", "shared"]) {
    for await (const path of sources(join(REPO, top))) {
      if ((await Deno.readTextFile(path)).includes("e2b_standin")) offenders.push(path);
    }
  }
  assert.deepEqual(offenders, []);
});
