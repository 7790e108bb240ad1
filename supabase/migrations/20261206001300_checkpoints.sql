-- Sandsync e2b-bridge: named checkpoints and a workspace's state at a journal position.
--
-- Purpose: `e2b-bridge/snapshot` pulls a sandbox and records a named checkpoint of the
-- workspace: its journal position (`seq`) right after the pull. `e2b-bridge/restore` writes the
-- workspace into a sandbox as it was at a checkpoint, at a version or at a time: all three
-- become a journal position, and the state at a position is read from the journal (whose rows
-- carry every field of the version they made current, and survive history pruning).
-- Objects: sandsync.checkpoints (RLS: owner only); RPCs create_checkpoint, list_checkpoints,
-- delete_checkpoint, restore_point, workspace_state_at (error codes checkpoint_exists SSK01 and
-- restore_point_not_found SSK02 are listed in sandsync.error_codes).

create table sandsync.checkpoints (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  owner_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  seq bigint not null check (seq >= 0),
  sandbox_id text check (length(sandbox_id) <= 200),
  replica_id uuid,
  created_by uuid,
  created_at timestamptz not null default now(),
  unique (workspace_id, name),
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade
);
create index checkpoints_owner_id_idx on sandsync.checkpoints (owner_id);
comment on table sandsync.checkpoints is
  'Named checkpoints of a workspace (e2b-bridge snapshot): a journal position a restore can return to.';
comment on column sandsync.checkpoints.id is 'Checkpoint id.';
comment on column sandsync.checkpoints.workspace_id is 'The workspace checkpointed.';
comment on column sandsync.checkpoints.owner_id is 'Owner of the workspace (denormalised for RLS).';
comment on column sandsync.checkpoints.name is 'Name, unique per workspace; restore takes it as `at`.';
comment on column sandsync.checkpoints.seq is 'The workspace journal position (last seq) the checkpoint stands for.';
comment on column sandsync.checkpoints.sandbox_id is 'The sandbox the snapshot pulled, if any.';
comment on column sandsync.checkpoints.replica_id is 'The replica that pulled it (the bridge), if any.';
comment on column sandsync.checkpoints.created_by is 'The user who asked for it (null for the service role).';
comment on column sandsync.checkpoints.created_at is 'When it was recorded.';
alter table sandsync.checkpoints enable row level security;
create policy "Users can see the checkpoints of their workspaces" on sandsync.checkpoints
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can record checkpoints of their workspaces" on sandsync.checkpoints
  for insert to authenticated with check (owner_id = (select auth.uid()));
create policy "Users can delete checkpoints of their workspaces" on sandsync.checkpoints
  for delete to authenticated using (owner_id = (select auth.uid()));
-- No update policy or grant: a checkpoint is immutable (delete it and record another).
grant select, insert, delete on sandsync.checkpoints to authenticated;
grant all on sandsync.checkpoints to service_role;

create function public.create_checkpoint(
  p_workspace_id uuid,
  p_name text,
  p_sandbox_id text default null,
  p_replica_id uuid default null,
  p_seq bigint default null
)
returns sandsync.checkpoints
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_workspace sandsync.workspaces;
  v_row sandsync.checkpoints;
begin
  select * into v_workspace from sandsync.workspaces where id = p_workspace_id;
  if v_workspace.id is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  if p_name is null or length(p_name) not between 1 and 200
    or (p_seq is not null and (p_seq < 0 or p_seq > v_workspace.last_seq)) then
    raise exception 'Cannot record checkpoint "%": invalid name or position', p_name
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  begin
    insert into sandsync.checkpoints (workspace_id, owner_id, name, seq, sandbox_id, replica_id, created_by)
    values (p_workspace_id, v_workspace.owner_id, p_name, coalesce(p_seq, v_workspace.last_seq),
      p_sandbox_id, p_replica_id, auth.uid())
    returning * into v_row;
  exception
    when unique_violation then
      raise exception 'Cannot record checkpoint "%": the name is taken', p_name
        using errcode = 'SSK01', hint = 'checkpoint_exists';
  end;
  return v_row;
end
$$;
comment on function public.create_checkpoint(uuid, text, text, uuid, bigint) is
  'Records a named checkpoint at the workspace''s last seq (or p_seq); SSK01 when the name is taken.';
grant execute on function public.create_checkpoint(uuid, text, text, uuid, bigint) to authenticated, service_role;

create function public.list_checkpoints(p_workspace_id uuid)
returns setof sandsync.checkpoints
language sql
stable
security invoker
set search_path = ''
as $$
  select * from sandsync.checkpoints where workspace_id = p_workspace_id order by created_at, name
$$;
comment on function public.list_checkpoints(uuid) is 'The checkpoints of a workspace, oldest first.';
grant execute on function public.list_checkpoints(uuid) to authenticated, service_role;

create function public.delete_checkpoint(p_workspace_id uuid, p_name text)
returns boolean
language sql
security invoker
set search_path = ''
as $$
  with deleted as (
    delete from sandsync.checkpoints where workspace_id = p_workspace_id and name = p_name returning 1
  )
  select exists (select 1 from deleted)
$$;
comment on function public.delete_checkpoint(uuid, text) is 'Deletes a checkpoint by name; true when one was deleted.';
grant execute on function public.delete_checkpoint(uuid, text) to authenticated, service_role;

-- `p_at` is a checkpoint name, a version id (uuid) or an ISO 8601 time; null means "now".
create function public.restore_point(p_workspace_id uuid, p_at text default null)
returns bigint
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_last bigint;
  v_seq bigint;
  v_time timestamptz;
begin
  select last_seq into v_last from sandsync.workspaces where id = p_workspace_id;
  if v_last is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  if p_at is null then
    return v_last;
  end if;
  select seq into v_seq from sandsync.checkpoints where workspace_id = p_workspace_id and name = p_at;
  if v_seq is not null then
    return v_seq;
  end if;
  if p_at ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    -- A version: the journal entry that made it current, else the state at its commit time.
    select c.seq into v_seq from sandsync.changes as c
    where c.workspace_id = p_workspace_id and c.kind = 'file' and c.version_id = p_at::uuid
    order by c.seq desc limit 1;
    if v_seq is not null then
      return v_seq;
    end if;
    select v.committed_at into v_time from sandsync.versions as v
    where v.workspace_id = p_workspace_id and v.id = p_at::uuid;
  elsif p_at ~ '^\d{4}-\d{2}-\d{2}([T ][0-9:.]+)?(Z|[+-]\d{2}(:?\d{2})?)?$' then
    begin
      v_time := p_at::timestamptz;
    exception
      when invalid_datetime_format or datetime_field_overflow then
        v_time := null;
    end;
  end if;
  if v_time is null then
    raise exception 'Cannot find restore point "%" in workspace "%"', p_at, p_workspace_id
      using errcode = 'SSK02', hint = 'restore_point_not_found';
  end if;
  select coalesce(max(c.seq), 0) into v_seq from sandsync.changes as c
  where c.workspace_id = p_workspace_id and c.committed_at <= v_time;
  return v_seq;
end
$$;
comment on function public.restore_point(uuid, text) is
  'The journal position of a restore target: a checkpoint name, a version id, an ISO time, or null (now).';
grant execute on function public.restore_point(uuid, text) to authenticated, service_role;

create function public.workspace_state_at(
  p_workspace_id uuid,
  p_seq bigint,
  p_after_path text default null,
  p_limit integer default 1000
)
returns table (
  path text,
  version_id uuid,
  sha256 text,
  size bigint,
  mode integer,
  mtime timestamptz,
  seq bigint
)
language sql
stable
security invoker
set search_path = ''
as $$
  select s.path, s.version_id, s.sha256, s.size, s.mode, s.mtime, s.seq
  from (
    select distinct on (c.file_id) c.path, c.version_id, c.sha256, c.size, c.mode, c.mtime, c.seq,
      c.deleted
    from sandsync.changes as c
    where c.workspace_id = p_workspace_id and c.kind = 'file' and c.seq <= p_seq
    order by c.file_id, c.seq desc
  ) as s
  where not s.deleted and (p_after_path is null or s.path > p_after_path)
  order by s.path
  limit greatest(1, least(coalesce(p_limit, 1000), 10000))
$$;
comment on function public.workspace_state_at(uuid, bigint, text, integer) is
  'The live files of a workspace as of journal position p_seq, in path order after p_after_path (keyset paging).';
grant execute on function public.workspace_state_at(uuid, bigint, text, integer) to authenticated, service_role;
