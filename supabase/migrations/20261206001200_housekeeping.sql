-- Sandsync sync core: housekeeping jobs.
--
-- Purpose: the periodic jobs Supabase would run with pg_cron (hosted) and the local stack runs
-- on a timer; one service-only function per job:
--   service_expire_reservations()        releases reservations past their expiry;
--   service_prune_history(ws)            deletes versions beyond each workspace's retention
--                                        (count and age), conflict copies' history included,
--                                        never a current version or one an open conflict needs;
--   service_collect_blobs(grace, owner)  marks unreferenced blob rows `collecting` under the
--                                        owner's quota lock and the blob rows' own locks, and
--                                        returns their storage keys; the caller removes the
--                                        objects through Storage (the storage triggers lower
--                                        used bytes and turn the row `pending`);
--   service_finish_collect(owner, shas)  deletes the rows that still have no object, no
--                                        reservation and no version;
--   service_stray_objects(owner, grace)  lists objects under owner prefixes that are not blob
--                                        keys, or blob keys without a blob row, for removal.
-- Objects: the five RPCs above.
-- Why collection is a state, not a delete: a commit deduplicating against the same bytes between
-- a delete of the row and the removal of its object committed a version whose object was about
-- to go; now an in-flight commit either finishes first and keeps the blob, or sees `collecting`
-- and is refused (blob_missing). Collection is per owner when an owner is given (workspace
-- deletion), and always honours the grace.

create function public.service_expire_reservations()
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_count integer;
begin
  -- Lock the owners' quota rows first (the order every path uses), then release.
  perform 1 from sandsync.quotas
  where owner_id in (select owner_id from sandsync.reservations where expires_at < now())
  order by owner_id for update;
  with gone as (
    delete from sandsync.reservations where expires_at < now() returning owner_id, size
  ), per_owner as (
    select owner_id, sum(size) as bytes, count(*) as n from gone group by owner_id
  ), upd as (
    update sandsync.quotas as q set reserved_bytes = q.reserved_bytes - p.bytes, updated_at = now()
    from per_owner as p where q.owner_id = p.owner_id
    returning p.n
  )
  select coalesce(sum(n), 0) into v_count from upd;
  return v_count;
end
$$;
comment on function public.service_expire_reservations() is
  'Service only: releases expired upload reservations; returns how many.';
grant execute on function public.service_expire_reservations() to service_role;

create function public.service_prune_history(p_workspace_id uuid default null)
returns integer
language sql
security invoker
set search_path = ''
as $$
  with ranked as (
    select v.id, v.committed_at, w.retention_versions, w.retention_age,
      row_number() over (partition by v.file_id order by v.committed_at desc, v.id desc) as rn
    from sandsync.versions as v
    join sandsync.workspaces as w on w.id = v.workspace_id
    where p_workspace_id is null or v.workspace_id = p_workspace_id
  ), doomed as (
    select r.id from ranked as r
    where (r.rn > r.retention_versions or r.committed_at < now() - r.retention_age)
      and not exists (select 1 from sandsync.files as f where f.current_version_id = r.id)
      and not exists (
        select 1 from sandsync.conflicts as c
        where c.status = 'open' and r.id in (c.current_version_id, c.incoming_version_id, c.ancestor_version_id)
      )
  ), gone as (
    delete from sandsync.versions as v using doomed as d where v.id = d.id returning 1
  )
  select count(*)::integer from gone
$$;
comment on function public.service_prune_history(uuid) is
  'Service only: deletes versions beyond retention_versions per file or older than retention_age (never current ones or open conflicts'' sides); returns how many.';
grant execute on function public.service_prune_history(uuid) to service_role;

create function public.service_collect_blobs(
  p_grace interval default interval '1 hour',
  p_owner_id uuid default null
)
returns table (owner_id uuid, sha256 text, storage_key text)
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_grace interval := coalesce(p_grace, interval '1 hour');
begin
  -- The owners' quota rows first (the order every path uses), then the candidate blob rows:
  -- FOR UPDATE waits for commits holding them (FK key-share or the versions trigger).
  perform 1 from sandsync.quotas as q
  where (p_owner_id is null or q.owner_id = p_owner_id)
    and exists (select 1 from sandsync.blobs as b where b.owner_id = q.owner_id
      and (b.state = 'collecting' or b.created_at < now() - v_grace))
  order by q.owner_id for update;
  perform 1 from sandsync.blobs as b
  where (p_owner_id is null or b.owner_id = p_owner_id)
    and (b.state = 'collecting' or b.created_at < now() - v_grace)
    and not exists (select 1 from sandsync.versions as v where v.owner_id = b.owner_id and v.sha256 = b.sha256)
    and not exists (select 1 from sandsync.reservations as r where r.owner_id = b.owner_id and r.sha256 = b.sha256)
  order by b.owner_id, b.sha256
  for update;
  -- A fresh snapshot: a commit that held a row and committed meanwhile is seen here.
  return query
  update sandsync.blobs as b set state = 'collecting'
  where (p_owner_id is null or b.owner_id = p_owner_id)
    and (b.state = 'collecting' or b.created_at < now() - v_grace)
    and not exists (select 1 from sandsync.versions as v where v.owner_id = b.owner_id and v.sha256 = b.sha256)
    and not exists (select 1 from sandsync.reservations as r where r.owner_id = b.owner_id and r.sha256 = b.sha256)
  returning b.owner_id, b.sha256, b.storage_key;
end
$$;
comment on function public.service_collect_blobs(interval, uuid) is
  'Service only: marks blobs nothing references (past the grace; of one owner when given) collecting and returns their keys; remove the objects through Storage, then call service_finish_collect.';
grant execute on function public.service_collect_blobs(interval, uuid) to service_role;

create function public.service_finish_collect(p_owner_id uuid, p_sha256s text[])
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_count integer;
begin
  perform 1 from sandsync.quotas where owner_id = p_owner_id for update;
  -- The removal is done: an object under the key now was uploaded afresh after it.
  update sandsync.blobs as b set state = 'pending', stored_at = null
  where b.owner_id = p_owner_id and b.sha256 = any (p_sha256s) and b.state = 'collecting'
    and (exists (select 1 from storage.objects as o where o.bucket_id = 'sandsync' and o.name = b.storage_key)
      or exists (select 1 from sandsync.reservations as r where r.owner_id = b.owner_id and r.sha256 = b.sha256));
  with gone as (
    delete from sandsync.blobs as b
    where b.owner_id = p_owner_id and b.sha256 = any (p_sha256s) and b.state in ('collecting', 'pending')
      and not exists (select 1 from storage.objects as o where o.bucket_id = 'sandsync' and o.name = b.storage_key)
      and not exists (select 1 from sandsync.versions as v where v.owner_id = b.owner_id and v.sha256 = b.sha256)
      and not exists (select 1 from sandsync.reservations as r where r.owner_id = b.owner_id and r.sha256 = b.sha256)
    returning 1
  )
  select count(*)::integer into v_count from gone;
  return v_count;
end
$$;
comment on function public.service_finish_collect(uuid, text[]) is
  'Service only: after the objects were removed, deletes the collected rows that still have no object, reservation or version; returns how many.';
grant execute on function public.service_finish_collect(uuid, text[]) to service_role;

create function public.service_stray_objects(p_grace interval default interval '1 hour', p_owner_id uuid default null)
returns table (name text)
language sql
stable
security invoker
set search_path = ''
as $$
  select o.name from storage.objects as o
  where o.bucket_id = 'sandsync'
    and (p_owner_id is null or o.name like p_owner_id::text || '/%')
    and o.created_at < now() - coalesce(p_grace, interval '1 hour')
    and (
      o.name !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[0-9a-f]{2}/[0-9a-f]{64}$'
      or substr(split_part(o.name, '/', 3), 1, 2) <> split_part(o.name, '/', 2)
      or not exists (select 1 from sandsync.blobs as b
        where b.owner_id = sandsync.object_owner(o.name) and b.sha256 = split_part(o.name, '/', 3))
    )
  order by o.name
$$;
comment on function public.service_stray_objects(interval, uuid) is
  'Service only: sync-bucket objects (past the grace) that are not a known blob''s key: to remove through Storage.';
grant execute on function public.service_stray_objects(interval, uuid) to service_role;
