/**
 * Who is calling a function. The bearer token is verified by the function itself
 * (`token_verifier.ts`, used by `auth.ts`), whatever the platform's `verify_jwt`. A sandbox agent that holds no user session sends the anon key as its JWT and
 * a workspace-scoped agent token in `x-sandsync-token`; the token is looked up (hashed) and the
 * agent then acts as the workspace's owner, limited to that workspace.
 *
 * @module
 */
/** The acting identity of a request. */
export interface Caller {
  /** What authenticated the request. */
  readonly kind: "user" | "agent" | "service";
  /** Postgres role the request's database work runs as. */
  readonly role: "authenticated" | "service_role";
  /** The user acted for (the workspace owner for agents); undefined for the service role. */
  readonly userId: string | undefined;
  /** For agent tokens: the only workspace the caller may touch. */
  readonly workspaceId: string | undefined;
  /** Claims set as `request.jwt.claims` for RLS. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** What a looked-up agent token grants. */
export interface AgentGrant {
  readonly tokenId: string;
  readonly workspaceId: string;
  readonly ownerId: string;
}

/** The bearer token of an `Authorization` header; `undefined` when there is none. */
export function bearerToken(authorization: string | null): string | undefined {
  return authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

/** A caller acting as a user with these JWT claims. */
export function userCaller(claims: Record<string, unknown>): Caller {
  return {
    kind: "user",
    role: "authenticated",
    userId: String(claims.sub),
    workspaceId: undefined,
    claims,
  };
}

/** A caller acting for an agent token: the owner's identity, scoped to one workspace. */
export function agentCaller(grant: AgentGrant): Caller {
  return {
    kind: "agent",
    role: "authenticated",
    userId: grant.ownerId,
    workspaceId: grant.workspaceId,
    claims: {
      sub: grant.ownerId,
      role: "authenticated",
      sandsync_workspace_id: grant.workspaceId,
      sandsync_token_id: grant.tokenId,
    },
  };
}

/** The agent token behind a caller, or `undefined` for users and the service role. */
export function agentTokenId(caller: Caller): string | undefined {
  const id = caller.kind === "agent" ? caller.claims.sandsync_token_id : undefined;
  return typeof id === "string" ? id : undefined;
}

/** The service role (from the service-role key). */
export const SERVICE_CALLER: Caller = {
  kind: "service",
  role: "service_role",
  userId: undefined,
  workspaceId: undefined,
  claims: { role: "service_role" },
};
