-- Sandsync sync core, part 10: listing and resolving conflicts.
--
-- Purpose: a client lists open conflicts with both sides (and the ancestor for auto_merge) and
-- resolves one with `current`, `incoming` or `merged` content (a new, stored blob). The
-- resolution is committed as a new version whose vector dominates both sides, so every replica
-- fast-forwards to it. The caller names the current version it saw; if the file moved on since,
-- the resolution is refused as stale (SSC01), never applied over changes it did not see.
-- Objects: RPCs public.list_conflicts, public.resolve_conflict.

create function public.list_conflicts(p_workspace_id uuid, p_status text default 'open')
returns table (
  conflict_id uuid,
  file_id uuid,
  path text,
  strategy text,
  merge_required boolean,
  status text,
  resolution text,
  created_at timestamptz,
  file_current_version_id uuid,
  current_version_id uuid,
  current_sha256 text,
  current_size bigint,
  current_deleted boolean,
  current_replica_id uuid,
  incoming_version_id uuid,
  incoming_sha256 text,
  incoming_size bigint,
  incoming_deleted boolean,
  incoming_replica_id uuid,
  ancestor_version_id uuid,
  ancestor_sha256 text,
  conflict_copy_path text
)
language sql
stable
security invoker
set search_path = ''
as $$
  select c.id, c.file_id, c.path, c.strategy, c.merge_required, c.status, c.resolution, c.created_at,
    f.current_version_id,
    c.current_version_id, cv.sha256, cv.size, cv.deleted, cv.replica_id,
    c.incoming_version_id, iv.sha256, iv.size, iv.deleted, iv.replica_id,
    c.ancestor_version_id, av.sha256, c.conflict_copy_path
  from sandsync.conflicts as c
  join sandsync.files as f on f.id = c.file_id
  left join sandsync.versions as cv on cv.id = c.current_version_id
  left join sandsync.versions as iv on iv.id = c.incoming_version_id
  left join sandsync.versions as av on av.id = c.ancestor_version_id
  where c.workspace_id = p_workspace_id and (p_status is null or c.status = p_status)
  order by c.created_at, c.id
$$;
comment on function public.list_conflicts(uuid, text) is
  'Conflicts of a workspace (open by default; null for all) with both sides, the ancestor and the file''s current version.';
grant execute on function public.list_conflicts(uuid, text) to authenticated, service_role;

create function public.resolve_conflict(
  p_conflict_id uuid,
  p_replica_id uuid,
  p_choice text,
  p_seen_current_version_id uuid,
  p_merged jsonb default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_ws_id uuid;
  v_ws sandsync.workspaces;
  v_conflict sandsync.conflicts;
  v_replica sandsync.replicas;
  v_file sandsync.files;
  v_incoming sandsync.versions;
  v_item sandsync.commit_item;
  v_ver sandsync.versions;
  v_seq bigint;
begin
  if p_choice is null or p_choice not in ('current', 'incoming', 'merged')
    or (p_choice = 'merged') <> (p_merged is not null) then
    raise exception 'Cannot resolve conflict "%": choice must be current, incoming, or merged with content', p_conflict_id
      using errcode = 'SSI01', hint = 'invalid_input';
  end if;
  select workspace_id into v_ws_id from sandsync.conflicts where id = p_conflict_id;
  if v_ws_id is null then
    raise exception 'Cannot find conflict "%"', p_conflict_id
      using errcode = 'SSN03', hint = 'conflict_not_found';
  end if;
  -- Same lock order as commit_changes: the workspace row first.
  select * into v_ws from sandsync.workspaces where id = v_ws_id for no key update;
  select * into v_conflict from sandsync.conflicts where id = p_conflict_id for update;
  if v_conflict.status <> 'open' then
    raise exception 'Cannot resolve conflict "%": already resolved', p_conflict_id
      using errcode = 'SSC03', hint = 'conflict_closed';
  end if;
  select * into v_replica from sandsync.replicas where id = p_replica_id and workspace_id = v_ws_id;
  if not found then
    raise exception 'Cannot resolve conflict "%": replica "%" is not registered in its workspace', p_conflict_id, p_replica_id
      using errcode = 'SSN02', hint = 'replica_not_found';
  end if;
  select * into v_file from sandsync.files where id = v_conflict.file_id for update;
  if p_seen_current_version_id is distinct from v_file.current_version_id then
    raise exception 'Cannot resolve conflict "%": "%" changed since version "%"', p_conflict_id, v_file.path, p_seen_current_version_id
      using errcode = 'SSC01', hint = 'stale_resolution',
        detail = format('current_version_id=%s', v_file.current_version_id);
  end if;
  select * into v_incoming from sandsync.versions where id = v_conflict.incoming_version_id;

  v_item.ord := 1;
  v_item.path := v_file.path;
  v_item.base := '{}';
  if p_choice = 'current' then
    v_item.deleted := v_file.deleted;
    v_item.sha256 := v_file.sha256;
    v_item.size := v_file.size;
    v_item.mode := v_file.mode;
    v_item.mtime := v_file.mtime;
  elsif p_choice = 'incoming' then
    v_item.deleted := v_incoming.deleted;
    v_item.sha256 := v_incoming.sha256;
    v_item.size := v_incoming.size;
    v_item.mode := v_incoming.mode;
    v_item.mtime := v_incoming.mtime;
  else
    if jsonb_typeof(p_merged) <> 'object'
      or jsonb_typeof(p_merged -> 'sha256') is distinct from 'string' or (p_merged ->> 'sha256') !~ '^[0-9a-f]{64}$'
      or jsonb_typeof(p_merged -> 'size') is distinct from 'number' or (p_merged ->> 'size') !~ '^[0-9]{1,18}$'
      or coalesce(p_merged ->> 'mode', '0') !~ '^[0-9]{1,4}$' or coalesce((p_merged ->> 'mode')::integer, 0) > 4095 then
      raise exception 'Cannot resolve conflict "%": merged content needs "sha256", "size" and optionally "mode"', p_conflict_id
        using errcode = 'SSI01', hint = 'invalid_input';
    end if;
    v_item.deleted := false;
    v_item.sha256 := p_merged ->> 'sha256';
    v_item.size := (p_merged ->> 'size')::bigint;
    v_item.mode := coalesce((p_merged ->> 'mode')::integer, v_file.mode);
    v_item.mtime := null;
    v_item.lines_added := case when p_merged ->> 'lines_added' ~ '^[0-9]{1,9}$' then (p_merged ->> 'lines_added')::integer end;
    v_item.lines_removed := case when p_merged ->> 'lines_removed' ~ '^[0-9]{1,9}$' then (p_merged ->> 'lines_removed')::integer end;
    if not exists (
      select 1 from sandsync.blobs
      where owner_id = v_ws.owner_id and sha256 = v_item.sha256 and size = v_item.size and state = 'stored'
    ) then
      raise exception 'Cannot resolve conflict "%": blob "%" of size % is not stored', p_conflict_id, v_item.sha256, v_item.size
        using errcode = 'SSN04', hint = 'blob_not_stored';
    end if;
  end if;

  v_ver := sandsync.add_version(v_ws, v_file.id, v_item,
    sandsync.vv_bump(sandsync.vv_merge(v_file.vector, coalesce(v_incoming.vector, '{}')), p_replica_id),
    v_replica, null, 'resolution');
  v_seq := v_ws.last_seq + 1;
  perform sandsync.make_current(v_ver, v_seq, p_conflict_id);
  update sandsync.workspaces set last_seq = v_seq where id = v_ws_id;
  update sandsync.conflicts set status = 'resolved', resolution = p_choice, resolved_version_id = v_ver.id,
    resolved_by = auth.uid(), resolved_at = now()
  where id = p_conflict_id;
  perform pg_notify('sandsync_changes', json_build_object('workspace_id', v_ws_id, 'seq', v_seq)::text);
  return jsonb_build_object('conflict_id', p_conflict_id, 'version_id', v_ver.id, 'vector', v_ver.vector,
    'seq', v_seq, 'resolution', p_choice);
end
$$;
comment on function public.resolve_conflict(uuid, uuid, text, uuid, jsonb) is
  'Resolves an open conflict with current, incoming or merged {sha256,size[,mode]} content as a new version dominating both sides; refuses a stale view.';
grant execute on function public.resolve_conflict(uuid, uuid, text, uuid, jsonb) to authenticated, service_role;
