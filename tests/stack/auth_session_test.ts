// The Auth API through supabase-js against the running stack: sign-up, sign-in, getUser,
// setSession, refreshSession, signOut in each scope, the rows GoTrue would keep, a user made by
// `deno task user --password`, and an Edge Function called with the resulting session.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { ApiClient } from "../support/api.ts";
import { authClient, decodeClaims, newEmail } from "../support/auth.ts";
import { loadStackEnv } from "../support/stack_env.ts";

const env = loadStackEnv();
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PASSWORD = "correct horse battery";

async function withSql<T>(run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(env.dbUrl, { max: 1, onnotice: () => {} });
  try {
    return await run(sql);
  } finally {
    await sql.end();
  }
}

Deno.test("signUp confirms at once and returns a GoTrue session; signInWithPassword opens another", async () => {
  const email = newEmail("signup");
  const supabase = authClient(env);
  const signedUp = await supabase.auth.signUp({
    email: email.toUpperCase(),
    password: PASSWORD,
    options: { data: { name: "Ada" } },
  });
  assert.equal(signedUp.error, null);
  const session = signedUp.data.session!;
  assert.equal(session.token_type, "bearer");
  assert.equal(session.expires_in, 3600);
  assert.match(session.refresh_token, /^[a-z2-7]{12}$/);
  assert.equal(signedUp.data.user?.email, email, "addresses are kept in lower case");
  assert.ok(
    signedUp.data.user?.email_confirmed_at,
    "confirmed at once (enable_confirmations = false)",
  );
  assert.equal(signedUp.data.user?.user_metadata.name, "Ada");
  assert.equal(signedUp.data.user?.identities?.[0]?.provider, "email");

  const claims = decodeClaims(session.access_token);
  assert.deepEqual(Object.keys(claims), [
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "email",
    "phone",
    "app_metadata",
    "user_metadata",
    "role",
    "aal",
    "amr",
    "session_id",
    "is_anonymous",
  ]);
  assert.equal(claims.iss, `${env.apiUrl}/auth/v1`);
  assert.equal(claims.sub, signedUp.data.user?.id);
  assert.equal(claims.aud, "authenticated");
  assert.equal(claims.role, "authenticated");
  assert.equal(claims.aal, "aal1");
  assert.equal(claims.is_anonymous, false);
  assert.equal((claims.amr as { method: string }[])[0]?.method, "password");
  assert.equal((claims.exp as number) - (claims.iat as number), 3600);

  const signedIn = await authClient(env).auth.signInWithPassword({ email, password: PASSWORD });
  assert.equal(signedIn.error, null);
  assert.notEqual(signedIn.data.session?.refresh_token, session.refresh_token);
  assert.notEqual(decodeClaims(signedIn.data.session!.access_token).session_id, claims.session_id);

  await withSql(async (sql) => {
    const [user] = await sql`
      select encrypted_password, email_confirmed_at, instance_id from auth.users
      where id = ${claims.sub as string}`;
    assert.match(user?.encrypted_password, /^\$2a\$10\$/, "bcrypt at Go's default cost");
    assert.equal(user?.instance_id, "00000000-0000-0000-0000-000000000000");
    const sessions = await sql`
      select s.id, s.aal, count(r.id)::int as tokens
      from auth.sessions s join auth.refresh_tokens r on r.session_id = s.id
      where s.user_id = ${claims.sub as string} group by s.id`;
    assert.equal(sessions.length, 2);
    assert.ok(sessions.every((row) => row.aal === "aal1" && row.tokens === 1));
  });

  const wrong = await authClient(env).auth.signInWithPassword({ email, password: "not it" });
  assert.equal(wrong.error?.status, 400);
  assert.equal(wrong.error?.code, "invalid_credentials");
  const again = await authClient(env).auth.signUp({ email, password: PASSWORD });
  assert.equal(again.error?.status, 422);
  assert.equal(again.error?.code, "user_already_exists");
  const weak = await authClient(env).auth.signUp({ email: newEmail("weak"), password: "12345" });
  assert.equal(weak.error?.status, 422);
  assert.equal(weak.error?.code, "weak_password");
  assert.deepEqual((weak.error as { reasons?: string[] }).reasons, ["length"]);
});

Deno.test("getUser, setSession and refreshSession work on a session; the refreshed token is accepted", async () => {
  const email = newEmail("session");
  const supabase = authClient(env);
  const { data } = await supabase.auth.signUp({ email, password: PASSWORD });
  const first = data.session!;

  const user = await supabase.auth.getUser();
  assert.equal(user.error, null);
  assert.equal(user.data.user?.email, email);

  const other = authClient(env);
  const set = await other.auth.setSession({
    access_token: first.access_token,
    refresh_token: first.refresh_token,
  });
  assert.equal(set.error, null);
  assert.equal(set.data.user?.id, data.user?.id);

  const refreshed = await supabase.auth.refreshSession();
  assert.equal(refreshed.error, null);
  const second = refreshed.data.session!;
  assert.notEqual(second.refresh_token, first.refresh_token, "refresh tokens rotate");
  assert.equal(
    decodeClaims(second.access_token).session_id,
    decodeClaims(first.access_token).session_id,
    "same session",
  );
  const byNewToken = await supabase.auth.getUser(second.access_token);
  assert.equal(byNewToken.data.user?.id, data.user?.id);
});

Deno.test("signOut ends the session: its refresh token is refused, its access token no longer reads the user", async () => {
  const email = newEmail("signout");
  const supabase = authClient(env);
  const { data } = await supabase.auth.signUp({ email, password: PASSWORD });
  const session = data.session!;
  const out = await supabase.auth.signOut();
  assert.equal(out.error, null);
  assert.equal((await supabase.auth.getSession()).data.session, null);

  const refresh = await fetch(`${env.apiUrl}/auth/v1/token?grant_type=refresh_token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: session.refresh_token }),
  });
  assert.equal(refresh.status, 400);
  assert.equal((await refresh.json()).error_code, "refresh_token_not_found");
  const user = await fetch(`${env.apiUrl}/auth/v1/user`, {
    headers: { authorization: `Bearer ${session.access_token}` },
  });
  assert.equal(user.status, 403);
  assert.equal((await user.json()).error_code, "session_not_found");
});

Deno.test("signOut scopes: local ends this session, others every other, global all", async () => {
  const email = newEmail("scopes");
  await authClient(env).auth.signUp({ email, password: PASSWORD });
  const signIn = async () => {
    const client = authClient(env);
    const { data, error } = await client.auth.signInWithPassword({ email, password: PASSWORD });
    assert.equal(error, null);
    return { client, session: data.session! };
  };
  const alive = async (refreshToken: string) =>
    (await authClient(env).auth.refreshSession({ refresh_token: refreshToken })).error === null;

  const a = await signIn();
  const b = await signIn();
  const c = await signIn();
  assert.equal((await b.client.auth.signOut({ scope: "local" })).error, null);
  assert.equal(await alive(b.session.refresh_token), false, "local: this session ended");
  assert.equal(await alive(a.session.refresh_token), true, "local: others kept");

  const d = await signIn();
  assert.equal((await d.client.auth.signOut({ scope: "others" })).error, null);
  assert.equal(await alive(c.session.refresh_token), false, "others: other sessions ended");
  const kept = await d.client.auth.refreshSession();
  assert.equal(kept.error, null, "others: this session kept");

  const e = await signIn();
  assert.equal((await e.client.auth.signOut()).error, null);
  assert.equal(await alive(kept.data.session!.refresh_token), false, "global: all ended");
});

Deno.test("a session from signInWithPassword calls the workspaces function", async () => {
  const email = newEmail("workspaces");
  await authClient(env).auth.signUp({ email, password: PASSWORD });
  const supabase = authClient(env);
  const { data } = await supabase.auth.signInWithPassword({ email, password: PASSWORD });
  const api = new ApiClient(env, data.session!.access_token);
  const created = await api.call<{ id: string }>("POST", "workspaces", {
    name: "from-auth",
    strategy: "last_write_wins",
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const listed = await api.call<{ workspaces: { id: string }[] }>("GET", "workspaces");
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.workspaces.map((workspace) => workspace.id), [created.body.id]);

  // supabase-js's own functions client sends the session's token.
  const invoked = await supabase.functions.invoke("workspaces", { method: "GET" });
  assert.equal(invoked.error, null);
  assert.deepEqual(
    (invoked.data as { workspaces: { id: string }[] }).workspaces.map((workspace) => workspace.id),
    [created.body.id],
  );
});

Deno.test("deno task user --password makes a user that signs in with that password", async () => {
  const email = newEmail("cli");
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "user", ...args],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
  const made = await run([email, "--password", "first-password"]);
  assert.ok(made.success, new TextDecoder().decode(made.stderr));
  const token = new TextDecoder().decode(made.stdout).trim();
  const byToken = await authClient(env).auth.getUser(token);
  assert.equal(byToken.data.user?.email, email, "the printed token reads the user");

  const signedIn = await authClient(env).auth.signInWithPassword({
    email,
    password: "first-password",
  });
  assert.equal(signedIn.error, null);
  // Idempotent, and a second run sets the new password.
  const again = await run([email, "--password", "second-password"]);
  assert.ok(again.success, new TextDecoder().decode(again.stderr));
  const old = await authClient(env).auth.signInWithPassword({ email, password: "first-password" });
  assert.equal(old.error?.code, "invalid_credentials");
  const fresh = await authClient(env).auth.signInWithPassword({
    email,
    password: "second-password",
  });
  assert.equal(fresh.data.user?.id, signedIn.data.user?.id);
  const short = await run([newEmail("cli-short"), "--password", "123"]);
  assert.equal(short.code, 2, "a too-short password is refused");
});
