/**
 * CLI for the stand-in (a whole fake E2B: control API and envd on one port):
 *
 *   deno run -A tests/e2b_standin/main.ts --root <dir> [--port 49983] [--sandbox <id>]...
 *
 * Sandboxes are the subdirectories of `--root`; each `--sandbox` is created at start
 * (default: `debug_sandbox_id`, the id `Sandbox.create()` uses in debug mode). Stops on
 * SIGINT/SIGTERM. Point the `e2b` SDK at it with `E2B_API_URL` and `E2B_SANDBOX_URL` (both
 * the printed URL) and `E2B_API_KEY` set to one of the test keys (`control_api.ts`); sandboxes
 * created through `POST /v2/sandboxes` get a directory of their own under `--root`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { STANDIN_API_KEY, STANDIN_OTHER_TEAM_KEY } from "./control_api.ts";
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
console.log(`fake E2B (control API + envd) on ${standin.url}, sandboxes under ${standin.root}`);
console.log(
  `  E2B_API_URL=${standin.url} E2B_SANDBOX_URL=${standin.url} E2B_API_KEY=${STANDIN_API_KEY}` +
    `  (second team: ${STANDIN_OTHER_TEAM_KEY})`,
);
console.log(
  `  or debug mode: E2B_DEBUG=true E2B_SANDBOX_URL=${standin.url}` +
    `  (sandboxes: ${values.sandbox.join(", ")})`,
);

const stop = async () => {
  await standin.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
