import assert from "node:assert/strict";
import { join } from "node:path";
import { cacheDir, corpusScript } from "./corpus.ts";

Deno.test("corpusScript() takes SANDSYNC_CORPUS_SCRIPT first, and says where it looked when nothing is there", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sandsync-corpus-script-" });
  try {
    const script = join(dir, "make-corpus.sh");
    await Deno.writeTextFile(script, "#!/bin/sh\n");
    assert.equal(corpusScript({ SANDSYNC_CORPUS_SCRIPT: script }), script);
    const missing = join(dir, "nope.sh");
    const found = (() => {
      try {
        return corpusScript({ SANDSYNC_CORPUS_SCRIPT: missing });
      } catch (error) {
        return error as Error;
      }
    })();
    // Either a fallback (shared/bench beside the checkout, /work/shared/bench) exists, or the
    // error names them.
    if (found instanceof Error) assert.match(found.message, /nope\.sh.*make-corpus\.sh/);
    else assert.match(found, /shared\/bench\/make-corpus\.sh$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cacheDir() honours SANDSYNC_BENCH_CACHE, else TMPDIR", () => {
  assert.equal(cacheDir({ SANDSYNC_BENCH_CACHE: "/x/cache" }), "/x/cache");
  assert.equal(cacheDir({ TMPDIR: "/t" }), "/t/sandsync-bench-cache");
});
