import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanup, cliEnv, newAccount, newRoot, write } from "./support.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

Deno.test("deno task bundle writes one file that runs on its own, offline, from anywhere", async () => {
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "bundle"],
    cwd: ROOT,
    stdin: "null",
  }).output();
  assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
  const { config, workspace } = await newAccount("bundle");
  const agent = await newRoot(config, workspace);
  const sandbox = await Deno.makeTempDir({ prefix: "sandsync-bundle-" });
  try {
    // As in a sandbox: the bundle alone, no deno.json, an empty cache, no remote fetches.
    await Deno.copyFile(join(ROOT, "dist/sandsync.js"), join(sandbox, "sandsync.js"));
    await Deno.mkdir(join(sandbox, "deno-dir"));
    const run = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--cached-only", "--no-config", "sandsync.js", ...args],
        cwd: sandbox,
        env: { ...cliEnv(config), DENO_DIR: join(sandbox, "deno-dir") },
        stdin: "null",
      }).output();
      const text = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
    };
    const help = await run("--help");
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: sandsync <command>/);
    assert.match(help.stdout, /resolve <path> --ours\|--theirs\|--merge/);

    await write(agent.dir, "from-bundle.txt", "hello\n");
    const status = await run("status", agent.dir, "--json");
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(
      [JSON.parse(status.stdout).workspaceId, JSON.parse(status.stdout).pending],
      [agent.workspaceId, 1],
    );
    // node:sqlite, zod, jsdiff and the client all work from the bundle: a real sync.
    const synced = await run("sync", agent.dir, "--json");
    assert.equal(synced.code, 0, synced.stderr);
    assert.equal(JSON.parse(synced.stdout).uploaded, 1);
    const diff = await run("diff", "from-bundle.txt", agent.dir);
    assert.deepEqual([diff.code, diff.stdout], [0, ""]);
    // Nothing was fetched into the empty cache: the npm packages are inside the bundle.
    const npm = await Array.fromAsync(Deno.readDir(join(sandbox, "deno-dir/npm"))).catch(() => []);
    assert.deepEqual(npm, []);
  } finally {
    await cleanup(agent);
    await Deno.remove(sandbox, { recursive: true });
  }
});
