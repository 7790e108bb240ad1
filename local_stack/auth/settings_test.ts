import assert from "node:assert/strict";
import { DEFAULT_AUTH_SETTINGS, parseAuthSettings } from "./settings.ts";

const supabaseDir = "/project/supabase";

Deno.test("parseAuthSettings() falls back to the CLI's local defaults", () => {
  assert.deepEqual(
    parseAuthSettings("[auth]\nenabled = true\n", { supabaseDir }),
    DEFAULT_AUTH_SETTINGS,
  );
  assert.equal(DEFAULT_AUTH_SETTINGS.refreshTokenReuseInterval, 10);
  assert.equal(DEFAULT_AUTH_SETTINGS.enableConfirmations, false);
});

Deno.test("parseAuthSettings() reads [auth] and [auth.email] as config.toml writes them", () => {
  const settings = parseAuthSettings(
    `[auth]
jwt_expiry = 600
enable_refresh_token_rotation = false
refresh_token_reuse_interval = 3
minimum_password_length = 8
enable_signup = false
signing_keys_path = "./signing_keys.json"
[auth.email]
enable_confirmations = true
`,
    { supabaseDir },
  );
  assert.deepEqual(settings, {
    jwtExpiry: 600,
    refreshTokenRotation: false,
    refreshTokenReuseInterval: 3,
    minimumPasswordLength: 8,
    enableSignup: false,
    enableConfirmations: true,
    signingKeysPath: "/project/supabase/signing_keys.json",
  });
});

Deno.test("parseAuthSettings() lets SANDSYNC_AUTH_* override lifetimes and keys, and refuses nonsense", () => {
  const settings = parseAuthSettings("[auth]\njwt_expiry = 3600\n", {
    supabaseDir,
    env: {
      SANDSYNC_AUTH_JWT_EXPIRY: "2",
      SANDSYNC_AUTH_REFRESH_TOKEN_REUSE_INTERVAL: "0",
      SANDSYNC_AUTH_SIGNING_KEYS: "/keys.json",
    },
  });
  assert.equal(settings.jwtExpiry, 2);
  assert.equal(settings.refreshTokenReuseInterval, 0);
  assert.equal(settings.signingKeysPath, "/keys.json");
  for (const value of ["0", "-1", "1.5", "soon"]) {
    assert.throws(
      () => parseAuthSettings("", { supabaseDir, env: { SANDSYNC_AUTH_JWT_EXPIRY: value } }),
      /Invalid SANDSYNC_AUTH_JWT_EXPIRY/,
    );
  }
});
