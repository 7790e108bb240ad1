import assert from "node:assert/strict";
import { decodeProtectedHeader, exportJWK, generateKeyPair } from "jose";
import { createTokenSigner } from "./signing.ts";
import { signJwt } from "../jwt.ts";

const SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";
const now = () => Math.floor(Date.now() / 1000);

async function es256Jwk(kid: string) {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  return {
    ...await exportJWK(privateKey),
    kid,
    alg: "ES256",
    use: "sig",
    key_ops: ["sign", "verify"],
  };
}

Deno.test("createTokenSigner() signs HS256 with the secret and publishes no key", async () => {
  const signer = await createTokenSigner({ jwtSecret: SECRET });
  const token = await signer.sign({ sub: "u", exp: now() + 60 });
  assert.deepEqual(decodeProtectedHeader(token), { alg: "HS256", typ: "JWT" });
  assert.equal((await signer.verify(token)).sub, "u");
  assert.deepEqual(signer.jwks(), { keys: [] });
});

Deno.test("createTokenSigner() signs with the first asymmetric key and publishes public halves only", async () => {
  const first = await es256Jwk("first");
  const second = await es256Jwk("second");
  const signer = await createTokenSigner({ jwtSecret: SECRET, signingKeys: [first, second] });
  const token = await signer.sign({ sub: "u", exp: now() + 60 });
  assert.deepEqual(decodeProtectedHeader(token), { alg: "ES256", kid: "first", typ: "JWT" });
  assert.equal((await signer.verify(token)).sub, "u");
  const { keys } = signer.jwks();
  assert.deepEqual(keys.map((key) => key.kid), ["first", "second"]);
  for (const key of keys) {
    assert.equal(key.d, undefined, "no private member");
    assert.deepEqual(key.key_ops, ["verify"]);
  }
  // Tokens from the legacy secret still verify, as in GoTrue.
  assert.equal((await signer.verify(await signJwt({ sub: "legacy" }, SECRET))).sub, "legacy");
});

Deno.test("TokenSigner.verify() explains refusals in golang-jwt's words", async () => {
  const signer = await createTokenSigner({ jwtSecret: SECRET });
  const cases: [string, string, RegExp][] = [
    ["expired", await signJwt({ sub: "u", exp: now() - 5 }, SECRET), /token is expired/],
    ["wrong secret", await signJwt({ sub: "u" }, `${SECRET}!`), /signature is invalid/],
    ["garbage", "abc", /token is malformed/],
  ];
  for (const [label, token, message] of cases) {
    await assert.rejects(signer.verify(token), message, label);
  }
  const stranger = await createTokenSigner({
    jwtSecret: SECRET,
    signingKeys: [await es256Jwk("x")],
  });
  await assert.rejects(
    signer.verify(await stranger.sign({ sub: "u" })),
    /unrecognized JWT kid x for algorithm ES256/,
  );
});
