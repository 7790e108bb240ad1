// The README's run command, as a user runs it: `deno task demo` brings up its own stack and two
// agents and proves a two-way sync (`--once` exits after the proof instead of staying up).
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("../..", import.meta.url).pathname;

Deno.test("deno task demo --once syncs a file both ways and cleans up", async () => {
  const temp = await Deno.makeTempDir({ prefix: "sandsync-demo-test-" });
  await Deno.chmod(temp, 0o755);
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["task", "demo", "--once"],
      cwd: ROOT,
      env: {
        SANDSYNC_API_PORT: "0",
        SANDSYNC_DB_PORT: "0",
        SANDSYNC_STATE_DIR: join(temp, "state"),
        SANDSYNC_ENV_FILE: join(temp, "stack.env"),
        SANDSYNC_DEMO_DIR: join(temp, "demo"),
      },
      stdin: "null",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 0, stdout + new TextDecoder().decode(output.stderr));
    assert.match(stdout, /sandbox -> phone: src\/hello\.ts arrived in \d+ ms/);
    assert.match(stdout, /phone -> sandbox: NOTES\.md arrived in \d+ ms/);
    // Both sides hold both files, byte for byte.
    for (const side of ["sandbox", "phone"]) {
      assert.match(await Deno.readTextFile(join(temp, "demo", side, "src", "hello.ts")), /sandbox/);
      assert.match(await Deno.readTextFile(join(temp, "demo", side, "NOTES.md")), /phone/);
    }
    // The stack is gone: its state dir and env file were removed on stop.
    await assert.rejects(Deno.stat(join(temp, "state")));
    await assert.rejects(Deno.stat(join(temp, "stack.env")));
  } finally {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  }
});
