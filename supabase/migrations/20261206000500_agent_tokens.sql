-- Sandsync API: workspace-scoped agent tokens and the request claims that carry them.
--
-- Purpose: an agent inside a sandbox holds no user session. The workspace owner issues it an
-- opaque token (`sst_...`) limited to one workspace, with an expiry; the token is shown once and
-- stored only as its SHA-256, can be listed and revoked. The functions resolve a presented token
-- (service role, by hash) and then act as the owner, scoped to that workspace, with the claims
-- `sandsync_token_id` and `sandsync_workspace_id` set in `request.jwt.claims`.
-- Objects: sandsync.agent_tokens (RLS: owner only); helpers sandsync.claim_uuid,
-- sandsync.current_agent_token_id, sandsync.current_workspace_scope; RPCs create_agent_token,
-- list_agent_tokens, revoke_agent_token, service_resolve_agent_token.
-- Why before the blob and file tables: versions and change sets record the agent token behind
-- them through a column default (sandsync.current_agent_token_id()) and a foreign key to this
-- table, so every insert path (commit, resolution, conflict copy) records it without a change.

create table sandsync.agent_tokens (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  owner_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  token_prefix text not null check (length(token_prefix) between 4 and 16),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  last_used_at timestamptz,
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade,
  check (expires_at > created_at)
);
create index agent_tokens_owner_id_idx on sandsync.agent_tokens (owner_id);
create index agent_tokens_workspace_id_idx on sandsync.agent_tokens (workspace_id);
comment on table sandsync.agent_tokens is
  'Workspace-scoped tokens for sandbox agents: stored hashed, expiring, revocable.';
comment on column sandsync.agent_tokens.id is 'Token id (shown in listings; the secret is never stored).';
comment on column sandsync.agent_tokens.workspace_id is 'The only workspace the token reaches.';
comment on column sandsync.agent_tokens.owner_id is 'Owner of the workspace; the token acts as this user.';
comment on column sandsync.agent_tokens.name is 'Display name (e.g. the sandbox it was issued for).';
comment on column sandsync.agent_tokens.token_hash is 'SHA-256 (hex) of the token.';
comment on column sandsync.agent_tokens.token_prefix is 'First characters of the token, to recognise it in listings.';
comment on column sandsync.agent_tokens.created_at is 'Issue time.';
comment on column sandsync.agent_tokens.expires_at is 'After this the token is refused.';
comment on column sandsync.agent_tokens.revoked_at is 'Set when revoked; a revoked token is refused.';
comment on column sandsync.agent_tokens.last_used_at is 'Last time a request presented the token.';
alter table sandsync.agent_tokens enable row level security;
create policy "Users can see the agent tokens of their workspaces" on sandsync.agent_tokens
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can issue agent tokens for their workspaces" on sandsync.agent_tokens
  for insert to authenticated with check (owner_id = (select auth.uid()));
create policy "Users can revoke agent tokens of their workspaces" on sandsync.agent_tokens
  for update to authenticated
  using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
grant select, insert on sandsync.agent_tokens to authenticated;
grant update (revoked_at) on sandsync.agent_tokens to authenticated;
grant all on sandsync.agent_tokens to service_role;

-- Security invoker: reads only the transaction's own settings.
create function sandsync.claim_uuid(p_name text)
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
  select case
    when (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> p_name)
      ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> p_name)::uuid
  end
$$;
comment on function sandsync.claim_uuid(text) is
  'The request claim p_name (request.jwt.claims) as a uuid; null when absent or not a uuid.';
revoke all on function sandsync.claim_uuid(text) from public;
grant execute on function sandsync.claim_uuid(text) to authenticated, service_role;

-- Security invoker: reads only the transaction's own settings.
create function sandsync.current_agent_token_id()
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
  select sandsync.claim_uuid('sandsync_token_id')
$$;
comment on function sandsync.current_agent_token_id() is
  'The agent token id of the current request (claim sandsync_token_id), or null.';
revoke all on function sandsync.current_agent_token_id() from public;
grant execute on function sandsync.current_agent_token_id() to authenticated, service_role;

-- Security invoker: reads only the transaction's own settings.
create function sandsync.current_workspace_scope()
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
  select sandsync.claim_uuid('sandsync_workspace_id')
$$;
comment on function sandsync.current_workspace_scope() is
  'The one workspace the current caller is confined to (claim sandsync_workspace_id of agent tokens), or null.';
revoke all on function sandsync.current_workspace_scope() from public;
grant execute on function sandsync.current_workspace_scope() to authenticated, service_role;

-- RPCs -----------------------------------------------------------------------------------------

create function public.create_agent_token(
  p_workspace_id uuid,
  p_name text,
  p_token_hash text,
  p_token_prefix text,
  p_expires_at timestamptz
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_owner uuid;
  v_row sandsync.agent_tokens;
begin
  select owner_id into v_owner from sandsync.workspaces where id = p_workspace_id;
  if v_owner is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  if p_expires_at is null or p_expires_at <= now() or p_expires_at > now() + interval '366 days' then
    raise exception 'Cannot issue an agent token: expiry must be within a year from now'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  insert into sandsync.agent_tokens (workspace_id, owner_id, name, token_hash, token_prefix, expires_at)
  values (p_workspace_id, v_owner, p_name, p_token_hash, p_token_prefix, p_expires_at)
  returning * into v_row;
  return jsonb_build_object('id', v_row.id, 'workspace_id', v_row.workspace_id, 'name', v_row.name,
    'token_prefix', v_row.token_prefix, 'created_at', v_row.created_at, 'expires_at', v_row.expires_at);
end
$$;
comment on function public.create_agent_token(uuid, text, text, text, timestamptz) is
  'Stores a new agent token (its SHA-256 only) for a workspace the caller owns; the caller generated the secret.';
grant execute on function public.create_agent_token(uuid, text, text, text, timestamptz) to authenticated;

create function public.list_agent_tokens(p_workspace_id uuid)
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name,
    'token_prefix', t.token_prefix, 'created_at', t.created_at, 'expires_at', t.expires_at,
    'revoked_at', t.revoked_at, 'last_used_at', t.last_used_at,
    'active', t.revoked_at is null and t.expires_at > now()) order by t.created_at), '[]'::jsonb)
  from sandsync.agent_tokens as t
  where t.workspace_id = p_workspace_id
$$;
comment on function public.list_agent_tokens(uuid) is 'Agent tokens of a workspace (never their secrets).';
grant execute on function public.list_agent_tokens(uuid) to authenticated;

create function public.revoke_agent_token(p_token_id uuid)
returns boolean
language sql
security invoker
set search_path = ''
as $$
  with revoked as (
    update sandsync.agent_tokens set revoked_at = coalesce(revoked_at, now())
    where id = p_token_id returning 1
  )
  select exists (select 1 from revoked)
$$;
comment on function public.revoke_agent_token(uuid) is 'Revokes an agent token; false when the caller cannot see it.';
grant execute on function public.revoke_agent_token(uuid) to authenticated;

create function public.service_resolve_agent_token(p_token_hash text)
returns table (token_id uuid, workspace_id uuid, owner_id uuid)
language sql
security invoker
set search_path = ''
as $$
  update sandsync.agent_tokens as t set last_used_at = now()
  where t.token_hash = p_token_hash and t.revoked_at is null and t.expires_at > now()
  returning t.id, t.workspace_id, t.owner_id
$$;
comment on function public.service_resolve_agent_token(text) is
  'Service only: the grant of a live agent token, by the SHA-256 of the token presented.';
grant execute on function public.service_resolve_agent_token(text) to service_role;
