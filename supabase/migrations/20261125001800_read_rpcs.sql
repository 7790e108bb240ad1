-- Sandsync sync core, part 18: read RPCs for manifests, history and single versions.
--
-- Purpose: the reads the API needs besides the journal, as deliberate RPCs (RLS applies: callers
-- see their own workspaces only): a workspace's current state paged by path (first sync and
-- reconciliation), the history of one path, and one version by id (the API's opaque
-- version_id: ETag, If-Match, history ids).
-- Objects: RPCs public.workspace_manifest, public.file_history, public.get_version.

create function public.workspace_manifest(
  p_workspace_id uuid,
  p_after_path text default null,
  p_limit integer default 1000,
  p_include_deleted boolean default false
)
returns table (
  path text,
  version_id uuid,
  sha256 text,
  size bigint,
  mode integer,
  mtime timestamptz,
  deleted boolean,
  vector jsonb,
  replica_id uuid,
  committed_at timestamptz,
  seq bigint
)
language sql
stable
security invoker
set search_path = ''
as $$
  select f.path, f.current_version_id, f.sha256, f.size, f.mode, f.mtime, f.deleted, f.vector,
    f.replica_id, f.committed_at, f.seq
  from sandsync.files as f
  where f.workspace_id = p_workspace_id
    and (p_after_path is null or f.path > p_after_path)
    and (p_include_deleted or not f.deleted)
    and f.current_version_id is not null
  order by f.path
  limit greatest(1, least(coalesce(p_limit, 1000), 10000))
$$;
comment on function public.workspace_manifest(uuid, text, integer, boolean) is
  'Current state of a workspace in path order, after p_after_path (keyset paging), at most p_limit rows; tombstones on request.';
grant execute on function public.workspace_manifest(uuid, text, integer, boolean) to authenticated, service_role;

create function public.file_history(p_workspace_id uuid, p_path text, p_limit integer default 100)
returns setof sandsync.versions
language sql
stable
security invoker
set search_path = ''
as $$
  select v.* from sandsync.versions as v
  join sandsync.files as f on f.id = v.file_id
  where f.workspace_id = p_workspace_id and f.path = p_path
  order by v.committed_at desc, v.id desc
  limit greatest(1, least(coalesce(p_limit, 100), 10000))
$$;
comment on function public.file_history(uuid, text, integer) is
  'Versions of one path, newest first (winners, losers, conflict sides, tombstones).';
grant execute on function public.file_history(uuid, text, integer) to authenticated, service_role;

create function public.get_version(p_version_id uuid)
returns setof sandsync.versions
language sql
stable
security invoker
set search_path = ''
as $$
  select * from sandsync.versions where id = p_version_id
$$;
comment on function public.get_version(uuid) is 'One version by id (no row when unknown or not visible).';
grant execute on function public.get_version(uuid) to authenticated, service_role;
