/**
 * `deno task schema`: rewrites `supabase/schema.sql`, the snapshot of the schema the migrations
 * build (see local_stack/schema_snapshot.ts), from a throwaway PostgreSQL cluster it starts and
 * removes. `deno task schema --check` only compares and exits 1 when the snapshot is stale.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startPostgres } from "../local_stack/postgres.ts";
import {
  buildSchemaSnapshot,
  SCHEMA_COMMAND,
  SCHEMA_SNAPSHOT,
} from "../local_stack/schema_snapshot.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const { values } = parseArgs({ args: Deno.args, options: { check: { type: "boolean" } } });

const temp = await Deno.makeTempDir({ prefix: "sandsync-schema-" });
// The postgres user must be able to reach its data dir below ours.
await Deno.chmod(temp, 0o755);
const cluster = await startPostgres({ dataDir: join(temp, "postgres") });
let snapshot: string;
try {
  snapshot = await buildSchemaSnapshot(cluster.url, ROOT);
} finally {
  await cluster.stop();
  await Deno.remove(temp, { recursive: true }).catch(() => {});
}

const file = join(ROOT, SCHEMA_SNAPSHOT);
const current = await Deno.readTextFile(file).catch(() => "");
if (values.check) {
  if (current !== snapshot) {
    console.error(`${SCHEMA_SNAPSHOT} is stale: run \`${SCHEMA_COMMAND}\``);
    Deno.exit(1);
  }
  console.log(`${SCHEMA_SNAPSHOT} is up to date`);
} else if (current === snapshot) {
  console.log(`${SCHEMA_SNAPSHOT} unchanged`);
} else {
  await Deno.writeTextFile(file, snapshot);
  console.log(`${SCHEMA_SNAPSHOT} written`);
}
