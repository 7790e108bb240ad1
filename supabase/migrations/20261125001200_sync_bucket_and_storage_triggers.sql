-- Sandsync sync core, part 12: the sync bucket, its policies and the quota triggers.
--
-- Purpose: blobs live in the private bucket `sandsync` under `<owner>/<sha[0:2]>/<sha>`.
-- Users may INSERT only under their own prefix and read only their own prefix; they cannot
-- update or delete (a content-addressed blob is immutable; garbage collection deletes through
-- the Storage API as the service role). Row triggers on storage.objects keep quotas.used_bytes
-- equal to what Storage holds, attributing bytes by the key's first segment (the service role
-- writes objects too, with no owner_id), each byte once: AFTER triggers see only rows really
-- written (an upsert's conflicting INSERT becomes an UPDATE, counted as a size delta). A landed
-- object releases the matching reservation. An object that would put its owner over the limit
-- is refused with SQLSTATE 42501 and a fixed message, so Storage answers 403 whatever path the
-- bytes took.
-- Objects: storage bucket `sandsync`, 3 policies, sandsync.object_owner,
-- sandsync.on_sync_object_change + triggers sandsync_quota_{insert,update,delete}.

insert into storage.buckets (id, name, public)
values ('sandsync', 'sandsync', false)
on conflict (id) do nothing;

create policy "Users can upload blobs under their own prefix" on storage.objects
  for insert to authenticated
  with check (bucket_id = 'sandsync' and (storage.foldername(name))[1] = (select auth.uid())::text);
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
begin
  if tg_op in ('UPDATE', 'DELETE') and old.bucket_id = 'sandsync' then
    v_old_owner := sandsync.object_owner(old.name);
    v_old_size := coalesce((old.metadata ->> 'size')::bigint, 0);
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.bucket_id = 'sandsync' then
    v_new_owner := sandsync.object_owner(new.name);
    if v_new_owner is null then
      raise exception 'Sandsync: object key must start with an owner id'
        using errcode = '42501', hint = 'invalid_object_key';
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
    if new.name ~ '^[^/]+/[0-9a-f]{2}/[0-9a-f]{64}$' and v_new_size > 0 then
      with gone as (
        delete from sandsync.reservations
        where owner_id = v_new_owner and sha256 = split_part(new.name, '/', 3)
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
