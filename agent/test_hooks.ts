/**
 * Test-only delays that widen the agent's race windows so integration tests can hit them on
 * purpose. Each is read from the environment and is a no-op when unset (never set them in
 * production):
 * - `SANDSYNC_TEST_DELAY_AFTER_HASH_MS`: after a changed file was hashed, before its stat is
 *   taken again (race: an edit while the file is hashed);
 * - `SANDSYNC_TEST_DELAY_BEFORE_RENAME_MS`: after a downloaded remote change was checked
 *   against the local file, before it replaces it (race: a local edit right before the
 *   rename into place).
 * - `SANDSYNC_TEST_KILL_AFTER_COMMIT`: a number above 0: the process kills itself (SIGKILL)
 *   right after a commit was answered, before the answer is recorded (race: a restart on
 *   state older than what the server acknowledged).
 * When a delay starts, `test hook <NAME>: <path>` is written to stderr so a test knows when
 * to act.
 *
 * @module
 */

/** Names of the test-only delay hooks. */
export type TestDelay =
  | "SANDSYNC_TEST_DELAY_AFTER_HASH_MS"
  | "SANDSYNC_TEST_DELAY_BEFORE_RENAME_MS"
  | "SANDSYNC_TEST_KILL_AFTER_COMMIT";

/** Sleeps for the delay `name` sets (test-only), announcing it on stderr; else returns. */
export async function testDelay(name: TestDelay, path: string): Promise<void> {
  let ms = 0;
  try {
    ms = Number(Deno.env.get(name) ?? 0);
  } catch {
    return; // no env permission: not a test run
  }
  if (!(ms > 0)) return;
  if (name === "SANDSYNC_TEST_KILL_AFTER_COMMIT") {
    console.error(`test hook ${name}: ${path}`);
    Deno.kill(Deno.pid, "SIGKILL");
  }
  console.error(`test hook ${name}: ${path}`);
  await new Promise((resolve) => setTimeout(resolve, ms));
}
