import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanup, newAccount, newRoot, tree, write } from "./support.ts";

const CLI = fileURLToPath(new URL("../../agent/cli.ts", import.meta.url));

Deno.test("login stores the credentials under the config dir (0600), never synced; logout forgets them", async () => {
  const { config, workspace } = await newAccount("login");
  const other = await newRoot(config, workspace);
  // The sandbox's root holds the config dir (as a home directory does); HOME itself stays, so
  // deno keeps its cache.
  const home = await Deno.makeTempDir({ prefix: "sandsync-home-" });
  // Nothing from the test's own environment: only what login stored.
  const sandsync = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, ...args],
      env: {
        XDG_CONFIG_HOME: join(home, ".config"),
        SANDSYNC_CONFIG_DIR: "",
        SUPABASE_URL: "",
        SUPABASE_ANON_KEY: "",
        SANDSYNC_TOKEN: "",
      },
      stdin: "null",
    }).output();
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
  };
  try {
    assert.equal((await sandsync("workspaces")).code, 2, "no credentials yet");
    const bad = await sandsync("login", "--url", config.url, "--token", "not-a-jwt");
    assert.equal(bad.code, 5, "a refused token: fix the credentials");
    const login = await sandsync(
      "login",
      "--url",
      config.url,
      "--token",
      config.token,
      "--anon-key",
      config.anonKey!,
      "--json",
    );
    assert.equal(login.code, 0, login.stderr);
    const file = join(home, ".config/sandsync/login.json");
    assert.equal(JSON.parse(login.stdout).file, file);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    assert.equal(JSON.parse(await Deno.readTextFile(file)).token, config.token);

    const listed = await sandsync("workspaces", "--json");
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).map((w: { name: string }) => w.name), [workspace]);

    // A sandbox syncing its home directory never uploads the login file.
    assert.equal((await sandsync("init", home, "--workspace", workspace)).code, 0);
    await write(home, "notes.txt", "mine\n");
    const synced = await sandsync("sync", home, "--json");
    assert.equal(synced.code, 0, synced.stderr);
    assert.equal(JSON.parse(synced.stdout).uploaded, 1);
    await other.sync();
    assert.deepEqual(await tree(other.dir), { "notes.txt": "mine\n" });

    const logout = await sandsync("logout");
    assert.equal(logout.code, 0, logout.stderr);
    await assert.rejects(Deno.stat(file));
    assert.equal((await sandsync("workspaces")).code, 2);
  } finally {
    await cleanup(other);
    await Deno.remove(home, { recursive: true });
  }
});
