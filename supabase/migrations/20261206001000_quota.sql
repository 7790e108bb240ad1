-- Sandsync sync core: quotas and upload reservations.
--
-- Purpose: each owner has a byte limit (a default from sandsync.settings, or a per-owner value
-- the service role sets) and two counters. `used_bytes` moves ONLY through the trigger on
-- storage.objects (the storage migration): what Storage really holds, each byte once. Before an
-- upload a client reserves bytes per (owner, SHA-256) with one atomic conditional update refused
-- when used + reserved + n > limit; the reservation is released when the object lands (the
-- storage trigger), when the client gives up (release_quota) or when it expires (housekeeping).
-- For a caller confined to a workspace (an agent token), a blob the workspace cannot already
-- read counts as new whether the owner has it or not, so neither the answer nor
-- `quota_exceeded` tells existing content from new.
-- Lock order everywhere: the owner's quotas row first, then reservations (no deadlocks).
-- Objects: sandsync.settings, sandsync.quotas, sandsync.reservations (RLS: read own),
-- sandsync.effective_limit, sandsync.reserve_for; RPCs reserve_quota, release_quota,
-- quota_usage, service_reserve_quota, service_set_quota_limit, service_set_default_quota,
-- service_recompute_usage.

create table sandsync.settings (
  id boolean primary key default true check (id),
  default_quota_bytes bigint not null default 10737418240 check (default_quota_bytes >= 0),
  reservation_ttl interval not null default interval '1 hour' check (reservation_ttl > interval '0'),
  sync_bucket text not null default 'sandsync'
);
comment on table sandsync.settings is 'Service-wide settings (a single row).';
comment on column sandsync.settings.id is 'Always true: there is one row.';
comment on column sandsync.settings.default_quota_bytes is 'Limit for owners without a per-owner limit (default 10 GiB).';
comment on column sandsync.settings.reservation_ttl is 'How long an upload reservation holds its bytes.';
comment on column sandsync.settings.sync_bucket is 'The Storage bucket holding blobs (informational; the trigger and policies name it).';
insert into sandsync.settings default values;
alter table sandsync.settings enable row level security;
create policy "Authenticated users can read the settings" on sandsync.settings
  for select to authenticated using (true);
grant select on sandsync.settings to authenticated;
grant all on sandsync.settings to service_role;

create table sandsync.quotas (
  owner_id uuid primary key,
  limit_bytes bigint check (limit_bytes >= 0),
  used_bytes bigint not null default 0,
  reserved_bytes bigint not null default 0 check (reserved_bytes >= 0),
  updated_at timestamptz not null default now()
);
comment on table sandsync.quotas is
  'Per-owner byte limit and counters; used moves only through the storage.objects trigger.';
comment on column sandsync.quotas.owner_id is 'Owner (a user id; the first segment of their object keys).';
comment on column sandsync.quotas.limit_bytes is 'Per-owner limit; null means settings.default_quota_bytes.';
comment on column sandsync.quotas.used_bytes is 'Bytes of the owner''s objects in the sync bucket (trigger-maintained).';
comment on column sandsync.quotas.reserved_bytes is 'Sum of the owner''s open reservations.';
comment on column sandsync.quotas.updated_at is 'Last counter change.';
alter table sandsync.quotas enable row level security;
create policy "Users can see their own quota" on sandsync.quotas
  for select to authenticated using (owner_id = (select auth.uid()));
grant select on sandsync.quotas to authenticated;
grant all on sandsync.quotas to service_role;

create table sandsync.reservations (
  owner_id uuid not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint not null check (size >= 0),
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  primary key (owner_id, sha256)
);
create index reservations_expires_at_idx on sandsync.reservations (expires_at);
comment on table sandsync.reservations is
  'Bytes promised to an upload in flight, per (owner, sha256); released when the object lands or on expiry.';
comment on column sandsync.reservations.owner_id is 'Owner paying for the upload.';
comment on column sandsync.reservations.sha256 is 'The blob being uploaded (its key is <owner>/<sha[0:2]>/<sha>).';
comment on column sandsync.reservations.size is 'Bytes reserved.';
comment on column sandsync.reservations.expires_at is 'After this, housekeeping releases the bytes.';
comment on column sandsync.reservations.created_at is 'First reservation time.';
alter table sandsync.reservations enable row level security;
create policy "Users can see their own reservations" on sandsync.reservations
  for select to authenticated using (owner_id = (select auth.uid()));
grant select on sandsync.reservations to authenticated;
grant all on sandsync.reservations to service_role;

create function sandsync.effective_limit(p_limit bigint)
returns bigint
language sql
stable
security invoker
set search_path = ''
as $$
  select coalesce(p_limit, (select default_quota_bytes from sandsync.settings))
$$;
comment on function sandsync.effective_limit(bigint) is 'A per-owner limit, or the default when it is null.';
grant execute on function sandsync.effective_limit(bigint) to authenticated, service_role;

-- why definer: reservations change quota counters, which users may read but never write; the
-- function only ever reserves for the owner it is given, and its two callers pass auth.uid()
-- (reserve_quota) or are service-only (service_reserve_quota). Not executable by clients.
create function sandsync.reserve_for(p_owner_id uuid, p_items jsonb, p_scope uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_quota sandsync.quotas;
  v_limit bigint;
  v_ttl interval;
  v_new bigint := 0;
  v_unseen bigint := 0;
  v_item record;
  v_status text;
  v_results jsonb := '[]';
  v_key text;
  v_exists boolean;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' or jsonb_array_length(p_items) > 10000 or exists (
    select 1 from jsonb_array_elements(p_items) as e
    where jsonb_typeof(e) <> 'object' or jsonb_typeof(e -> 'sha256') is distinct from 'string'
      or (e ->> 'sha256') !~ '^[0-9a-f]{64}$'
      or jsonb_typeof(e -> 'size') is distinct from 'number' or (e ->> 'size') !~ '^[0-9]{1,18}$'
  ) then
    raise exception 'Cannot reserve quota: items must be [{sha256, size}] with 64-hex hashes and integer sizes'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  -- A scoped caller is compared only with blobs its workspace can read: for any other, a size
  -- that differs from the stored one would tell that the content exists (its upload is hashed).
  if exists (
    select 1 from jsonb_array_elements(p_items) as e group by e ->> 'sha256'
    having count(distinct e ->> 'size') > 1
  ) or exists (
    select 1 from jsonb_array_elements(p_items) as e
    join sandsync.blobs as b on b.owner_id = p_owner_id and b.sha256 = e ->> 'sha256'
    where b.size <> (e ->> 'size')::bigint
      and (p_scope is null or sandsync.readable_blob(p_scope, p_owner_id, b.sha256))
  ) then
    raise exception 'Cannot reserve quota: one hash announced with two sizes'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;

  insert into sandsync.quotas (owner_id) values (p_owner_id) on conflict (owner_id) do nothing;
  select * into v_quota from sandsync.quotas where owner_id = p_owner_id for update;
  v_limit := sandsync.effective_limit(v_quota.limit_bytes);
  select reservation_ttl into v_ttl from sandsync.settings;

  for v_item in
    select e ->> 'sha256' as sha256, max((e ->> 'size')::bigint) as size
    from jsonb_array_elements(p_items) as e group by e ->> 'sha256' order by 1
  loop
    v_key := p_owner_id::text || '/' || substr(v_item.sha256, 1, 2) || '/' || v_item.sha256;
    v_exists := exists (select 1 from storage.objects where bucket_id = 'sandsync' and name = v_key);
    if p_scope is not null and not sandsync.readable_blob(p_scope, p_owner_id, v_item.sha256) then
      -- Staged: uploaded to a staging key and hashed, whether or not the owner has the bytes;
      -- counted as new in the quota check either way.
      v_status := 'staged';
      if v_exists or exists (select 1 from sandsync.reservations
          where owner_id = p_owner_id and sha256 = v_item.sha256) then
        v_unseen := v_unseen + v_item.size;
      end if;
    elsif v_exists then
      v_status := 'present'; -- the bytes are already in Storage (and counted in used)
    else
      v_status := 'reserved';
    end if;
    if not v_exists then
      if exists (select 1 from sandsync.reservations where owner_id = p_owner_id and sha256 = v_item.sha256) then
        update sandsync.reservations set expires_at = now() + v_ttl
        where owner_id = p_owner_id and sha256 = v_item.sha256;
      else
        insert into sandsync.reservations (owner_id, sha256, size, expires_at)
        values (p_owner_id, v_item.sha256, v_item.size, now() + v_ttl);
        v_new := v_new + v_item.size;
      end if;
    end if;
    insert into sandsync.blobs (owner_id, sha256, size) values (p_owner_id, v_item.sha256, v_item.size)
    on conflict (owner_id, sha256) do nothing;
    v_results := v_results || jsonb_build_object('sha256', v_item.sha256, 'size', v_item.size,
      'status', v_status, 'storage_key', v_key);
  end loop;

  -- The atomic conditional update: refused (no row) when the bytes do not fit. Staged blobs the
  -- owner already has must fit too (their staged upload is counted until the commit).
  update sandsync.quotas set reserved_bytes = reserved_bytes + v_new, updated_at = now()
  where owner_id = p_owner_id and used_bytes + reserved_bytes + v_new + v_unseen <= v_limit
  returning * into v_quota;
  if v_quota.owner_id is null then
    raise exception 'Cannot reserve % bytes: quota exceeded', v_new + v_unseen
      using errcode = 'SSQ01', hint = 'quota_exceeded',
        detail = format('needed=%s limit=%s', v_new + v_unseen, v_limit);
  end if;
  return jsonb_build_object('owner_id', p_owner_id, 'reserved_bytes', v_new, 'used_bytes', v_quota.used_bytes,
    'total_reserved_bytes', v_quota.reserved_bytes, 'limit_bytes', v_limit, 'items', v_results);
end
$$;
comment on function sandsync.reserve_for(uuid, jsonb, uuid) is
  'Reserves bytes for an owner''s uploads [{sha256,size}] all-or-nothing; creates pending blob rows; with a scope, blobs the workspace cannot read are staged. Internal.';
revoke execute on function sandsync.reserve_for(uuid, jsonb, uuid) from public;
grant execute on function sandsync.reserve_for(uuid, jsonb, uuid) to service_role;

-- RPCs -----------------------------------------------------------------------------------------

-- why definer: a user reserves for themselves only (auth.uid()), through sandsync.reserve_for,
-- which users cannot call directly; an agent token's workspace scope comes from its claims.
create function public.reserve_quota(p_items jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception 'Cannot reserve quota: no user' using errcode = 'SSA01', hint = 'unauthorized';
  end if;
  return sandsync.reserve_for(auth.uid(), p_items, sandsync.current_workspace_scope());
end
$$;
comment on function public.reserve_quota(jsonb) is
  'Reserves upload bytes for the caller: items [{sha256,size}] -> per item present|reserved|staged with storage_key; all or nothing (SSQ01 quota_exceeded).';
grant execute on function public.reserve_quota(jsonb) to authenticated;

create function public.service_reserve_quota(p_owner_id uuid, p_items jsonb)
returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select sandsync.reserve_for(p_owner_id, p_items)
$$;
comment on function public.service_reserve_quota(uuid, jsonb) is
  'Service only: reserve_quota on behalf of an owner.';
revoke execute on function public.service_reserve_quota(uuid, jsonb) from public;
grant execute on function public.service_reserve_quota(uuid, jsonb) to service_role;

-- why definer: releasing lowers the caller's own reserved counter, which users cannot write.
create function public.release_quota(p_sha256s text[])
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_owner uuid := auth.uid();
  v_released bigint;
begin
  if v_owner is null then
    raise exception 'Cannot release quota: no user' using errcode = 'SSA01', hint = 'unauthorized';
  end if;
  perform 1 from sandsync.quotas where owner_id = v_owner for update;
  with gone as (
    delete from sandsync.reservations where owner_id = v_owner and sha256 = any (p_sha256s) returning size
  )
  select coalesce(sum(size), 0) into v_released from gone;
  update sandsync.quotas set reserved_bytes = reserved_bytes - v_released, updated_at = now()
  where owner_id = v_owner and v_released > 0;
  return v_released;
end
$$;
comment on function public.release_quota(text[]) is
  'Releases the caller''s reservations for these hashes (an upload given up); returns the bytes released.';
grant execute on function public.release_quota(text[]) to authenticated;

create function public.quota_usage()
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select jsonb_build_object(
    'owner_id', auth.uid(),
    'limit_bytes', sandsync.effective_limit(q.limit_bytes),
    'used_bytes', coalesce(q.used_bytes, 0),
    'reserved_bytes', coalesce(q.reserved_bytes, 0),
    'workspaces', coalesce((
      select jsonb_agg(jsonb_build_object('workspace_id', w.id, 'name', w.name,
        'logical_bytes', coalesce((select sum(f.size) from sandsync.files as f where f.workspace_id = w.id and not f.deleted), 0),
        'files', (select count(*) from sandsync.files as f where f.workspace_id = w.id and not f.deleted))
        order by w.created_at)
      from sandsync.workspaces as w where w.owner_id = auth.uid()
    ), '[]'::jsonb)
  )
  from (select 1) as one
  left join sandsync.quotas as q on q.owner_id = auth.uid()
$$;
comment on function public.quota_usage() is
  'The caller''s limit, used and reserved bytes, and per workspace the logical size of its current versions.';
grant execute on function public.quota_usage() to authenticated;

create function public.service_set_quota_limit(p_owner_id uuid, p_limit_bytes bigint)
returns sandsync.quotas
language sql
security invoker
set search_path = ''
as $$
  insert into sandsync.quotas as q (owner_id, limit_bytes) values (p_owner_id, p_limit_bytes)
  on conflict (owner_id) do update set limit_bytes = excluded.limit_bytes, updated_at = now()
  returning *
$$;
comment on function public.service_set_quota_limit(uuid, bigint) is
  'Service only: sets an owner''s limit in bytes (null: back to the default).';
grant execute on function public.service_set_quota_limit(uuid, bigint) to service_role;

create function public.service_set_default_quota(p_limit_bytes bigint)
returns sandsync.settings
language sql
security invoker
set search_path = ''
as $$
  update sandsync.settings set default_quota_bytes = p_limit_bytes returning *
$$;
comment on function public.service_set_default_quota(bigint) is 'Service only: sets the default per-owner limit.';
grant execute on function public.service_set_default_quota(bigint) to service_role;

create function public.service_recompute_usage(p_owner_id uuid default null, p_fix boolean default false)
returns table (
  owner_id uuid,
  limit_bytes bigint,
  used_bytes bigint,
  actual_used_bytes bigint,
  reserved_bytes bigint,
  actual_reserved_bytes bigint,
  consistent boolean
)
language plpgsql
security invoker
set search_path = ''
as $$
begin
  if p_fix then
    with actual as (
      select split_part(o.name, '/', 1)::uuid as owner_id, sum(coalesce((o.metadata ->> 'size')::bigint, 0)) as bytes
      from storage.objects as o
      where o.bucket_id = 'sandsync' and split_part(o.name, '/', 1) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      group by 1
    )
    update sandsync.quotas as q set
      used_bytes = coalesce((select a.bytes from actual as a where a.owner_id = q.owner_id), 0),
      reserved_bytes = coalesce((select sum(r.size) from sandsync.reservations as r where r.owner_id = q.owner_id), 0),
      updated_at = now()
    where p_owner_id is null or q.owner_id = p_owner_id;
  end if;
  return query
    with actual as (
      select split_part(o.name, '/', 1)::uuid as owner_id, sum(coalesce((o.metadata ->> 'size')::bigint, 0))::bigint as bytes
      from storage.objects as o
      where o.bucket_id = 'sandsync' and split_part(o.name, '/', 1) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      group by 1
    ), owners as (
      select q.owner_id from sandsync.quotas as q union select a.owner_id from actual as a
    )
    select o.owner_id, sandsync.effective_limit(q.limit_bytes),
      coalesce(q.used_bytes, 0), coalesce(a.bytes, 0),
      coalesce(q.reserved_bytes, 0),
      coalesce((select sum(r.size) from sandsync.reservations as r where r.owner_id = o.owner_id), 0)::bigint,
      coalesce(q.used_bytes, 0) = coalesce(a.bytes, 0)
        and coalesce(q.reserved_bytes, 0) = coalesce((select sum(r.size) from sandsync.reservations as r where r.owner_id = o.owner_id), 0)
    from owners as o
    left join sandsync.quotas as q on q.owner_id = o.owner_id
    left join actual as a on a.owner_id = o.owner_id
    where p_owner_id is null or o.owner_id = p_owner_id
    order by o.owner_id;
end
$$;
comment on function public.service_recompute_usage(uuid, boolean) is
  'Service only: recomputes used bytes from storage.objects and reserved from reservations, compares with the counters, optionally fixes them.';
grant execute on function public.service_recompute_usage(uuid, boolean) to service_role;
