-- Version vector bounds: what a vector may hold, checked by the database for itself.
--
-- Purpose: a base vector arrives from a replica that may be hostile. A counter near 2^53 was
-- bumped past JavaScript's safe-integer range and wedged the path for every replica; a base with
-- thousands of keys was accepted and copied into every later version of the file; a key that is
-- no replica of the workspace stayed in the file's vectors forever. The sync function refuses all
-- three (shared/wire.ts, sync_service.ts); the database refuses them again here.
-- Objects: sandsync.vv_is_valid (replaced: counters 0 .. 2^52 - 1, at most 256 keys),
--   sandsync.versions_vector_keys_check() and its trigger on sandsync.versions.
-- Why 256 keys: a vector holds only the replicas that wrote the file; 256 writers of one file is
--   far beyond any workspace, and the bound keeps every version row small.

create or replace function sandsync.vv_is_valid(p_vector jsonb)
returns boolean
language sql
immutable
parallel safe
security invoker
set search_path = ''
as $$
  select jsonb_typeof(p_vector) = 'object'
    and (select count(*) from jsonb_object_keys(p_vector)) <= 256
    and not exists (
      select 1 from jsonb_each(p_vector) as e(key, value)
      where jsonb_typeof(e.value) <> 'number'
        or (e.value #>> '{}') !~ '^[0-9]{1,16}$'
        or (e.value #>> '{}')::bigint > 4503599627370495
        or e.key !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    )
$$;
comment on function sandsync.vv_is_valid(jsonb) is
  'True when the value is an object of at most 256 replica uuid -> integer counter from 0 to 2^52 - 1.';
grant execute on function sandsync.vv_is_valid(jsonb) to authenticated, service_role;

-- Every key of a new version's vector is a replica of the version's workspace, or the workspace
-- id itself (the one key of a conflict copy's vector, see commit_changes).
create function sandsync.versions_vector_keys_check()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_stranger text;
begin
  select k into v_stranger
  from jsonb_object_keys(new.vector) as k
  where k <> new.workspace_id::text
    and not exists (
      select 1 from sandsync.replicas as r
      where r.workspace_id = new.workspace_id and r.id::text = k
    )
  limit 1;
  if found then
    raise exception 'Cannot record a version of "%": replica "%" in its vector is not a replica of the workspace', new.path, v_stranger
      using errcode = 'SSI01', hint = 'invalid_input';
  end if;
  return new;
end
$$;
comment on function sandsync.versions_vector_keys_check() is
  'Trigger: refuses a version whose vector names a replica that is not in its workspace.';
grant execute on function sandsync.versions_vector_keys_check() to authenticated, service_role;

create trigger versions_vector_keys_check
  before insert on sandsync.versions
  for each row execute function sandsync.versions_vector_keys_check();
