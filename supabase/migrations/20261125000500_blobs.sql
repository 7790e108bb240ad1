-- Sandsync sync core, part 5: content-addressed blobs.
--
-- Purpose: file bytes live in the private `sandsync` bucket under `<owner>/<sha[0:2]>/<sha>`
-- (DESIGN decision 2); this table records, per owner and SHA-256, the size, the storage key and
-- whether the bytes were verified (`pending` -> `stored`). Versions reference blobs; a blob that
-- nothing references is collected by housekeeping. Users can only read their rows: rows are
-- created by the quota reservation (definer) and flipped to `stored` by the service role after
-- it verified the bytes, so a client cannot vouch for bytes it never uploaded.
-- Objects: sandsync.blobs, RPC service_mark_blob_stored.

create table sandsync.blobs (
  owner_id uuid not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint not null check (size >= 0),
  storage_key text generated always as (
    owner_id::text || '/' || substr(sha256, 1, 2) || '/' || sha256
  ) stored,
  state text not null default 'pending' check (state in ('pending', 'stored')),
  created_at timestamptz not null default now(),
  stored_at timestamptz,
  primary key (owner_id, sha256)
);
comment on table sandsync.blobs is
  'Content-addressed file bytes per owner: size, storage key in the sync bucket, verification state.';
comment on column sandsync.blobs.owner_id is 'Owner whose quota pays for the bytes (first segment of the key).';
comment on column sandsync.blobs.sha256 is 'Lowercase hex SHA-256 of the content.';
comment on column sandsync.blobs.size is 'Content length in bytes.';
comment on column sandsync.blobs.storage_key is 'Object name in the sandsync bucket: <owner>/<sha[0:2]>/<sha>.';
comment on column sandsync.blobs.state is 'pending until the service verified the stored bytes, then stored; only stored blobs can be committed.';
comment on column sandsync.blobs.created_at is 'When the blob was first announced (reserved).';
comment on column sandsync.blobs.stored_at is 'When the bytes were verified.';

alter table sandsync.blobs enable row level security;
create policy "Users can see their own blobs" on sandsync.blobs
  for select to authenticated using (owner_id = (select auth.uid()));
grant select on sandsync.blobs to authenticated;
grant all on sandsync.blobs to service_role;

create function public.service_mark_blob_stored(p_owner_id uuid, p_sha256 text, p_size bigint)
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
      using errcode = 'SSI01', hint = 'invalid_input';
  end if;
  insert into sandsync.blobs as b (owner_id, sha256, size, state, stored_at)
  values (p_owner_id, p_sha256, p_size, 'stored', now())
  on conflict (owner_id, sha256) do update
    set state = 'stored', stored_at = coalesce(b.stored_at, now())
    where b.size = excluded.size
  returning * into v_row;
  if v_row.sha256 is null then
    raise exception 'Cannot mark blob "%" stored: size % differs from the recorded size', p_sha256, p_size
      using errcode = 'SSI01', hint = 'invalid_input';
  end if;
  return v_row;
end
$$;
comment on function public.service_mark_blob_stored(uuid, text, bigint) is
  'Service only: records that the bytes of (owner, sha256) were verified in Storage; commits may now reference them.';
grant execute on function public.service_mark_blob_stored(uuid, text, bigint) to service_role;
