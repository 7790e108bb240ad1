// Health check: proves the functions gateway, JWT verification and the function environment.
// To be removed once the real functions exist.
Deno.serve((request) => {
  const url = new URL(request.url);
  return Response.json({
    status: "ok",
    function: "health",
    method: request.method,
    path: url.pathname,
    supabaseUrl: Deno.env.get("SUPABASE_URL") ?? null,
    hasServiceRoleKey: Boolean(Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")),
    hasDbUrl: Boolean(Deno.env.get("SUPABASE_DB_URL")),
  });
});
