// Refresh tokens against a second Auth API over the stack's database whose clock the test moves
// and whose access tokens live 2 s: refresh after expiry (also supabase-js refreshing on its own),
// and GoTrue's reuse rules with its default 10 s interval, without waiting for them.
import assert from "node:assert/strict";
import postgres from "postgres";
import { ApiClient } from "../support/api.ts";
import { authClient, authPost, decodeClaims, newEmail, startSideAuth } from "../support/auth.ts";

const PASSWORD = "correct horse battery";

Deno.test("an expired access token is refused; refreshing gives one the Auth API and functions accept", async () => {
  const side = await startSideAuth({ jwtExpiry: 2 });
  try {
    const supabase = authClient(side.env, side.apiUrl);
    const { data, error } = await supabase.auth.signUp({
      email: newEmail("expiry"),
      password: PASSWORD,
    });
    assert.equal(error, null);
    const first = data.session!;
    assert.equal(first.expires_in, 2);
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const stale = await fetch(`${side.apiUrl}/auth/v1/user`, {
      headers: {
        authorization: `Bearer ${first.access_token}`,
        "x-supabase-api-version": "2024-01-01",
      },
    });
    assert.equal(stale.status, 403);
    const body = await stale.json();
    assert.equal(body.code, "bad_jwt");
    assert.match(body.message, /token is expired/);
    const staleCall = await new ApiClient(side.env, first.access_token).call("GET", "workspaces");
    assert.equal(staleCall.status, 401, "functions refuse the expired token too");

    // supabase-js refreshes an expired session itself when asked for it.
    const { data: loaded } = await supabase.auth.getSession();
    const second = loaded.session!;
    assert.notEqual(second.access_token, first.access_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal((await supabase.auth.getUser()).data.user?.id, data.user?.id);
    const call = await new ApiClient(side.env, second.access_token).call("GET", "workspaces");
    assert.equal(call.status, 200, JSON.stringify(call.body));
  } finally {
    await side.close();
  }
});

Deno.test("refresh-token reuse: the parent of the active token, inside and after the 10 s interval", async () => {
  const side = await startSideAuth({});
  const sql = postgres(side.env.dbUrl, { max: 1, onnotice: () => {} });
  const refresh = (token: string) =>
    authPost(side.apiUrl, "/token?grant_type=refresh_token", { refresh_token: token });
  try {
    const { data } = await authClient(side.env, side.apiUrl).auth.signUp({
      email: newEmail("reuse"),
      password: PASSWORD,
    });
    const r0 = data.session!.refresh_token;
    const sessionId = decodeClaims(data.session!.access_token).session_id as string;

    const first = await refresh(r0);
    assert.equal(first.status, 200);
    const r1 = first.body.refresh_token as string;
    assert.notEqual(r1, r0);
    // The client lost the answer: r0 is the parent of the active token, which comes back.
    side.advance(60);
    const lost = await refresh(r0);
    assert.equal(lost.status, 200);
    assert.equal(lost.body.refresh_token, r1, "the active token, not a new one");

    const second = await refresh(r1);
    const r2 = second.body.refresh_token as string;
    assert.equal(second.status, 200);
    // Two tabs refreshing with the same token at once both get the same answer.
    const [tabA, tabB] = await Promise.all([refresh(r2), refresh(r2)]);
    assert.equal(tabA.status, 200);
    assert.equal(tabB.status, 200);
    assert.equal(tabA.body.refresh_token, tabB.body.refresh_token);
    const r3 = tabA.body.refresh_token as string;

    // r2 was revoked just now and is not the active token's parent any more after r3 -> r4:
    // inside the interval it still refreshes (a new child of it).
    const fourth = await refresh(r3);
    assert.equal(fourth.status, 200);
    side.advance(5);
    const inside = await refresh(r2);
    assert.equal(inside.status, 200, JSON.stringify(inside.body));
    const r5 = inside.body.refresh_token as string;
    assert.ok(![r0, r1, r2, r3].includes(r5));

    side.advance(11);
    // r1 was revoked (by r1 -> r2) 16 s ago and is not the active token's parent: reuse.
    const reused = await refresh(r1);
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error_code, "refresh_token_already_used");
    assert.equal(reused.body.msg, "Invalid Refresh Token: Already Used");
    const [open] = await sql<{ count: number }[]>`
      select count(*)::int as count from auth.refresh_tokens
      where session_id = ${sessionId} and revoked = false`;
    assert.equal(open?.count, 0, "every refresh token of the session is revoked");
    side.advance(11);
    const after = await refresh(r5);
    assert.equal(after.status, 400, "the family's tokens are refused once the interval passed");
    assert.equal(after.body.error_code, "refresh_token_already_used");
  } finally {
    await sql.end();
    await side.close();
  }
});
