-- Blob collection as a state, not a delete.
--
-- Purpose: collection used to delete unreferenced blob rows in SQL and then remove their objects
-- through Storage; a commit deduplicating against the same bytes in between committed a version
-- whose object was about to go. Now collection has three steps:
--   1. service_collect_blobs(grace, owner) marks unreferenced rows `collecting` under the owner's
--      quota lock and the blob rows' own locks (so an in-flight commit referencing a blob either
--      finishes first and keeps it, or sees `collecting` and is refused with blob_not_stored);
--   2. the caller removes the objects through Storage (the storage trigger lowers used bytes; the
--      delete trigger below turns a `collecting` row whose object went into a plain `pending` one);
--   3. service_finish_collect(owner, hashes) deletes the rows that still have no object, no
--      reservation and no version; a row whose bytes were uploaded afresh after the removal stays
--      `pending`, to be verified and marked `stored` like any new upload.
-- A `collecting` blob is never committable: a trigger keeps it from being marked `stored` (its
-- object may vanish at any moment), and a statement trigger on versions locks the referenced blob
-- rows (FOR SHARE, which waits for a collector's FOR UPDATE) and refuses any not `stored`.
-- Collection is per owner when an owner is given (workspace deletion), and always honours the
-- grace. service_stray_objects(owner, grace) lists objects under owner prefixes that are not blob
-- keys, or blob keys without a blob row, for removal.
-- Objects: blobs.state gains `collecting`; sandsync.keep_collecting + trigger
-- blobs_keep_collecting; sandsync.versions_need_stored_blobs + trigger
-- versions_need_stored_blobs; sandsync.on_sync_object_removed + trigger
-- sandsync_blob_object_removed; public.service_collect_blobs(interval, uuid) (replaces the
-- one-argument form), public.service_finish_collect, public.service_stray_objects.

alter table sandsync.blobs drop constraint blobs_state_check;
alter table sandsync.blobs add constraint blobs_state_check
  check (state in ('pending', 'stored', 'collecting'));
comment on column sandsync.blobs.state is
  'pending until the service verified the stored bytes, then stored; collecting while housekeeping removes the object. Only stored blobs can be committed.';

create function sandsync.keep_collecting()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
begin
  -- Marking a collecting blob stored would let a commit reference bytes about to be removed;
  -- only the object's removal (pending) or the collector may move it on.
  if old.state = 'collecting' and new.state = 'stored' then
    new.state := 'collecting';
    new.stored_at := old.stored_at;
  end if;
  return new;
end
$$;
comment on function sandsync.keep_collecting() is
  'Trigger on blobs: a collecting blob is never marked stored (its object may be removed at any moment).';

create trigger blobs_keep_collecting
  before update of state on sandsync.blobs
  for each row when (old.state = 'collecting')
  execute function sandsync.keep_collecting();

-- why definer: locking blob rows FOR SHARE needs UPDATE rights on sandsync.blobs, which users
-- do not hold; the function only locks and reads the rows the inserted versions reference.
create function sandsync.versions_need_stored_blobs()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_bad record;
begin
  -- FOR SHARE waits for a collector holding the row (FOR UPDATE) and then reads its new state.
  perform 1 from sandsync.blobs as b
  where (b.owner_id, b.sha256) in (select n.owner_id, n.sha256 from new_versions as n where n.sha256 is not null)
  order by b.owner_id, b.sha256
  for share;
  select n.sha256, n.size, n.path into v_bad
  from new_versions as n
  left join sandsync.blobs as b on b.owner_id = n.owner_id and b.sha256 = n.sha256
  where n.sha256 is not null and b.state is distinct from 'stored'
  limit 1;
  if found then
    raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
      using errcode = 'SSN04', hint = 'blob_not_stored';
  end if;
  return null;
end
$$;
comment on function sandsync.versions_need_stored_blobs() is
  'Statement trigger on versions: every referenced blob is stored (locked FOR SHARE against a concurrent collector).';

create trigger versions_need_stored_blobs
  after insert on sandsync.versions
  referencing new table as new_versions
  for each statement
  execute function sandsync.versions_need_stored_blobs();

-- why definer: Storage deletes objects as its own role, which cannot write sandsync.blobs; the
-- function only moves the blob row named by the removed object's own key.
create function sandsync.on_sync_object_removed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.name ~ '^[0-9a-f-]{36}/[0-9a-f]{2}/[0-9a-f]{64}$' and sandsync.object_owner(old.name) is not null then
    update sandsync.blobs set state = 'pending', stored_at = null
    where owner_id = sandsync.object_owner(old.name) and sha256 = split_part(old.name, '/', 3)
      and state = 'collecting';
  end if;
  return null;
end
$$;
comment on function sandsync.on_sync_object_removed() is
  'Trigger on storage.objects: a collecting blob whose object is gone becomes pending (uploads land afresh from then on).';

create trigger sandsync_blob_object_removed
  after delete on storage.objects
  for each row when (old.bucket_id = 'sandsync')
  execute function sandsync.on_sync_object_removed();

drop function public.service_collect_blobs(interval);

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
