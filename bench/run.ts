/**
 * `deno task bench [name...]`: starts a local stack on free ports (like the tests), runs each
 * benchmark script in `bench/` (every `*.ts` but this one) against it with `SANDSYNC_ENV_FILE`
 * set, and stops the stack (also on SIGINT/SIGTERM, after the running script has cleaned up).
 * Each script prints its own Markdown table; figures go to `docs/benchmarks.md` by hand, with
 * the machine noted.
 *
 * @module
 */
import { join } from "node:path";
import { loadStackConfig } from "../local_stack/config.ts";
import { writeStandinFunctionsEnv } from "../local_stack/functions_env.ts";
import { type Stack, startStack } from "../local_stack/stack.ts";

const BENCH_DIR = new URL(".", import.meta.url).pathname;
const ROOT = new URL("..", import.meta.url).pathname;
const wanted = new Set(Deno.args);
const scripts = [...Deno.readDirSync(BENCH_DIR)]
  .map((entry) => entry.name)
  .filter((name) => name.endsWith(".ts") && name !== "run.ts" && !name.endsWith("_test.ts"))
  .filter((name) => wanted.size === 0 || wanted.has(name.replace(/\.ts$/, "")))
  .sort();

const temp = await Deno.makeTempDir({ prefix: "sandsync-bench-" });
await Deno.chmod(temp, 0o755);
let stack: Stack | undefined;
let failed = 0;
let child: Deno.ChildProcess | undefined;
let interrupted = false;
const interrupt = () => {
  interrupted = true;
  try {
    child?.kill("SIGTERM"); // the script stops its own processes and removes its temp dirs
  } catch { /* exited already */ }
};
Deno.addSignalListener("SIGINT", interrupt);
Deno.addSignalListener("SIGTERM", interrupt);
try {
  const base = loadStackConfig({
    ...Deno.env.toObject(),
    SANDSYNC_API_PORT: "0",
    SANDSYNC_DB_PORT: "0",
  });
  // bench/bridge.ts starts an envd stand-in where the e2b-bridge function looks for sandboxes.
  const functionsEnv = await writeStandinFunctionsEnv(join(temp, "functions.env"), {
    baseFile: base.functionsEnvFile,
    pageFiles: 1000, // the function's default: benchmarks measure what is deployed
  });
  stack = await startStack({
    ...base,
    stateDir: join(temp, "state"),
    envFile: join(temp, "stack.env"),
    keepState: false,
    functionsEnvFile: functionsEnv.file,
  });
  console.log(`# Sandsync benchmarks\n`);
  console.log(
    `machine: ${navigator.hardwareConcurrency} cores, ${Deno.build.os}/${Deno.build.arch}, deno ${Deno.version.deno}\n`,
  );
  for (const script of scripts) {
    if (interrupted) break;
    console.log(`## ${script}\n`);
    child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(BENCH_DIR, script)],
      cwd: ROOT,
      env: { SANDSYNC_ENV_FILE: stack.envFile },
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    const status = await child.status;
    child = undefined;
    if (!status.success) failed++;
    console.log();
  }
} finally {
  await stack?.stop();
  await Deno.remove(temp, { recursive: true }).catch(() => {});
}
Deno.exit(interrupted ? 130 : failed === 0 ? 0 : 1);
