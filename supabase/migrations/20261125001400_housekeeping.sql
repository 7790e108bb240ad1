-- Sandsync sync core, part 14: housekeeping jobs.
--
-- Purpose: the periodic jobs Supabase would run with pg_cron (hosted) and the local stack runs
-- on a timer; one service-only function per job:
--   service_expire_reservations()   releases reservations past their expiry;
--   service_collect_blobs(grace)    deletes blob rows nothing references (no version, no live
--                                   reservation, older than the grace) and returns their storage
--                                   keys, which the caller deletes through the Storage API (the
--                                   storage trigger then lowers used bytes);
--   service_prune_history(ws)       deletes versions beyond each workspace's retention (count and
--                                   age), conflict copies' history included, never a current
--                                   version or one an open conflict needs.
-- Objects: the three RPCs above.

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

create function public.service_collect_blobs(p_grace interval default interval '1 hour')
returns table (owner_id uuid, sha256 text, storage_key text)
language sql
security invoker
set search_path = ''
as $$
  delete from sandsync.blobs as b
  where b.created_at < now() - coalesce(p_grace, interval '1 hour')
    and not exists (select 1 from sandsync.versions as v where v.owner_id = b.owner_id and v.sha256 = b.sha256)
    and not exists (select 1 from sandsync.reservations as r where r.owner_id = b.owner_id and r.sha256 = b.sha256)
  returning b.owner_id, b.sha256, b.storage_key
$$;
comment on function public.service_collect_blobs(interval) is
  'Service only: forgets blobs nothing references and returns their keys, to delete from the sandsync bucket through Storage.';
grant execute on function public.service_collect_blobs(interval) to service_role;

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
