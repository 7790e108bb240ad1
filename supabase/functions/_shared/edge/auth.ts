/**
 * Authenticates a function request: a user JWT, the service-role key, or the anon key plus a
 * workspace-scoped agent token (`x-sandsync-token`). The anon key alone is refused: every
 * Sandsync operation belongs to a user.
 *
 * @module
 */
import { errors } from "../../../../shared/protocol/errors.ts";
import { sha256Hex } from "../../../../shared/hash.ts";
import { AGENT_TOKEN_HEADER } from "../../../../shared/protocol/common.ts";
import { agentCaller, bearerToken, type Caller, SERVICE_CALLER, userCaller } from "./caller.ts";
import type { Database } from "../db/db.ts";
import { type TokenVerifier, tokenVerifierFromEnv } from "./token_verifier.ts";

/** Agent tokens look like `sst_` + 43 base64url characters (256 random bits). */
export const AGENT_TOKEN_PATTERN = /^sst_[A-Za-z0-9_-]{43}$/;

/** A UUID of any version, as `auth.uid()` accepts it. */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Makes a new agent token: the secret (shown once) and what is stored. */
export function newAgentToken(): { token: string; hash: string; prefix: string } {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = `sst_${base64Url(bytes)}`;
  return { token, hash: sha256Hex(token), prefix: token.slice(0, 10) };
}

function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Builds the `authenticate` step of {@linkcode createHandler} over `db`. The bearer token is
 * verified here (see {@linkcode tokenVerifierFromEnv}), never trusted because the platform may
 * have checked it: a function deployed with `verify_jwt = false` is just as safe.
 */
export function authenticator(
  db: Database,
  verify: TokenVerifier = tokenVerifierFromEnv(),
): (request: Request) => Promise<Caller> {
  return async (request) => {
    const { role, claims } = await verify(bearerToken(request.headers.get("authorization")));
    const agentToken = request.headers.get(AGENT_TOKEN_HEADER);
    if (agentToken !== null) {
      if (!AGENT_TOKEN_PATTERN.test(agentToken)) throw errors.unauthorized("malformed agent token");
      // Service role by necessity: the agent has no user identity until its token is resolved.
      const rows = await db.asService((tx) =>
        tx<{ token_id: string; workspace_id: string; owner_id: string }[]>`
          select * from public.service_resolve_agent_token(${sha256Hex(agentToken)})`
      );
      const grant = rows[0];
      if (!grant) throw errors.unauthorized("agent token is invalid, expired or revoked");
      return agentCaller({
        tokenId: grant.token_id,
        workspaceId: grant.workspace_id,
        ownerId: grant.owner_id,
      });
    }
    if (role === "service_role") return SERVICE_CALLER;
    if (role === "authenticated" && typeof claims.sub === "string") {
      // A user id is a UUID (auth.uid() casts to one): a third-party token with another `sub`
      // is refused here as 401, not left to fail a cast inside the database as a 500.
      if (!UUID_PATTERN.test(claims.sub)) {
        throw errors.unauthorized("the JWT subject is not a user id");
      }
      return userCaller({ ...claims });
    }
    throw errors.unauthorized("sign in as a user, or send an agent token with the anon key");
  };
}

/** Refuses an agent token used outside its workspace (RLS scopes by owner, this by workspace). */
export function assertWorkspaceScope(caller: Caller, workspaceId: string): void {
  if (caller.workspaceId !== undefined && caller.workspaceId !== workspaceId) {
    throw errors.workspaceNotFound(workspaceId);
  }
}
