-- Sandsync packs: small blobs travel and rest in pack objects, one workspace's each.
--
-- Purpose: a Storage object per small file made the cost of a sync grow with the number of files
-- (three Storage transactions, a signed URL and a download each). Small blobs (at most
-- 1 MiB, docs/decisions/0014-packs.md) now rest in packs: one immutable object of concatenated
-- blobs, written once by the server, named by its own SHA-256 under
-- `<owner>/packs/<workspace>/<sha256>`. A pack holds blobs of ONE workspace: a signed pack URL
-- exposes every byte of the object whatever `Range` is asked, so only a caller that may read the
-- workspace gets one. `pack_entries` records where each blob sits (offset, size); a blob is
-- located in a workspace when an entry of a stored pack of that workspace holds it. Loose blob
-- objects (`<owner>/<sha[0:2]>/<sha>`, large files and everything written before packs) stay
-- as they were: readers look for a pack entry first, then for the loose key.
-- Quota: the pack object is counted by the storage.objects trigger like any object (each byte of
-- it once); landing it settles the reservations of its entries' blobs. Dead bytes in a pack
-- count until the pack is repacked or collected (housekeeping, `collecting` as for blobs).
-- Objects: sandsync.packs, sandsync.pack_entries (RLS: owner reads), blobs.packed; RPCs
-- service_begin_pack, service_finish_pack, service_pack_usage, service_collect_pack,
-- service_finish_pack_collect; replaced: sandsync.on_sync_object_change,
-- sandsync.on_sync_object_removed, sandsync.versions_need_stored_blobs,
-- public.service_mark_blob_stored, public.service_stray_objects.
-- Why no user insert policy for pack keys: only the server writes packs (it packs the inline
-- bytes it hashed itself), so users keep the blob-key-only policy.

create table sandsync.packs (
  workspace_id uuid not null references sandsync.workspaces (id) on delete cascade,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  owner_id uuid not null,
  size bigint not null check (size > 0),
  storage_key text generated always as (
    owner_id::text || '/packs/' || workspace_id::text || '/' || sha256
  ) stored,
  state text not null default 'pending' check (state in ('pending', 'stored', 'collecting')),
  created_at timestamptz not null default now(),
  stored_at timestamptz,
  primary key (workspace_id, sha256)
);
create index packs_owner_id_idx on sandsync.packs (owner_id);
create unique index packs_storage_key_idx on sandsync.packs (storage_key);
comment on table sandsync.packs is
  'Pack objects: many small blobs of one workspace in one immutable Storage object named by its SHA-256.';
comment on column sandsync.packs.workspace_id is 'The one workspace whose blobs the pack holds.';
comment on column sandsync.packs.sha256 is 'SHA-256 of the whole pack object.';
comment on column sandsync.packs.owner_id is 'Owner of the workspace; first key segment (quota).';
comment on column sandsync.packs.size is 'Object size in bytes: the sum of its entries.';
comment on column sandsync.packs.storage_key is 'Object name: <owner>/packs/<workspace>/<sha256>.';
comment on column sandsync.packs.state is
  'pending until the server verified the stored object, then stored; collecting while housekeeping removes it.';
comment on column sandsync.packs.created_at is 'When the pack was announced.';
comment on column sandsync.packs.stored_at is 'When the object was verified.';
alter table sandsync.packs enable row level security;
-- A caller confined to one workspace (an agent token) sees that workspace's packs only.
create policy "Users can see the packs of their workspaces" on sandsync.packs
  for select to authenticated using (
    owner_id = (select auth.uid())
    and workspace_id = coalesce((select sandsync.current_workspace_scope()), workspace_id)
  );
grant select on sandsync.packs to authenticated;
grant all on sandsync.packs to service_role;

create table sandsync.pack_entries (
  workspace_id uuid not null,
  pack_sha256 text not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  owner_id uuid not null,
  pack_offset bigint not null check (pack_offset >= 0),
  size bigint not null check (size >= 0),
  primary key (workspace_id, pack_sha256, sha256),
  foreign key (workspace_id, pack_sha256) references sandsync.packs (workspace_id, sha256)
    on delete cascade,
  foreign key (owner_id, sha256) references sandsync.blobs (owner_id, sha256) on delete cascade
);
create index pack_entries_location_idx on sandsync.pack_entries (workspace_id, sha256);
create index pack_entries_blob_idx on sandsync.pack_entries (owner_id, sha256);
comment on table sandsync.pack_entries is 'Where each blob of a pack sits: offset and size.';
comment on column sandsync.pack_entries.workspace_id is 'The pack''s workspace.';
comment on column sandsync.pack_entries.pack_sha256 is 'The pack.';
comment on column sandsync.pack_entries.sha256 is 'The blob.';
comment on column sandsync.pack_entries.owner_id is 'Owner of the blob row (collecting it drops the entry).';
comment on column sandsync.pack_entries.pack_offset is 'First byte of the blob in the pack.';
comment on column sandsync.pack_entries.size is 'Blob size in bytes.';
alter table sandsync.pack_entries enable row level security;
create policy "Users can see the pack entries of their workspaces" on sandsync.pack_entries
  for select to authenticated using (
    owner_id = (select auth.uid())
    and workspace_id = coalesce((select sandsync.current_workspace_scope()), workspace_id)
  );
grant select on sandsync.pack_entries to authenticated;
grant all on sandsync.pack_entries to service_role;

alter table sandsync.blobs add column packed boolean not null default false;
comment on column sandsync.blobs.packed is
  'true when the bytes live only in packs (no object at storage_key): a workspace can use the blob only where one of its stored packs holds it.';

-- RPCs ------------------------------------------------------------------------------------------

create function public.service_begin_pack(
  p_owner_id uuid,
  p_workspace_id uuid,
  p_sha256 text,
  p_size bigint,
  p_entries jsonb
)
returns text
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_state text;
begin
  if p_sha256 is null or p_sha256 !~ '^[0-9a-f]{64}$' or p_size is null or p_size <= 0
    or p_entries is null or jsonb_typeof(p_entries) <> 'array' or jsonb_array_length(p_entries) = 0
    or p_size <> (select coalesce(sum((e ->> 'size')::bigint), -1) from jsonb_array_elements(p_entries) as e)
  then
    raise exception 'Cannot record pack "%": invalid hash, size or entries', p_sha256
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  if not exists (select 1 from sandsync.workspaces where id = p_workspace_id and owner_id = p_owner_id) then
    raise exception 'Cannot record pack "%": workspace % of owner % not found', p_sha256, p_workspace_id, p_owner_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  insert into sandsync.packs (workspace_id, sha256, owner_id, size)
  values (p_workspace_id, p_sha256, p_owner_id, p_size)
  on conflict (workspace_id, sha256) do nothing;
  select state into v_state from sandsync.packs where workspace_id = p_workspace_id and sha256 = p_sha256;
  insert into sandsync.pack_entries (workspace_id, pack_sha256, sha256, owner_id, pack_offset, size)
  select p_workspace_id, p_sha256, e ->> 'sha256', p_owner_id, (e ->> 'offset')::bigint, (e ->> 'size')::bigint
  from jsonb_array_elements(p_entries) as e
  on conflict do nothing;
  return v_state;
end
$$;
comment on function public.service_begin_pack(uuid, uuid, text, bigint, jsonb) is
  'Service only: records a pack about to be written (pending) with its entries [{sha256, offset, size}], before the object lands (its landing settles the entries'' reservations); returns the pack''s state.';
grant execute on function public.service_begin_pack(uuid, uuid, text, bigint, jsonb) to service_role;

create function public.service_finish_pack(p_workspace_id uuid, p_sha256 text)
returns text
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_pack sandsync.packs;
begin
  select * into v_pack from sandsync.packs
  where workspace_id = p_workspace_id and sha256 = p_sha256 for update;
  if v_pack.sha256 is null then
    raise exception 'Cannot finish pack "%": not recorded', p_sha256
      using errcode = 'SSN04', hint = 'blob_missing';
  end if;
  if v_pack.state = 'collecting' then
    return v_pack.state;
  end if;
  if not exists (select 1 from storage.objects as o where o.bucket_id = 'sandsync'
      and o.name = v_pack.storage_key and (o.metadata ->> 'size')::bigint = v_pack.size) then
    raise exception 'Cannot finish pack "%": its object is missing or of another size', p_sha256
      using errcode = 'SSN04', hint = 'blob_missing';
  end if;
  update sandsync.packs set state = 'stored', stored_at = coalesce(stored_at, now())
  where workspace_id = p_workspace_id and sha256 = p_sha256;
  -- The entries' blobs are verified bytes now; a blob with an object of its own stays loose.
  update sandsync.blobs as b set state = 'stored', stored_at = coalesce(b.stored_at, now()),
    packed = case when b.state = 'stored' then b.packed else true end
  from sandsync.pack_entries as e
  where e.workspace_id = p_workspace_id and e.pack_sha256 = p_sha256
    and b.owner_id = e.owner_id and b.sha256 = e.sha256 and b.size = e.size
    and b.state <> 'collecting';
  return 'stored';
end
$$;
comment on function public.service_finish_pack(uuid, text) is
  'Service only: after the pack object landed (its size checked here, its bytes hashed by the caller), marks the pack and its entries'' blobs stored.';
grant execute on function public.service_finish_pack(uuid, text) to service_role;

create function public.service_pack_usage(
  p_grace interval default interval '1 hour',
  p_owner_id uuid default null
)
returns table (owner_id uuid, workspace_id uuid, sha256 text, storage_key text, state text,
  size bigint, live_bytes bigint)
language sql
stable
security invoker
set search_path = ''
as $$
  select p.owner_id, p.workspace_id, p.sha256, p.storage_key, p.state, p.size,
    coalesce((
      select sum(e.size) from sandsync.pack_entries as e
      where e.workspace_id = p.workspace_id and e.pack_sha256 = p.sha256
        and exists (select 1 from sandsync.versions as v
          where v.workspace_id = e.workspace_id and v.sha256 = e.sha256)
    ), 0)::bigint
  from sandsync.packs as p
  where (p_owner_id is null or p.owner_id = p_owner_id)
    and (p.state = 'collecting' or p.created_at < now() - coalesce(p_grace, interval '1 hour'))
    -- A pending pack may be in the middle of its upload: only an abandoned one (an hour) goes.
    and (p.state <> 'pending' or p.created_at < now() - interval '1 hour')
  order by p.owner_id, p.workspace_id, p.sha256
$$;
comment on function public.service_pack_usage(interval, uuid) is
  'Service only: packs past the grace with the bytes of their live entries (a version of the workspace holds the blob): candidates for repacking or collection.';
grant execute on function public.service_pack_usage(interval, uuid) to service_role;

create function public.service_collect_pack(p_workspace_id uuid, p_sha256 text)
returns text
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_key text;
begin
  -- Lock first (waits for commits holding the pack FOR SHARE), then decide in a fresh snapshot.
  perform 1 from sandsync.packs where workspace_id = p_workspace_id and sha256 = p_sha256 for update;
  update sandsync.packs as p set state = 'collecting'
    where p.workspace_id = p_workspace_id and p.sha256 = p_sha256
      and (p.state <> 'pending' or p.created_at < now() - interval '1 hour')
      and not exists (
        select 1 from sandsync.pack_entries as e
        where e.workspace_id = p.workspace_id and e.pack_sha256 = p.sha256
          and exists (select 1 from sandsync.versions as v
            where v.workspace_id = e.workspace_id and v.sha256 = e.sha256)
          and not exists (
            select 1 from sandsync.pack_entries as o
            join sandsync.packs as q on q.workspace_id = o.workspace_id and q.sha256 = o.pack_sha256
            where o.workspace_id = e.workspace_id and o.sha256 = e.sha256
              and q.sha256 <> p.sha256 and q.state = 'stored')
      )
    returning p.storage_key into v_key;
  return v_key;
end
$$;
comment on function public.service_collect_pack(uuid, text) is
  'Service only: marks a pack collecting when none of its live entries depends on it (each is dead or held by another stored pack); returns its key to remove, or null.';
grant execute on function public.service_collect_pack(uuid, text) to service_role;

create function public.service_finish_pack_collect(p_keys text[])
returns integer
language sql
security invoker
set search_path = ''
as $$
  with gone as (
    delete from sandsync.packs as p
    where p.storage_key = any (p_keys) and p.state = 'collecting'
      and not exists (select 1 from storage.objects as o where o.bucket_id = 'sandsync' and o.name = p.storage_key)
    returning 1
  )
  select count(*)::integer from gone
$$;
comment on function public.service_finish_pack_collect(text[]) is
  'Service only: forgets collecting packs whose objects are gone; returns how many.';
grant execute on function public.service_finish_pack_collect(text[]) to service_role;

-- Replaced definitions ---------------------------------------------------------------------------

create or replace function public.service_mark_blob_stored(p_owner_id uuid, p_sha256 text, p_size bigint)
returns sandsync.blobs
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_row sandsync.blobs;
begin
  if p_owner_id is null or p_sha256 is null or p_sha256 !~ '^[0-9a-f]{64}$'
    or p_size is null or p_size < 0 then
    raise exception 'Cannot mark blob "%" stored: invalid owner, hash or size', p_sha256
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  -- Called once the blob's own object was verified: the blob is loose (packed = false).
  insert into sandsync.blobs as b (owner_id, sha256, size, state, stored_at)
  values (p_owner_id, p_sha256, p_size, 'stored', now())
  on conflict (owner_id, sha256) do update
    set state = 'stored', stored_at = coalesce(b.stored_at, now()), packed = false
    where b.size = excluded.size
  returning * into v_row;
  if v_row.sha256 is null then
    raise exception 'Cannot mark blob "%" stored: size % differs from the recorded size', p_sha256, p_size
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  return v_row;
end
$$;

create or replace function sandsync.versions_need_stored_blobs()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_bad record;
  v_scope uuid := sandsync.current_workspace_scope();
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
      using errcode = 'SSN04', hint = 'blob_missing';
  end if;
  -- A packed blob is usable only where a stored pack of the version's workspace holds it; the
  -- packs are locked like blob rows, against a concurrent pack collection.
  perform 1 from sandsync.packs as p
  where (p.workspace_id, p.sha256) in (
    select e.workspace_id, e.pack_sha256 from sandsync.pack_entries as e
    join new_versions as n on n.workspace_id = e.workspace_id and n.sha256 = e.sha256)
  order by p.workspace_id, p.sha256
  for share;
  select n.sha256, n.size, n.path into v_bad
  from new_versions as n
  join sandsync.blobs as b on b.owner_id = n.owner_id and b.sha256 = n.sha256
  where n.sha256 is not null and b.packed
    and not exists (
      select 1 from sandsync.pack_entries as e
      join sandsync.packs as p on p.workspace_id = e.workspace_id and p.sha256 = e.pack_sha256
      where e.workspace_id = n.workspace_id and e.sha256 = n.sha256 and p.state = 'stored')
  limit 1;
  if found then
    raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
      using errcode = 'SSN04', hint = 'blob_missing';
  end if;
  if v_scope is not null then
    select n.sha256, n.size, n.path into v_bad
    from new_versions as n
    where n.sha256 is not null
      and not exists (select 1 from sandsync.blob_grants as g
        where g.workspace_id = n.workspace_id and g.sha256 = n.sha256)
      and not exists (select 1 from sandsync.versions as v
        where v.owner_id = n.owner_id and v.sha256 = n.sha256 and v.workspace_id = n.workspace_id
          and v.id not in (select id from new_versions))
    limit 1;
    if found then
      raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
        using errcode = 'SSN04', hint = 'blob_missing';
    end if;
  end if;
  return null;
end
$$;

create or replace function sandsync.on_sync_object_change()
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
  v_pack_workspace uuid;
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
    -- The bytes landed: the reservation made for exactly this blob (or for the blobs of this
    -- pack) is settled.
    if new.name ~ '^[^/]+/[0-9a-f]{2}/[0-9a-f]{64}$' then
      v_sha256 := split_part(new.name, '/', 3);
    elsif new.name ~ '^[^/]+/staging/[0-9a-f-]{36}/[0-9a-f]{64}$' then
      v_sha256 := split_part(new.name, '/', 4);
    elsif new.name ~ '^[^/]+/packs/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[0-9a-f]{64}$' then
      v_pack_workspace := split_part(new.name, '/', 3)::uuid;
    end if;
    if v_sha256 is not null and v_new_size > 0 then
      with gone as (
        delete from sandsync.reservations
        where owner_id = v_new_owner and sha256 = v_sha256
        returning size
      )
      select coalesce(sum(size), 0) into v_released from gone;
    elsif v_pack_workspace is not null and v_new_size > 0 then
      with gone as (
        delete from sandsync.reservations as r
        where r.owner_id = v_new_owner and r.sha256 in (
          select e.sha256 from sandsync.pack_entries as e
          where e.workspace_id = v_pack_workspace and e.pack_sha256 = split_part(new.name, '/', 4))
        returning r.size
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

create or replace function sandsync.on_sync_object_removed()
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
  elsif old.name ~ '^[0-9a-f-]{36}/packs/[0-9a-f-]{36}/[0-9a-f]{64}$' then
    -- A pack's bytes are gone: its entries locate nothing any more.
    delete from sandsync.packs where storage_key = old.name;
  end if;
  return null;
end
$$;
comment on function sandsync.on_sync_object_removed() is
  'Trigger on storage.objects: a collecting blob whose object is gone becomes pending; a removed pack object takes its pack row and entries with it.';

create or replace function public.service_stray_objects(p_grace interval default interval '1 hour', p_owner_id uuid default null)
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
    and not exists (select 1 from sandsync.packs as p where p.storage_key = o.name)
    and (
      o.name !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[0-9a-f]{2}/[0-9a-f]{64}$'
      or substr(split_part(o.name, '/', 3), 1, 2) <> split_part(o.name, '/', 2)
      or not exists (select 1 from sandsync.blobs as b
        where b.owner_id = sandsync.object_owner(o.name) and b.sha256 = split_part(o.name, '/', 3))
    )
  order by o.name
$$;
comment on function public.service_stray_objects(interval, uuid) is
  'Service only: sync-bucket objects (past the grace) that are neither a known blob''s key nor a known pack''s: to remove through Storage.';
