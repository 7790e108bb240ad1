-- Sandsync sync core: workspaces and replicas.
--
-- Purpose: a workspace is the synced file tree of one coding session, owned by one user and
-- naming its sandbox; it carries the conflict strategy, the retention settings, `sync_git` (the
-- owner's opt-in to syncing `.git/`, protected otherwise) and the journal counter `last_seq`
-- whose row lock serialises the workspace's commits (see the commit migration). A replica is one
-- participant (sandbox agent, mobile client, bridge) with an id, unique within its workspace,
-- that keys version vectors; a `sandsync watch` daemon reports its health on its replica row so
-- any client of the workspace can see that an agent is stuck and why.
-- Objects: sandsync.workspaces, sandsync.replicas (RLS: owner only), RPCs create_workspace,
-- update_workspace, delete_workspace, list_workspaces, register_replica, replica_heartbeat.
-- Why replica ids are scoped to their workspace (primary key (workspace_id, id)): with global
-- ids, registering an id another workspace used answered differently from a fresh id (telling
-- that it exists somewhere), and whoever registered an id first kept it.
-- Why column grants: `authenticated` holds only the columns the security-invoker RPCs update
-- (update_workspace, commit_changes, resolve_conflict, register_replica, replica_heartbeat,
-- report_replica_health), so a client cannot rewrite a workspace's owner or id or move a replica
-- to another workspace. Row locks (`for update`) need any column's UPDATE, which these keep.
-- `sync_git` is changed only by the owner's user session (never an agent token:
-- workspace_service.ts).

create table sandsync.workspaces (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references auth.users (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  sandbox_id text check (length(sandbox_id) <= 200),
  strategy text not null default 'last_write_wins'
    check (strategy in ('last_write_wins', 'user_intervention', 'auto_merge')),
  merge_fallback text not null default 'user_intervention'
    check (merge_fallback in ('user_intervention', 'last_write_wins')),
  conflict_copies boolean not null default true,
  retention_versions integer not null default 100 check (retention_versions >= 1),
  retention_age interval not null default interval '90 days' check (retention_age > interval '0'),
  last_seq bigint not null default 0 check (last_seq >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  sync_git boolean not null default false,
  -- Lets child tables carry owner_id (for cheap, indexed RLS) without it drifting.
  unique (id, owner_id)
);
create index workspaces_owner_id_idx on sandsync.workspaces (owner_id);
comment on table sandsync.workspaces is
  'One synced file tree (a coding session) owned by one user; its row lock serialises commits.';
comment on column sandsync.workspaces.id is 'Workspace id.';
comment on column sandsync.workspaces.owner_id is 'The owning Supabase user.';
comment on column sandsync.workspaces.name is 'Display name.';
comment on column sandsync.workspaces.sandbox_id is 'The sandbox (E2B or other) this workspace mirrors, if any.';
comment on column sandsync.workspaces.strategy is
  'Conflict strategy for concurrent edits: last_write_wins, user_intervention or auto_merge.';
comment on column sandsync.workspaces.merge_fallback is
  'What auto_merge falls back to when no common ancestor exists or the caller cannot merge.';
comment on column sandsync.workspaces.conflict_copies is
  'Under last_write_wins, keep the loser also as a conflict-copy file.';
comment on column sandsync.workspaces.retention_versions is 'History kept per file: at most this many versions.';
comment on column sandsync.workspaces.retention_age is 'History kept per file: versions younger than this.';
comment on column sandsync.workspaces.last_seq is 'Last journal sequence number allocated in this workspace.';
comment on column sandsync.workspaces.created_at is 'Creation time.';
comment on column sandsync.workspaces.updated_at is 'Last settings change.';
comment on column sandsync.workspaces.sync_git is
  'Sync .git/ directories (refused by the path rules otherwise); changed only by the owner''s user session.';

alter table sandsync.workspaces enable row level security;
create policy "Users can see their own workspaces" on sandsync.workspaces
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can create workspaces they own" on sandsync.workspaces
  for insert to authenticated with check (owner_id = (select auth.uid()));
create policy "Users can update their own workspaces" on sandsync.workspaces
  for update to authenticated
  using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
create policy "Users can delete their own workspaces" on sandsync.workspaces
  for delete to authenticated using (owner_id = (select auth.uid()));
grant select, insert, delete on sandsync.workspaces to authenticated;
grant update (name, sandbox_id, strategy, merge_fallback, conflict_copies, retention_versions,
  retention_age, sync_git, last_seq, updated_at) on sandsync.workspaces to authenticated;
grant all on sandsync.workspaces to service_role;

create table sandsync.replicas (
  id uuid not null,
  workspace_id uuid not null,
  owner_id uuid not null,
  kind text not null check (kind in ('agent', 'mobile', 'bridge', 'cli', 'web')),
  name text check (length(name) <= 200),
  sandbox_instance text check (length(sandbox_instance) <= 200),
  last_cursor bigint not null default 0 check (last_cursor >= 0),
  last_seen_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  daemon_state text check (daemon_state in ('starting', 'idle', 'running', 'backoff', 'stopping')),
  last_run_at timestamptz,
  last_success_at timestamptz,
  last_error text check (length(last_error) <= 1000),
  pending_changes integer check (pending_changes >= 0),
  held_deletes integer check (held_deletes >= 0),
  health_reported_at timestamptz,
  constraint replicas_pkey primary key (workspace_id, id),
  -- The target of the composite foreign keys that keep references inside one workspace.
  constraint replicas_id_workspace_id_key unique (id, workspace_id),
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade
);
create index replicas_workspace_id_idx on sandsync.replicas (workspace_id);
create index replicas_owner_id_idx on sandsync.replicas (owner_id);
comment on table sandsync.replicas is
  'Participants of a workspace (agent, mobile, bridge...); their ids key the version vectors.';
comment on column sandsync.replicas.id is
  'Replica id chosen by the client (a uuid), unique within its workspace; a version-vector key.';
comment on column sandsync.replicas.workspace_id is 'The workspace it syncs.';
comment on column sandsync.replicas.owner_id is 'Owner of the workspace (denormalised for RLS).';
comment on column sandsync.replicas.kind is 'What the replica is: agent, mobile, bridge, cli or web; recorded as author kind.';
comment on column sandsync.replicas.name is 'Display name.';
comment on column sandsync.replicas.sandbox_instance is 'The sandbox instance the replica last saw (detects a new, empty sandbox).';
comment on column sandsync.replicas.last_cursor is 'Last journal seq the replica reported as applied.';
comment on column sandsync.replicas.last_seen_at is 'Last time the replica committed or reported.';
comment on column sandsync.replicas.created_at is 'Registration time.';
comment on column sandsync.replicas.daemon_state is
  'What the replica''s daemon last reported doing: starting, idle, running, backoff (retrying after a failure) or stopping.';
comment on column sandsync.replicas.last_run_at is 'When the daemon last started a sync run.';
comment on column sandsync.replicas.last_success_at is 'When a sync run of the daemon last succeeded.';
comment on column sandsync.replicas.last_error is 'The last failure of the daemon (null after a success), with its error code.';
comment on column sandsync.replicas.pending_changes is 'Local changes the daemon had not committed yet, when reported.';
comment on column sandsync.replicas.held_deletes is 'Deletions the daemon holds for confirmation (--max-delete).';
comment on column sandsync.replicas.health_reported_at is 'When the daemon last reported its health.';

alter table sandsync.replicas enable row level security;
create policy "Users can see replicas of their workspaces" on sandsync.replicas
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can register replicas in their workspaces" on sandsync.replicas
  for insert to authenticated with check (owner_id = (select auth.uid()));
create policy "Users can update replicas of their workspaces" on sandsync.replicas
  for update to authenticated
  using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
-- Kept though `authenticated` holds no delete grant: a replica is removed with its workspace.
create policy "Users can remove replicas of their workspaces" on sandsync.replicas
  for delete to authenticated using (owner_id = (select auth.uid()));
grant select, insert on sandsync.replicas to authenticated;
grant update (kind, name, sandbox_instance, last_cursor, last_seen_at, daemon_state, last_run_at,
  last_success_at, last_error, pending_changes, held_deletes, health_reported_at)
  on sandsync.replicas to authenticated;
grant all on sandsync.replicas to service_role;

-- RPCs -----------------------------------------------------------------------------------------

create function public.create_workspace(
  p_name text,
  p_strategy text default 'last_write_wins',
  p_sandbox_id text default null,
  p_merge_fallback text default 'user_intervention',
  p_conflict_copies boolean default true
)
returns sandsync.workspaces
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_row sandsync.workspaces;
begin
  if auth.uid() is null then
    raise exception 'Cannot create a workspace: no user' using errcode = 'SSA01', hint = 'unauthorized';
  end if;
  if p_strategy is null or p_strategy not in ('last_write_wins', 'user_intervention', 'auto_merge')
    or p_merge_fallback is null or p_merge_fallback not in ('user_intervention', 'last_write_wins')
    or p_name is null or length(p_name) not between 1 and 200 then
    raise exception 'Cannot create workspace "%": invalid name, strategy or merge fallback', p_name
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  insert into sandsync.workspaces (owner_id, name, sandbox_id, strategy, merge_fallback, conflict_copies)
  values (auth.uid(), p_name, p_sandbox_id, p_strategy, p_merge_fallback, coalesce(p_conflict_copies, true))
  returning * into v_row;
  return v_row;
end
$$;
comment on function public.create_workspace(text, text, text, text, boolean) is
  'Creates a workspace owned by the caller with a conflict strategy; returns the row.';
grant execute on function public.create_workspace(text, text, text, text, boolean) to authenticated;

-- Accepts the settings keys below only; 'sync_git' is refused to agent tokens by the function.
create function public.update_workspace(
  p_workspace_id uuid,
  p_settings jsonb
)
returns sandsync.workspaces
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_row sandsync.workspaces;
begin
  if jsonb_typeof(p_settings) is distinct from 'object' or exists (
    select 1 from jsonb_object_keys(p_settings) as k
    where k not in ('name', 'sandbox_id', 'strategy', 'merge_fallback', 'conflict_copies',
      'retention_versions', 'retention_age', 'sync_git')
  ) then
    raise exception 'Cannot update workspace "%": unknown setting', p_workspace_id
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  begin
    update sandsync.workspaces set
      name = coalesce(p_settings ->> 'name', name),
      sandbox_id = case when p_settings ? 'sandbox_id' then p_settings ->> 'sandbox_id' else sandbox_id end,
      strategy = coalesce(p_settings ->> 'strategy', strategy),
      merge_fallback = coalesce(p_settings ->> 'merge_fallback', merge_fallback),
      conflict_copies = coalesce((p_settings ->> 'conflict_copies')::boolean, conflict_copies),
      retention_versions = coalesce((p_settings ->> 'retention_versions')::integer, retention_versions),
      retention_age = coalesce((p_settings ->> 'retention_age')::interval, retention_age),
      sync_git = coalesce((p_settings ->> 'sync_git')::boolean, sync_git),
      updated_at = now()
    where id = p_workspace_id
    returning * into v_row;
  exception
    when check_violation or invalid_text_representation or invalid_datetime_format
      or datetime_field_overflow or numeric_value_out_of_range then
      raise exception 'Cannot update workspace "%": invalid setting value', p_workspace_id
        using errcode = 'SSI01', hint = 'validation_failed';
  end;
  if v_row.id is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  return v_row;
end
$$;
comment on function public.update_workspace(uuid, jsonb) is
  'Changes workspace settings (name, sandbox_id, strategy, merge_fallback, conflict_copies, retention_versions, retention_age, sync_git).';
grant execute on function public.update_workspace(uuid, jsonb) to authenticated, service_role;

create function public.delete_workspace(p_workspace_id uuid)
returns boolean
language sql
security invoker
set search_path = ''
as $$
  with deleted as (delete from sandsync.workspaces where id = p_workspace_id returning 1)
  select exists (select 1 from deleted)
$$;
comment on function public.delete_workspace(uuid) is
  'Deletes a workspace with its files, history, journal and conflicts; blobs become collectable.';
grant execute on function public.delete_workspace(uuid) to authenticated, service_role;

create function public.list_workspaces()
returns setof sandsync.workspaces
language sql
stable
security invoker
set search_path = ''
as $$
  select * from sandsync.workspaces order by created_at, id
$$;
comment on function public.list_workspaces() is 'The workspaces the caller can see (RLS: their own).';
grant execute on function public.list_workspaces() to authenticated, service_role;

-- Any workspace may register any id: a foreign id answers exactly like a fresh one.
create function public.register_replica(
  p_workspace_id uuid,
  p_replica_id uuid,
  p_kind text,
  p_name text default null,
  p_sandbox_instance text default null
)
returns sandsync.replicas
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_owner uuid;
  v_row sandsync.replicas;
begin
  select owner_id into v_owner from sandsync.workspaces where id = p_workspace_id;
  if v_owner is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  if p_replica_id is null or p_kind is null or p_kind not in ('agent', 'mobile', 'bridge', 'cli', 'web') then
    raise exception 'Cannot register replica "%": invalid id or kind "%"', p_replica_id, p_kind
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  insert into sandsync.replicas as r (id, workspace_id, owner_id, kind, name, sandbox_instance)
  values (p_replica_id, p_workspace_id, v_owner, p_kind, p_name, p_sandbox_instance)
  on conflict (workspace_id, id) do update set
    kind = excluded.kind,
    name = coalesce(excluded.name, r.name),
    sandbox_instance = coalesce(excluded.sandbox_instance, r.sandbox_instance),
    last_seen_at = now()
  returning * into v_row;
  return v_row;
end
$$;
comment on function public.register_replica(uuid, uuid, text, text, text) is
  'Registers (or refreshes) a replica of a workspace; idempotent for the same id and workspace; ids are per workspace.';
grant execute on function public.register_replica(uuid, uuid, text, text, text) to authenticated, service_role;

create function public.replica_heartbeat(
  p_workspace_id uuid,
  p_replica_id uuid,
  p_last_cursor bigint default null,
  p_sandbox_instance text default null
)
returns sandsync.replicas
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_row sandsync.replicas;
begin
  update sandsync.replicas set
    last_cursor = greatest(last_cursor, coalesce(p_last_cursor, last_cursor)),
    sandbox_instance = coalesce(p_sandbox_instance, sandbox_instance),
    last_seen_at = now()
  where workspace_id = p_workspace_id and id = p_replica_id
  returning * into v_row;
  if v_row.id is null then
    raise exception 'Cannot find replica "%"', p_replica_id
      using errcode = 'SSN02', hint = 'replica_not_found';
  end if;
  return v_row;
end
$$;
comment on function public.replica_heartbeat(uuid, uuid, bigint, text) is
  'Records that a replica is alive, the journal cursor it has applied and the sandbox instance it sees.';
grant execute on function public.replica_heartbeat(uuid, uuid, bigint, text) to authenticated, service_role;
