// supabase/schema.sql is what the migrations build: a migration that changes the schema without
// the snapshot being regenerated fails here. The snapshot is dumped from a throwaway database the
// test creates (and drops) on the stack's server, so no other test's rows or settings leak in.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  buildSchemaSnapshot,
  SCHEMA_COMMAND,
  SCHEMA_SNAPSHOT,
} from "../../local_stack/schema_snapshot.ts";
import { loadStackEnv } from "../support/stack_env.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

Deno.test("supabase/schema.sql is the schema the migrations build", async () => {
  const built = await buildSchemaSnapshot(loadStackEnv().dbUrl, ROOT);
  const committed = await Deno.readTextFile(`${ROOT}/${SCHEMA_SNAPSHOT}`);
  if (committed === built) return;
  const want = built.split("\n");
  const have = committed.split("\n");
  const found = want.findIndex((text, index) => text !== have[index]);
  const line = found < 0 ? want.length : found;
  assert.fail(
    `${SCHEMA_SNAPSHOT} is stale: the migrations build another schema (first difference at line ${
      line + 1
    }: ${JSON.stringify(want[line] ?? "")}): run \`${SCHEMA_COMMAND}\``,
  );
});
