/**
 * `deno task start`: runs the local Supabase stack in the foreground, prints its URLs and keys
 * like `supabase status`, and stops cleanly on Ctrl-C or SIGTERM.
 *
 * @module
 */
import { loadStackConfig } from "./config.ts";
import { startStack } from "./stack.ts";

const started = performance.now();
const config = loadStackConfig();
let stack;
try {
  stack = await startStack(config);
} catch (error) {
  console.error(`Cannot start the local stack: ${error instanceof Error ? error.message : error}`);
  Deno.exit(1);
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`Sandsync local stack started in ${seconds} s.

         API URL: ${stack.apiUrl}
        Auth URL: ${stack.apiUrl}/auth/v1
     Storage URL: ${stack.apiUrl}/storage/v1
   Functions URL: ${stack.apiUrl}/functions/v1
          DB URL: ${stack.dbUrl}
      JWT secret: ${stack.jwtSecret}
        anon key: ${stack.anonKey}
service_role key: ${stack.serviceRoleKey}
        env file: ${stack.envFile}

Create a user and get its access token: deno task user you@example.com [--password P]
Press Ctrl-C to stop.`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("Stopping the local stack...");
  await stack.stop();
  console.log("Stopped.");
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", shutdown);
Deno.addSignalListener("SIGTERM", shutdown);
