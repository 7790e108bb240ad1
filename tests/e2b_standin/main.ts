/**
 * CLI for the envd stand-in:
 *
 *   deno run -A tests/e2b_standin/main.ts --root <dir> [--port 49983] [--sandbox <id>]...
 *
 * Sandboxes are the subdirectories of `--root`; each `--sandbox` is created at start
 * (default: `debug_sandbox_id`, the id `Sandbox.create()` uses in debug mode). Stops on
 * SIGINT/SIGTERM.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ENVD_PORT, startEnvdStandin } from "./standin.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    root: { type: "string" },
    port: { type: "string", default: String(ENVD_PORT) },
    sandbox: { type: "string", multiple: true, default: ["debug_sandbox_id"] },
  },
});
if (!values.root) {
  console.error("usage: main.ts --root <dir> [--port 49983] [--sandbox <id>]...");
  Deno.exit(2);
}

const standin = await startEnvdStandin({ root: values.root, port: Number(values.port) });
for (const id of values.sandbox) await standin.createSandbox(id);
console.log(`envd stand-in listening on ${standin.url}, sandboxes under ${standin.root}`);
console.log(
  `  E2B_DEBUG=true E2B_SANDBOX_URL=${standin.url}  (sandboxes: ${values.sandbox.join(", ")})`,
);

const stop = async () => {
  await standin.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
