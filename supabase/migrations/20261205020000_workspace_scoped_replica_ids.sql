-- Tenancy: replica ids are scoped to their workspace.
--
-- Purpose: replica ids were global (primary key `id`), so registering an id another workspace
-- already used answered 400 while a fresh id succeeded (telling that the id exists somewhere), and
-- whoever registered an id first kept it. A replica is now identified by (workspace, id): any
-- workspace may register any id, and a foreign id answers exactly like a fresh one. Version
-- vectors were always per workspace (their keys must be replicas of the file's workspace), and
-- every reference to a replica already named its workspace except the replica state of the
-- bridge, which now does too.
-- Objects: sandsync.replicas primary key (workspace_id, id); sandsync.replica_files gains
--   workspace_id (primary key (workspace_id, replica_id, path), foreign key to its replica);
--   public.register_replica (no global check), public.replica_heartbeat,
--   public.report_replica_state, public.replica_state (take the workspace id).

alter table sandsync.replica_files add column workspace_id uuid;
update sandsync.replica_files as f set workspace_id = r.workspace_id
from sandsync.replicas as r where r.id = f.replica_id;
alter table sandsync.replica_files
  alter column workspace_id set not null,
  drop constraint replica_files_replica_id_fkey,
  drop constraint replica_files_pkey,
  add constraint replica_files_pkey primary key (workspace_id, replica_id, path),
  add constraint replica_files_replica_fkey foreign key (replica_id, workspace_id)
    references sandsync.replicas (id, workspace_id) on delete cascade;
comment on column sandsync.replica_files.workspace_id is 'The workspace of the reporting replica.';

alter table sandsync.replicas
  drop constraint replicas_pkey,
  add constraint replicas_pkey primary key (workspace_id, id);
comment on column sandsync.replicas.id is
  'Replica id chosen by the client (a uuid), unique within its workspace; a version-vector key.';

create or replace function public.register_replica(
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
      using errcode = 'SSI01', hint = 'invalid_input';
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

drop function public.replica_heartbeat(uuid, bigint, text);
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

drop function public.report_replica_state(uuid, jsonb);
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
      using errcode = 'SSI01', hint = 'invalid_input';
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

drop function public.replica_state(uuid);
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
