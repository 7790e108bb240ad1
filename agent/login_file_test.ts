import assert from "node:assert/strict";
import { join } from "node:path";
import { IgnoreRules } from "../shared/paths/ignore_rules.ts";
import {
  configDir,
  loginFile,
  loginIgnorePattern,
  readLogin,
  removeLogin,
  writeLogin,
} from "./login_file.ts";

Deno.test("configDir() prefers SANDSYNC_CONFIG_DIR, then XDG_CONFIG_HOME, then ~/.config", () => {
  const env = (values: Record<string, string>) => (name: string) => values[name];
  assert.equal(configDir(env({ SANDSYNC_CONFIG_DIR: "/c", HOME: "/h" })), "/c");
  assert.equal(configDir(env({ XDG_CONFIG_HOME: "/x", HOME: "/h" })), "/x/sandsync");
  assert.equal(configDir(env({ HOME: "/h" })), "/h/.config/sandsync");
  assert.throws(() => configDir(env({})));
});

Deno.test("writeLogin() stores the login with mode 0600; readLogin() and removeLogin() round-trip", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = loginFile(join(dir, "nested"));
    assert.equal(readLogin(file), undefined);
    const login = { url: "https://x.supabase.co", token: "sst_abc", savedAt: "2026-01-01" };
    await writeLogin(login, file);
    assert.deepEqual(readLogin(file), login);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(join(dir, "nested")))).map((e) => e.name),
      ["login.json"],
      "no temp file left behind",
    );
    await Deno.writeTextFile(file, "{ not json");
    assert.equal(readLogin(file), undefined);
    assert.equal(await removeLogin(file), true);
    assert.equal(await removeLogin(file), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loginIgnorePattern() ignores the config dir only when it is inside the root", () => {
  const pattern = loginIgnorePattern("/home/user", "/home/user/.config/sandsync");
  assert.equal(pattern, "/.config/sandsync/");
  const rules = new IgnoreRules([pattern!]);
  assert.equal(rules.ignoresPath(".config/sandsync/login.json"), true);
  assert.equal(rules.ignoresPath(".config/other/settings.json"), false);
  assert.equal(rules.ignoresPath("src/.config/sandsync/x"), false);
  assert.equal(loginIgnorePattern("/work/project", "/home/user/.config/sandsync"), undefined);
  assert.equal(loginIgnorePattern("/c/sandsync", "/c/sandsync"), "/login.json*");
});
