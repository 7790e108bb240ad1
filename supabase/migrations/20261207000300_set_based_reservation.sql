-- Sandsync: the quota reservation as set operations.
--
-- Purpose: sandsync.reserve_for (20261206001000_quota.sql) answers exactly as before, all or
-- nothing under the owner's quota row lock, but decides its items with a handful of statements
-- instead of a loop of four per item.
-- Why: the loop appended each item's answer to a jsonb array (a copy of the whole array per
-- item) and ran its lookups one item at a time; a 1,000-file commit spent about 210 ms here
-- (docs/benchmarks.md). Every fact the loop read per item (the object under the loose key, an
-- existing reservation, whether a scoped caller can read the blob) is untouched by the other
-- items of the same call (one row per hash, and the owner's reservations change only under the
-- lock taken first), so reading them all before writing anything decides the same.
-- Objects: sandsync.reserve_for (replaced; public.reserve_quota and service_reserve_quota call it).
-- Algorithm: validate (unchanged); lock the owner's quota row; read every item's facts in one
-- query; extend the reservations that exist, insert the others, insert missing blob rows; check
-- the limit with the one conditional update; answer the items in hash order.

create or replace function sandsync.reserve_for(p_owner_id uuid, p_items jsonb, p_scope uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_quota sandsync.quotas;
  v_limit bigint;
  v_ttl interval;
  v_new bigint;
  v_unseen bigint;
  v_results jsonb;
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

  -- One statement: every item's facts are read from its snapshot, before any of its writes
  -- (see the header); the data-modifying parts run whether or not the answer reads them.
  with facts as materialized (
    select i.sha256, i.size, i.storage_key,
      exists (select 1 from storage.objects as o
        where o.bucket_id = 'sandsync' and o.name = i.storage_key) as present,
      exists (select 1 from sandsync.reservations as r
        where r.owner_id = p_owner_id and r.sha256 = i.sha256) as reserved,
      p_scope is not null and not sandsync.readable_blob(p_scope, p_owner_id, i.sha256) as staged
    from (
      select e ->> 'sha256' as sha256, max((e ->> 'size')::bigint) as size,
        p_owner_id::text || '/' || substr(e ->> 'sha256', 1, 2) || '/' || (e ->> 'sha256') as storage_key
      from jsonb_array_elements(p_items) as e group by e ->> 'sha256'
    ) as i
  ), extended as (
    update sandsync.reservations as r set expires_at = now() + v_ttl
    from facts as f
    where r.owner_id = p_owner_id and r.sha256 = f.sha256 and not f.present and f.reserved
  ), added as (
    insert into sandsync.reservations (owner_id, sha256, size, expires_at)
    select p_owner_id, f.sha256, f.size, now() + v_ttl from facts as f
    where not f.present and not f.reserved
  ), rows as (
    insert into sandsync.blobs (owner_id, sha256, size)
    select p_owner_id, f.sha256, f.size from facts as f
    on conflict (owner_id, sha256) do nothing
  )
  -- Staged: uploaded to a staging key and hashed, whether or not the owner has the bytes;
  -- counted as new in the quota check either way.
  select coalesce(sum(f.size) filter (where f.staged and (f.present or f.reserved)), 0),
    coalesce(sum(f.size) filter (where not f.present and not f.reserved), 0),
    coalesce(jsonb_agg(jsonb_build_object('sha256', f.sha256, 'size', f.size,
      'status', case when f.staged then 'staged' when f.present then 'present' else 'reserved' end,
      'storage_key', f.storage_key) order by f.sha256), '[]'::jsonb)
  into v_unseen, v_new, v_results
  from facts as f;

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
