-- Sandsync sync core: replica state and health, as the bridge and the daemons report them.
--
-- Purpose: per replica and path, the last state the replica reported (size, mtime, hash), so
-- the bridge can tell what changed in a sandbox without downloading it; and the health a
-- `sandsync watch` daemon reports with its heartbeat (state, last run and success, last error,
-- pending changes, held deletions; columns of sandsync.replicas), so a phone (or any client of
-- the workspace) can see that an agent is stuck and why, without a shell in the sandbox.
-- Objects: sandsync.replica_files (RLS: owner only), RPCs report_replica_state, replica_state,
-- report_replica_health.
-- Why workspace_id in the key: replica ids are unique within their workspace only, so the state
-- of a replica is keyed (workspace_id, replica_id, path) with a foreign key to its replica.

create table sandsync.replica_files (
  replica_id uuid not null,
  path text not null,
  owner_id uuid not null,
  size bigint not null check (size >= 0),
  mtime timestamptz,
  sha256 text check (sha256 ~ '^[0-9a-f]{64}$'),
  reported_at timestamptz not null default now(),
  workspace_id uuid not null,
  constraint replica_files_pkey primary key (workspace_id, replica_id, path),
  constraint replica_files_replica_fkey foreign key (replica_id, workspace_id)
    references sandsync.replicas (id, workspace_id) on delete cascade
);
create index replica_files_owner_id_idx on sandsync.replica_files (owner_id);
comment on table sandsync.replica_files is
  'Last reported state per replica and path (size, mtime, hash): change detection without downloads.';
comment on column sandsync.replica_files.replica_id is 'Reporting replica.';
comment on column sandsync.replica_files.path is 'Path as the replica holds it.';
comment on column sandsync.replica_files.owner_id is 'Owner of the replica''s workspace (denormalised for RLS).';
comment on column sandsync.replica_files.size is 'Reported size.';
comment on column sandsync.replica_files.mtime is 'Reported modification time.';
comment on column sandsync.replica_files.sha256 is 'Reported content hash, if known.';
comment on column sandsync.replica_files.reported_at is 'When it was reported.';
comment on column sandsync.replica_files.workspace_id is 'The workspace of the reporting replica.';
alter table sandsync.replica_files enable row level security;
create policy "Users can see the state of their replicas" on sandsync.replica_files
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can report the state of their replicas" on sandsync.replica_files
  for insert to authenticated with check (owner_id = (select auth.uid()));
create policy "Users can update the state of their replicas" on sandsync.replica_files
  for update to authenticated
  using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
create policy "Users can forget the state of their replicas" on sandsync.replica_files
  for delete to authenticated using (owner_id = (select auth.uid()));
grant select, insert, update, delete on sandsync.replica_files to authenticated;
grant all on sandsync.replica_files to service_role;

-- RPCs -----------------------------------------------------------------------------------------

create function public.report_replica_state(p_workspace_id uuid, p_replica_id uuid, p_entries jsonb)
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_owner uuid;
  v_count integer;
begin
  select owner_id into v_owner from sandsync.replicas
  where workspace_id = p_workspace_id and id = p_replica_id;
  if v_owner is null then
    raise exception 'Cannot find replica "%"', p_replica_id using errcode = 'SSN02', hint = 'replica_not_found';
  end if;
  if jsonb_typeof(p_entries) is distinct from 'array' or exists (
    select 1 from jsonb_array_elements(p_entries) as e
    where jsonb_typeof(e -> 'path') is distinct from 'string'
      or (not coalesce((e ->> 'deleted')::boolean, false)
        and (jsonb_typeof(e -> 'size') is distinct from 'number' or (e ->> 'size') !~ '^[0-9]{1,18}$'
          or coalesce(e ->> 'sha256', repeat('0', 64)) !~ '^[0-9a-f]{64}$'))
  ) then
    raise exception 'Cannot record replica state: entries must be [{path, size, mtime?, sha256?, deleted?}]'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  delete from sandsync.replica_files as r
  using jsonb_array_elements(p_entries) as e
  where r.workspace_id = p_workspace_id and r.replica_id = p_replica_id and r.path = e ->> 'path'
    and coalesce((e ->> 'deleted')::boolean, false);
  insert into sandsync.replica_files as r (workspace_id, replica_id, path, owner_id, size, mtime, sha256)
  select p_workspace_id, p_replica_id, e ->> 'path', v_owner, (e ->> 'size')::bigint,
    (e ->> 'mtime')::timestamptz, e ->> 'sha256'
  from jsonb_array_elements(p_entries) as e
  where not coalesce((e ->> 'deleted')::boolean, false)
  on conflict (workspace_id, replica_id, path) do update set
    size = excluded.size, mtime = excluded.mtime, sha256 = excluded.sha256, reported_at = now();
  get diagnostics v_count = row_count;
  update sandsync.replicas set last_seen_at = now()
  where workspace_id = p_workspace_id and id = p_replica_id;
  return v_count;
end
$$;
comment on function public.report_replica_state(uuid, uuid, jsonb) is
  'Records what a replica holds: entries [{path, size, mtime?, sha256?}] upserted, {path, deleted: true} forgotten.';
grant execute on function public.report_replica_state(uuid, uuid, jsonb) to authenticated, service_role;

create function public.replica_state(p_workspace_id uuid, p_replica_id uuid)
returns setof sandsync.replica_files
language sql
stable
security invoker
set search_path = ''
as $$
  select * from sandsync.replica_files
  where workspace_id = p_workspace_id and replica_id = p_replica_id order by path
$$;
comment on function public.replica_state(uuid, uuid) is 'The last reported state of a replica, by path.';
grant execute on function public.replica_state(uuid, uuid) to authenticated, service_role;

-- Why invoker: the caller updates a replica of its own workspace through the RLS policy "Users
-- can update replicas of their workspaces"; nothing wider is needed.
create function public.report_replica_health(
  p_workspace_id uuid,
  p_replica_id uuid,
  p_health jsonb
)
returns sandsync.replicas
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_row sandsync.replicas;
begin
  if jsonb_typeof(p_health) is distinct from 'object'
    or coalesce(p_health ->> 'state', 'idle') not in ('starting', 'idle', 'running', 'backoff', 'stopping')
    or coalesce(p_health ->> 'pending', '0') !~ '^[0-9]{1,9}$'
    or coalesce(p_health ->> 'heldDeletes', '0') !~ '^[0-9]{1,9}$'
    or coalesce(p_health ->> 'cursor', '0') !~ '^[0-9]{1,18}$'
    or length(p_health ->> 'lastError') > 1000
  then
    raise exception 'Cannot record replica health: expected {state, lastRunAt?, lastSuccessAt?, lastError?, pending?, heldDeletes?, cursor?}'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  update sandsync.replicas set
    daemon_state = p_health ->> 'state',
    last_run_at = (p_health ->> 'lastRunAt')::timestamptz,
    last_success_at = (p_health ->> 'lastSuccessAt')::timestamptz,
    last_error = p_health ->> 'lastError',
    pending_changes = (p_health ->> 'pending')::integer,
    held_deletes = (p_health ->> 'heldDeletes')::integer,
    last_cursor = greatest(last_cursor, coalesce((p_health ->> 'cursor')::bigint, last_cursor)),
    health_reported_at = now(),
    last_seen_at = now()
  where id = p_replica_id and workspace_id = p_workspace_id
  returning * into v_row;
  if v_row.id is null then
    raise exception 'Cannot find replica "%"', p_replica_id
      using errcode = 'SSN02', hint = 'replica_not_found';
  end if;
  return v_row;
end
$$;
comment on function public.report_replica_health(uuid, uuid, jsonb) is
  'Records a daemon''s health on its replica: {state, lastRunAt, lastSuccessAt, lastError, pending, heldDeletes, cursor}.';
revoke execute on function public.report_replica_health(uuid, uuid, jsonb) from public, anon;
grant execute on function public.report_replica_health(uuid, uuid, jsonb) to authenticated, service_role;
