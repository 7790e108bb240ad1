-- Tenancy: an agent token learns nothing about, and gains nothing from, bytes outside its workspace.
--
-- Purpose: blobs are deduplicated per owner, agent tokens are scoped to one workspace. A token
-- of workspace W1 could commit a file naming the SHA-256 of bytes that exist only in W2 and then
-- download them, and `negotiate` told it whether guessed content existed (`present`, no upload
-- asked for, no quota reserved, or a 400 for a hash announced with another size). Now, for a
-- caller confined to a workspace (the `sandsync_workspace_id` claim the functions set for agent
-- tokens), a blob counts only if the workspace can already read it: some version of the
-- workspace holds it, or the server verified bytes this workspace sent (a possession grant).
-- Any other blob is `staged`, whether the owner has it or not: the caller uploads the bytes to a
-- staging key, the server hashes them (proof of possession), keeps one copy and grants the blob
-- to the workspace. Its quota check counts such blobs as new either way, so neither the answer
-- nor `quota_exceeded` tells existing content from new. A statement trigger on versions refuses
-- (SSN04 blob_not_stored) a scoped caller's version naming a blob the workspace may not read.
-- Objects: sandsync.blob_grants, sandsync.claim_uuid(), sandsync.current_workspace_scope(),
--   sandsync.current_agent_token_id() (now through claim_uuid), sandsync.readable_blob(),
--   sandsync.reserve_for (gains p_scope), public.reserve_quota (passes the scope),
--   public.service_grant_blobs, sandsync.on_sync_object_change (staging keys settle
--   reservations), sandsync.versions_need_stored_blobs (scoped callers' blobs must be readable).

create table sandsync.blob_grants (
  workspace_id uuid not null references sandsync.workspaces (id) on delete cascade,
  owner_id uuid not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  granted_at timestamptz not null default now(),
  primary key (workspace_id, sha256)
);
create index blob_grants_owner_id_sha256_idx on sandsync.blob_grants (owner_id, sha256);
comment on table sandsync.blob_grants is
  'Blobs a workspace proved it holds (the server hashed bytes it sent): committable by its agent tokens.';
comment on column sandsync.blob_grants.workspace_id is 'The workspace that sent the bytes.';
comment on column sandsync.blob_grants.owner_id is 'Owner of the workspace and of the blob.';
comment on column sandsync.blob_grants.sha256 is 'The blob.';
comment on column sandsync.blob_grants.granted_at is 'When the server verified the bytes.';
alter table sandsync.blob_grants enable row level security;
create policy "Users can see the grants of their workspaces" on sandsync.blob_grants
  for select to authenticated using (owner_id = (select auth.uid()));
grant select on sandsync.blob_grants to authenticated;
grant select, insert, delete on sandsync.blob_grants to service_role;

-- Security invoker: reads only the transaction's own settings.
create function sandsync.claim_uuid(p_name text)
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
  select case
    when (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> p_name)
      ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> p_name)::uuid
  end
$$;
comment on function sandsync.claim_uuid(text) is
  'The request claim p_name (request.jwt.claims) as a uuid; null when absent or not a uuid.';
revoke all on function sandsync.claim_uuid(text) from public;
grant execute on function sandsync.claim_uuid(text) to authenticated, service_role;

-- The agent token claim read through the same helper (its behaviour is unchanged).
create or replace function sandsync.current_agent_token_id()
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
  select sandsync.claim_uuid('sandsync_token_id')
$$;

-- Security invoker: reads only the transaction's own settings.
create function sandsync.current_workspace_scope()
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
  select sandsync.claim_uuid('sandsync_workspace_id')
$$;
comment on function sandsync.current_workspace_scope() is
  'The one workspace the current caller is confined to (claim sandsync_workspace_id of agent tokens), or null.';
revoke all on function sandsync.current_workspace_scope() from public;
grant execute on function sandsync.current_workspace_scope() to authenticated, service_role;

-- Security invoker: called from sandsync.reserve_for (definer) and by the sync function as the
-- service role (the commit's check of staged blobs); clients cannot call it.
create function sandsync.readable_blob(p_workspace_id uuid, p_owner_id uuid, p_sha256 text)
returns boolean
language sql
stable
security invoker
set search_path = ''
as $$
  select exists (
    select 1 from sandsync.versions
    where owner_id = p_owner_id and sha256 = p_sha256 and workspace_id = p_workspace_id
  ) or exists (
    select 1 from sandsync.blob_grants
    where workspace_id = p_workspace_id and sha256 = p_sha256
  )
$$;
comment on function sandsync.readable_blob(uuid, uuid, text) is
  'Whether the workspace can already read the blob: a version of it holds the hash, or it was granted.';
revoke all on function sandsync.readable_blob(uuid, uuid, text) from public;
grant execute on function sandsync.readable_blob(uuid, uuid, text) to service_role;

drop function public.service_reserve_quota(uuid, jsonb);
drop function public.reserve_quota(jsonb);
drop function sandsync.reserve_for(uuid, jsonb);

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
      using errcode = 'SSI01', hint = 'invalid_input';
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
      using errcode = 'SSI01', hint = 'invalid_input';
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
    raise exception 'Cannot reserve quota: no user' using errcode = 'SSA01', hint = 'not_authenticated';
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
grant execute on function sandsync.reserve_for(uuid, jsonb, uuid) to service_role;

create function public.service_grant_blobs(p_workspace_id uuid, p_sha256s text[])
returns integer
language sql
security invoker
set search_path = ''
as $$
  with granted as (
    insert into sandsync.blob_grants (workspace_id, owner_id, sha256)
    select w.id, w.owner_id, h.sha256
    from sandsync.workspaces as w, unnest(p_sha256s) as h (sha256)
    where w.id = p_workspace_id and h.sha256 ~ '^[0-9a-f]{64}$'
    on conflict (workspace_id, sha256) do nothing
    returning 1
  )
  select count(*)::integer from granted
$$;
comment on function public.service_grant_blobs(uuid, text[]) is
  'Service only: records that the workspace sent these blobs'' bytes (the server hashed them).';
revoke execute on function public.service_grant_blobs(uuid, text[]) from public;
grant execute on function public.service_grant_blobs(uuid, text[]) to service_role;

-- Staged uploads (`<owner>/staging/<token>/<sha256>`) settle the reservation of their blob like
-- a blob key does; the rest of the trigger is unchanged.
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

-- A scoped caller's versions may name only blobs its workspace could read before this statement
-- (another version of the workspace, or a grant); everything else as before.
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
      using errcode = 'SSN04', hint = 'blob_not_stored';
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
        using errcode = 'SSN04', hint = 'blob_not_stored';
    end if;
  end if;
  return null;
end
$$;
