-- Sandsync sync core: the sync bucket, its policies and the triggers on storage.objects.
--
-- Purpose: blobs live in the private bucket `sandsync` under `<owner>/<sha[0:2]>/<sha>`.
-- Users may INSERT only blob keys under their own prefix and read only their own prefix; they
-- cannot update or delete (a content-addressed blob is immutable; garbage collection deletes
-- through the Storage API as the service role). The bucket's `file_size_limit` makes Storage
-- refuse, at TUS creation and on every upload, an object larger than the default quota (10 GiB):
-- no single blob can fit above it, so its partial bytes never sit outside the quota.
-- Row triggers on storage.objects keep quotas.used_bytes equal to what Storage holds,
-- attributing bytes by the key's first segment (the service role writes objects too, with no
-- owner_id), each byte once: AFTER triggers see only rows really written (an upsert's
-- conflicting INSERT becomes an UPDATE, counted as a size delta). A landed object releases the
-- matching reservation (staging keys included). An object that would put its owner over the
-- limit is refused with SQLSTATE 42501 and a fixed message, so Storage answers 403 whatever
-- path the bytes took. A removed object turns a `collecting` blob row into a plain `pending` one
-- (see housekeeping).
-- Objects: storage bucket `sandsync`, 3 policies, sandsync.object_owner,
-- sandsync.on_sync_object_change + triggers sandsync_quota_{insert,update,delete},
-- sandsync.on_sync_object_removed + trigger sandsync_blob_object_removed.
-- Why blob keys only: with any key under the caller's prefix, a user could write objects that
-- are no blob (`<owner>/notes.txt`): counted in quota, never collected, undeletable by the user.

-- The bucket row is kept if it exists (a hosted project may have made it); the limit is set.
insert into storage.buckets (id, name, public, file_size_limit)
values ('sandsync', 'sandsync', false, 10737418240)
on conflict (id) do update set file_size_limit = excluded.file_size_limit;

create policy "Users can upload blobs under their own prefix" on storage.objects
  for insert to authenticated
  with check (
    bucket_id = 'sandsync'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and name ~ '^[0-9a-f-]{36}/[0-9a-f]{2}/[0-9a-f]{64}$'
    and split_part(name, '/', 2) = left(split_part(name, '/', 3), 2)
  );
create policy "Users can read blobs under their own prefix" on storage.objects
  for select to authenticated
  using (bucket_id = 'sandsync' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy "Users can see the sync bucket" on storage.buckets
  for select to authenticated
  using (id = 'sandsync');

create function sandsync.object_owner(p_name text)
returns uuid
language sql
immutable
security invoker
set search_path = ''
as $$
  select case
    when split_part(p_name, '/', 1) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then split_part(p_name, '/', 1)::uuid
  end
$$;
comment on function sandsync.object_owner(text) is 'The owner a sync-bucket object key belongs to (its first segment), or null.';
grant execute on function sandsync.object_owner(text) to authenticated, service_role;

-- why definer: whoever writes an object (the user's RLS-checking insert, the Storage service
-- role) must move that owner's counters, which neither may write directly.
create function sandsync.on_sync_object_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_old_owner uuid;
  v_new_owner uuid;
  v_old_size bigint := 0;
  v_new_size bigint := 0;
  v_delta bigint;
  v_released bigint := 0;
  v_quota sandsync.quotas;
  v_sha256 text;
begin
  if tg_op in ('UPDATE', 'DELETE') and old.bucket_id = 'sandsync' then
    v_old_owner := sandsync.object_owner(old.name);
    v_old_size := coalesce((old.metadata ->> 'size')::bigint, 0);
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.bucket_id = 'sandsync' then
    v_new_owner := sandsync.object_owner(new.name);
    if v_new_owner is null then
      raise exception 'Sandsync: object key must start with an owner id'
        using errcode = '42501', hint = 'forbidden';
    end if;
    v_new_size := coalesce((new.metadata ->> 'size')::bigint, 0);
  end if;

  if v_old_owner is not null and v_old_owner is distinct from v_new_owner then
    update sandsync.quotas set used_bytes = used_bytes - v_old_size, updated_at = now()
    where owner_id = v_old_owner;
  end if;

  if v_new_owner is not null then
    v_delta := v_new_size - case when v_old_owner = v_new_owner then v_old_size else 0 end;
    insert into sandsync.quotas (owner_id) values (v_new_owner) on conflict (owner_id) do nothing;
    perform 1 from sandsync.quotas where owner_id = v_new_owner for update;
    -- The bytes landed: the reservation made for exactly this blob is settled.
    if new.name ~ '^[^/]+/[0-9a-f]{2}/[0-9a-f]{64}$' then
      v_sha256 := split_part(new.name, '/', 3);
    elsif new.name ~ '^[^/]+/staging/[0-9a-f-]{36}/[0-9a-f]{64}$' then
      v_sha256 := split_part(new.name, '/', 4);
    end if;
    if v_sha256 is not null and v_new_size > 0 then
      with gone as (
        delete from sandsync.reservations
        where owner_id = v_new_owner and sha256 = v_sha256
        returning size
      )
      select coalesce(sum(size), 0) into v_released from gone;
    end if;
    update sandsync.quotas set
      used_bytes = used_bytes + v_delta,
      reserved_bytes = reserved_bytes - v_released,
      updated_at = now()
    where owner_id = v_new_owner
    returning * into v_quota;
    if v_delta > 0 and v_quota.used_bytes + v_quota.reserved_bytes > sandsync.effective_limit(v_quota.limit_bytes) then
      raise exception 'Sandsync quota exceeded'
        using errcode = '42501', hint = 'quota_exceeded',
          detail = format('owner=%s size=%s', v_new_owner, v_new_size);
    end if;
  end if;
  return null;
end
$$;
comment on function sandsync.on_sync_object_change() is
  'Trigger on storage.objects: keeps quotas.used_bytes equal to the sync bucket''s bytes, settles reservations, refuses over-limit objects (42501).';
create trigger sandsync_quota_insert
  after insert on storage.objects
  for each row when (new.bucket_id = 'sandsync')
  execute function sandsync.on_sync_object_change();
create trigger sandsync_quota_update
  after update on storage.objects
  for each row when (old.bucket_id = 'sandsync' or new.bucket_id = 'sandsync')
  execute function sandsync.on_sync_object_change();
create trigger sandsync_quota_delete
  after delete on storage.objects
  for each row when (old.bucket_id = 'sandsync')
  execute function sandsync.on_sync_object_change();

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
