// Asymmetric signing keys (`[auth] signing_keys_path`, as `supabase gen signing-key` writes
// them): a second Auth API over the stack's database signs with the first key, names it in the
// token's `kid`, publishes only public halves in its JWKS, and accepts its own tokens.
import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeProtectedHeader, exportJWK, generateKeyPair } from "jose";
import { authClient, newEmail, startSideAuth } from "../support/auth.ts";

Deno.test("with signing keys, access tokens are ES256 with a kid and the JWKS publishes the public key", async () => {
  const temp = await Deno.makeTempDir({ prefix: "sandsync-auth-keys-" });
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = crypto.randomUUID();
  const file = join(temp, "signing_keys.json");
  await Deno.writeTextFile(
    file,
    JSON.stringify([{
      ...await exportJWK(privateKey),
      kid,
      alg: "ES256",
      use: "sig",
      key_ops: ["sign", "verify"],
      ext: true,
    }]),
  );
  const side = await startSideAuth({ signingKeysPath: file });
  try {
    const jwks = await (await fetch(`${side.apiUrl}/auth/v1/.well-known/jwks.json`)).json();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].kid, kid);
    assert.equal(jwks.keys[0].d, undefined, "no private member is published");

    const supabase = authClient(side.env, side.apiUrl);
    const { data, error } = await supabase.auth.signUp({
      email: newEmail("es256"),
      password: "correct horse battery",
    });
    assert.equal(error, null);
    assert.deepEqual(decodeProtectedHeader(data.session!.access_token), {
      alg: "ES256",
      kid,
      typ: "JWT",
    });
    const user = await supabase.auth.getUser();
    assert.equal(user.data.user?.id, data.user?.id);
    assert.equal((await supabase.auth.refreshSession()).error, null);
  } finally {
    await side.close();
    await Deno.remove(temp, { recursive: true });
  }
});
