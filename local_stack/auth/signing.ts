/**
 * How the Auth API signs and checks access tokens, as GoTrue does (supabase/auth,
 * `internal/tokens/service.go` `SignJWT`, `internal/api/auth.go` `parseJWTClaims`,
 * `internal/api/jwks.go`): with the stack's HS256 secret, or, when asymmetric signing keys are
 * configured, with the first of them (its `kid` in the header). A token is checked with the key its
 * `kid` names, else with the secret if it is HS256. The JWKS publishes the public half of every
 * asymmetric key and never the secret: `{ "keys": [] }` without asymmetric keys.
 *
 * @module
 */
import { decodeProtectedHeader, errors, importJWK, type JWK, jwtVerify, SignJWT } from "jose";

/** Signs access tokens and checks the ones presented to the Auth API. */
export interface TokenSigner {
  /** Signs `claims` (already holding `iat`, `exp`, ...). */
  sign(claims: Record<string, unknown>): Promise<string>;
  /** The verified claims; throws an `Error` whose message says why in golang-jwt's words. */
  verify(token: string): Promise<Record<string, unknown>>;
  /** The body of `/.well-known/jwks.json`. */
  jwks(): { readonly keys: readonly JWK[] };
}

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"];

/** The algorithm a JWK signs with: its `alg`, else what its key type implies. */
export function algorithmOf(jwk: JWK): string {
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === "EC") return jwk.crv === "P-384" ? "ES384" : "ES256";
  if (jwk.kty === "RSA") return "RS256";
  if (jwk.kty === "OKP") return "EdDSA";
  throw new Error(`Cannot sign with a JWK of type "${jwk.kty}"`);
}

/** The public half of an asymmetric JWK, as a JWKS lists it. */
export function publicJwk(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  if (Array.isArray(jwk.key_ops)) copy.key_ops = ["verify"];
  return { ...copy, alg: algorithmOf(jwk) } as JWK;
}

/** Reads a signing-keys file: a JSON array of JWKs (`supabase gen signing-key` writes one). */
export async function readSigningKeys(path: string): Promise<JWK[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new Error(`Cannot read signing keys "${path}": ${(error as Error).message}`);
  }
  const keys = Array.isArray(parsed) ? parsed : [parsed];
  if (keys.some((key) => typeof key !== "object" || key === null || !("kty" in key))) {
    throw new Error(`Cannot read signing keys "${path}": not a JWK or an array of JWKs`);
  }
  return keys as JWK[];
}

/** Builds the signer over the stack's secret and optional asymmetric keys (JWKs). */
export async function createTokenSigner(
  options: { readonly jwtSecret: string; readonly signingKeys?: readonly JWK[] },
): Promise<TokenSigner> {
  const secret = new TextEncoder().encode(options.jwtSecret);
  const asymmetric = (options.signingKeys ?? []).filter((jwk) => jwk.kty !== "oct");
  const verifiers = new Map<string, { alg: string; key: CryptoKey | Uint8Array }>();
  for (const jwk of asymmetric) {
    if (!jwk.kid) throw new Error("Every asymmetric signing key needs a kid");
    const alg = algorithmOf(jwk);
    verifiers.set(jwk.kid, { alg, key: await importJWK(publicJwk(jwk), alg) });
  }
  const signingJwk = asymmetric.find((jwk) => typeof jwk.d === "string");
  const signing = signingJwk
    ? {
      alg: algorithmOf(signingJwk),
      kid: signingJwk.kid,
      // WebCrypto refuses a private key whose key_ops also name "verify", as the CLI writes them.
      key: await importJWK({ ...signingJwk, key_ops: undefined }, algorithmOf(signingJwk)),
    }
    : undefined;
  const published = asymmetric.map(publicJwk);

  return {
    sign(claims) {
      const header = signing
        ? { alg: signing.alg, kid: signing.kid, typ: "JWT" }
        : { alg: "HS256", typ: "JWT" };
      return new SignJWT(claims).setProtectedHeader(header).sign(signing?.key ?? secret);
    },
    async verify(token) {
      let header;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw new Error("token is malformed: could not base64 decode header");
      }
      const byKid = typeof header.kid === "string" ? verifiers.get(header.kid) : undefined;
      const verifier = byKid ??
        (header.alg === "HS256" ? { alg: "HS256", key: secret } : undefined);
      if (!verifier) {
        throw new Error(`unrecognized JWT kid ${header.kid} for algorithm ${header.alg}`);
      }
      try {
        const { payload } = await jwtVerify(token, verifier.key, { algorithms: [verifier.alg] });
        return payload as Record<string, unknown>;
      } catch (error) {
        throw new Error(golangJwtMessage(error), { cause: error });
      }
    },
    jwks: () => ({ keys: published }),
  };
}

/** golang-jwt's words for why a token failed, which GoTrue puts into its `bad_jwt` message. */
function golangJwtMessage(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "token has invalid claims: token is expired";
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "token signature is invalid: signature is invalid";
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return "token signature is invalid: signing method is invalid";
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `token has invalid claims: ${error.message}`;
  }
  return "token is malformed: token contains an invalid number of segments";
}
