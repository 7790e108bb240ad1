/**
 * `deno task test`: unit tests, then integration tests and pgTAP against a local stack this
 * script starts on free ports with its own state and env file (so it runs beside a
 * `deno task start`), then stops, leaving no process or temp dir behind.
 *
 * Usage: deno task test [--only unit|integration|heavy|pgtap|long] [path ...]
 *
 * Paths, when given, limit the unit and integration suites to those files or folders (a
 * developer's quick loop: `deno task test --only integration tests/agent/watch_test.ts`).
 *
 * `heavy` is its own suite on the same stack (a 1 GiB transfer, SIGKILL trials): run by
 * default like the others, and alone with `deno task test:heavy`.
 *
 * `long` (`deno task test:long`) is never part of the default run: the randomized history
 * checker (tests/checker/) at its long size, 1,000 operations per history and a 20 MB binary
 * (`CHECKER_OPS`, `CHECKER_BIG_MB` and `CHECKER_SEED` still apply when set).
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadStackConfig } from "../local_stack/config.ts";
import { writeStandinFunctionsEnv } from "../local_stack/functions_env.ts";
import { type Stack, startStack } from "../local_stack/stack.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { only: { type: "string" } },
  allowPositionals: true,
});
const only = values.only;
/** The paths given on the command line that lie in a suite's folders, or those folders. */
function targets(folders: string[]): string[] {
  if (positionals.length === 0) return existing(folders);
  const inside = (path: string) =>
    folders.some((folder) => path === folder || path.startsWith(`${folder}/`));
  return existing(positionals.map((path) => path.replace(/^\.\//, "")).filter(inside));
}

interface Outcome {
  readonly suite: string;
  readonly ok: boolean;
  readonly seconds: number;
}

async function run(
  suite: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
) {
  const started = performance.now();
  console.log(`\n=== ${suite}: ${command} ${args.join(" ")}`);
  const status = await new Deno.Command(command, {
    args,
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  return { suite, ok: status.success, seconds: (performance.now() - started) / 1000 };
}

function existing(paths: string[]): string[] {
  return paths.filter((path) => {
    try {
      Deno.statSync(join(ROOT, path));
      return true;
    } catch {
      return false;
    }
  });
}

const UNIT_FOLDERS = [
  "shared",
  "local_stack",
  "supabase/functions",
  "client",
  "agent",
  "bench/lib",
  // One file, not the folder: `deno test scripts` would also take this runner (test.ts) for a test.
  "scripts/outside_citations_test.ts",
];
const outcomes: Outcome[] = [];
const deno = Deno.execPath();

if ((!only || only === "unit") && targets(UNIT_FOLDERS).length > 0) {
  const dirs = targets(UNIT_FOLDERS);
  outcomes.push(await run("unit", deno, ["test", "-A", "--parallel", ...dirs]));
}

if (
  !only || only === "integration" || only === "heavy" || only === "pgtap" || only === "long"
) {
  const temp = await Deno.makeTempDir({ prefix: "sandsync-test-" });
  await Deno.chmod(temp, 0o755);
  const base = loadStackConfig({
    ...Deno.env.toObject(),
    SANDSYNC_API_PORT: "0",
    SANDSYNC_DB_PORT: "0",
  });
  // The functions reach E2B at a fake E2B (control API + envd) the bridge tests start.
  const functionsEnv = await writeStandinFunctionsEnv(join(temp, "functions.env"), {
    baseFile: base.functionsEnvFile,
  });
  const config = {
    ...base,
    stateDir: join(temp, "state"),
    envFile: join(temp, "stack.env"),
    keepState: false,
    functionsEnvFile: functionsEnv.file,
  };
  let stack: Stack | undefined;
  const stop = async () => {
    await stack?.stop();
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  };
  const onSignal = async () => {
    await stop();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    const started = performance.now();
    stack = await startStack(config);
    console.log(
      `local stack up at ${stack.apiUrl} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const env = { SANDSYNC_ENV_FILE: stack.envFile };
    if ((!only || only === "integration") && targets(["tests"]).length > 0) {
      const dirs = targets(["tests"]);
      outcomes.push(
        await run("integration", deno, ["test", "-A", "--ignore=tests/heavy", ...dirs], env),
      );
    }
    if ((!only || only === "heavy") && existing(["tests/heavy"]).length > 0) {
      outcomes.push(await run("heavy", deno, ["test", "-A", "tests/heavy"], env));
    }
    if (only === "long") {
      outcomes.push(
        await run("long", deno, ["test", "-A", "tests/checker"], {
          ...env,
          CHECKER_OPS: Deno.env.get("CHECKER_OPS") ?? "1000",
          CHECKER_BIG_MB: Deno.env.get("CHECKER_BIG_MB") ?? "20",
        }),
      );
    }
    if (!only || only === "pgtap") {
      outcomes.push(
        await run("pgtap", "pg_prove", [
          "--ext",
          ".sql",
          "-r",
          "-d",
          stack.dbUrl,
          "supabase/tests",
        ]),
      );
    }
  } catch (error) {
    console.error(
      `test: cannot run the stack suites: ${error instanceof Error ? error.stack : error}`,
    );
    outcomes.push({ suite: "stack", ok: false, seconds: 0 });
  } finally {
    await stop();
  }
}

console.log("\n=== summary");
for (const outcome of outcomes) {
  console.log(
    `${outcome.ok ? "ok    " : "FAILED"} ${outcome.suite} (${outcome.seconds.toFixed(1)} s)`,
  );
}
const failed = outcomes.filter((outcome) => !outcome.ok).length;
console.log(`suites: ${outcomes.length - failed} passed, ${failed} failed`);
Deno.exit(failed === 0 ? 0 : 1);
