-- Sandsync sync core: conflicts, their copy names, listing and resolving them.
--
-- Purpose: a conflict records two concurrent versions of one path: `current` (the server's)
-- and `incoming` (the committer's), with the common ancestor when known (for auto_merge), the
-- strategy that produced it and how it ended. user_intervention and auto_merge leave it `open`;
-- last_write_wins records it already `resolved` (for the audit trail), and with
-- `conflict_copies` keeps the loser as a conflict-copy file. A client lists open conflicts with
-- both sides (and the ancestor for auto_merge) and resolves one with `current`, `incoming` or
-- `merged` content (a new, stored blob), committed as a new version whose vector dominates both
-- sides, so every replica fast-forwards to it.
-- Objects: sandsync.conflicts (RLS: owner only), sandsync.conflict_copy_path; RPCs
-- public.list_conflicts, public.resolve_conflict.
-- Why the caller names the current version it saw: if the file moved on since, the resolution
-- is refused (SSC01, precondition_failed), never applied over changes it did not see.
-- Why conflict-copy names follow shared/merge's rule set exactly: clients parse and show them;
-- tests/db/conflict_copy_names_test.ts checks SQL against TypeScript.

create table sandsync.conflicts (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  owner_id uuid not null,
  file_id uuid not null,
  path text not null,
  -- Set null only when housekeeping prunes the history of a resolved conflict.
  current_version_id uuid,
  incoming_version_id uuid,
  ancestor_version_id uuid,
  strategy text not null check (strategy in ('last_write_wins', 'user_intervention', 'auto_merge')),
  merge_required boolean not null default false,
  status text not null default 'open' check (status in ('open', 'resolved')),
  resolution text check (resolution in ('current', 'incoming', 'merged', 'last_write_wins')),
  resolved_version_id uuid,
  conflict_copy_path text,
  resolved_by uuid,
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade,
  constraint conflicts_file_id_fkey foreign key (file_id, workspace_id)
    references sandsync.files (id, workspace_id) on delete cascade,
  constraint conflicts_current_version_id_fkey foreign key (current_version_id, workspace_id)
    references sandsync.versions (id, workspace_id) on delete set null (current_version_id),
  constraint conflicts_incoming_version_id_fkey foreign key (incoming_version_id, workspace_id)
    references sandsync.versions (id, workspace_id) on delete set null (incoming_version_id),
  constraint conflicts_ancestor_version_id_fkey foreign key (ancestor_version_id, workspace_id)
    references sandsync.versions (id, workspace_id) on delete set null (ancestor_version_id),
  constraint conflicts_resolved_version_id_fkey foreign key (resolved_version_id, workspace_id)
    references sandsync.versions (id, workspace_id) on delete set null (resolved_version_id),
  check ((status = 'open') = (resolution is null))
);
create index conflicts_workspace_open_idx on sandsync.conflicts (workspace_id, created_at) where status = 'open';
create index conflicts_owner_id_idx on sandsync.conflicts (owner_id);
create index conflicts_file_id_idx on sandsync.conflicts (file_id);
create index conflicts_current_version_id_idx on sandsync.conflicts (current_version_id);
create index conflicts_incoming_version_id_idx on sandsync.conflicts (incoming_version_id);
create index conflicts_ancestor_version_id_idx on sandsync.conflicts (ancestor_version_id);
create index conflicts_resolved_version_id_idx on sandsync.conflicts (resolved_version_id);
comment on table sandsync.conflicts is
  'Concurrent versions of one path: current (server) vs incoming (committer), open until resolved.';
comment on column sandsync.conflicts.id is 'Conflict id.';
comment on column sandsync.conflicts.workspace_id is 'Workspace.';
comment on column sandsync.conflicts.owner_id is 'Owner of the workspace (denormalised for RLS).';
comment on column sandsync.conflicts.file_id is 'The file in conflict.';
comment on column sandsync.conflicts.path is 'Its path.';
comment on column sandsync.conflicts.current_version_id is 'The server''s side when the conflict arose.';
comment on column sandsync.conflicts.incoming_version_id is 'The committer''s side (kept in history, not current).';
comment on column sandsync.conflicts.ancestor_version_id is 'Common ancestor (the incoming base) for a three-way merge, when known.';
comment on column sandsync.conflicts.strategy is 'Strategy in force when it arose.';
comment on column sandsync.conflicts.merge_required is 'auto_merge: the caller should three-way merge and resolve with merged content.';
comment on column sandsync.conflicts.status is 'open or resolved.';
comment on column sandsync.conflicts.resolution is 'How it was resolved: current, incoming, merged, or last_write_wins (automatic).';
comment on column sandsync.conflicts.resolved_version_id is 'The version that resolved it (dominates both sides).';
comment on column sandsync.conflicts.conflict_copy_path is 'last_write_wins: path of the conflict copy holding the loser, if made.';
comment on column sandsync.conflicts.resolved_by is 'User that resolved it (null for automatic or service).';
comment on column sandsync.conflicts.created_at is 'When it arose.';
comment on column sandsync.conflicts.resolved_at is 'When it was resolved.';
alter table sandsync.conflicts enable row level security;
create policy "Users can see conflicts in their workspaces" on sandsync.conflicts
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can record conflicts in their workspaces" on sandsync.conflicts
  for insert to authenticated with check (owner_id = (select auth.uid()));
create policy "Users can resolve conflicts in their workspaces" on sandsync.conflicts
  for update to authenticated
  using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
grant select, insert on sandsync.conflicts to authenticated;
grant update (status, resolution, resolved_version_id, resolved_by, resolved_at)
  on sandsync.conflicts to authenticated;
grant all on sandsync.conflicts to service_role;

-- `<stem>.sync-conflict-<YYYYMMDD-HHMMSS>-<replica>.<ext>`: the time is when the losing version
-- was committed (UTC, to the second), the replica is the losing replica's full id (characters
-- outside [A-Za-z0-9_-] become `_`, at most 64), the extension is what follows the last dot of
-- the name unless that dot is the first or last character or the extension exceeds 16 bytes,
-- and the stem is cut (whole code points) so the name stays within 255 bytes.
create function sandsync.conflict_copy_path(p_path text, p_at timestamptz, p_replica_id uuid)
returns text
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_dir text := coalesce(substring(p_path from '^(.*/)[^/]*$'), '');
  v_name text := substring(p_path from '([^/]*)$');
  v_stem text := v_name;
  v_ext text := '';
  v_suffix text;
begin
  if v_name ~ '^.+\.[^.]+$' and octet_length(substring(v_name from '\.([^.]+)$')) <= 16 then
    v_stem := substring(v_name from '^(.+)\.[^.]+$');
    v_ext := substring(v_name from '(\.[^.]+)$');
  end if;
  v_suffix := '.sync-conflict-' || to_char(p_at at time zone 'UTC', 'YYYYMMDD-HH24MISS') || '-'
    || left(regexp_replace(p_replica_id::text, '[^A-Za-z0-9_-]', '_', 'g'), 64) || v_ext;
  while octet_length(v_stem) > 255 - octet_length(v_suffix) and v_stem <> '' loop
    v_stem := left(v_stem, -1);
  end loop;
  return v_dir || v_stem || v_suffix;
end
$$;
comment on function sandsync.conflict_copy_path(text, timestamptz, uuid) is
  'The path of a conflict copy: <stem>.sync-conflict-<YYYYMMDD-HHMMSS>-<replica>.<ext> (UTC), as shared/conflict_copy.ts names it.';
grant execute on function sandsync.conflict_copy_path(text, timestamptz, uuid)
  to authenticated, service_role;

-- RPCs -----------------------------------------------------------------------------------------

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
      using errcode = 'SSI01', hint = 'validation_failed';
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
      using errcode = 'SSC01', hint = 'precondition_failed',
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
        using errcode = 'SSI01', hint = 'validation_failed';
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
        using errcode = 'SSN04', hint = 'blob_missing';
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
