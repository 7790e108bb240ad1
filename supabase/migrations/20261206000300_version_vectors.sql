-- Sandsync sync core: version vectors.
--
-- Purpose: a version carries `{replica_id: counter}` as jsonb. These helpers check, compare,
-- merge and bump vectors for the commit function (docs/decisions/0004-version-vectors.md). A
-- missing key counts as 0; merged vectors drop zero counters, as shared/version_vector.ts does,
-- so equal vectors compare equal as jsonb.
-- Objects: sandsync.vv_is_valid, sandsync.vv_compare, sandsync.vv_merge, sandsync.vv_bump.
-- Why these bounds: a base vector arrives from a replica that may be hostile. Counters stay
-- within 0 .. 2^52 - 1 (a counter near 2^53 bumped past JavaScript's safe-integer range wedged
-- the path for every replica) and a vector holds at most 256 keys (only the replicas that wrote
-- the file; the bound keeps every version row small). The check that every key is a replica of
-- the workspace is a trigger on sandsync.versions.
-- Why PL/pgSQL for the hot helpers: with `set search_path` a SQL function cannot be inlined and
-- is planned again on every call (0.1-0.25 ms each, seconds for a batch of 1,000 files);
-- PL/pgSQL caches its plans per session.

create function sandsync.vv_is_valid(p_vector jsonb)
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

create function sandsync.vv_compare(p_a jsonb, p_b jsonb)
returns text
language plpgsql
immutable
parallel safe
security invoker
set search_path = ''
as $$
declare
  v_key text;
  v_value jsonb;
  v_a bigint;
  v_b bigint;
  v_a_behind boolean := false;
  v_a_ahead boolean := false;
begin
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_a, '{}'::jsonb)) as e loop
    v_a := (v_value #>> '{}')::bigint;
    v_b := coalesce((p_b ->> v_key)::bigint, 0);
    if v_a < v_b then
      v_a_behind := true;
    elsif v_a > v_b then
      v_a_ahead := true;
    end if;
  end loop;
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_b, '{}'::jsonb)) as e loop
    if not coalesce(p_a ? v_key, false) and (v_value #>> '{}')::bigint > 0 then
      v_a_behind := true;
    end if;
  end loop;
  return case
    when v_a_behind and v_a_ahead then 'concurrent'
    when v_a_behind then 'before'
    when v_a_ahead then 'after'
    else 'equal'
  end;
end
$$;
comment on function sandsync.vv_compare(jsonb, jsonb) is
  'Compares two version vectors: equal, before (a dominated by b), after (a dominates b) or concurrent.';
grant execute on function sandsync.vv_compare(jsonb, jsonb) to authenticated, service_role;

create function sandsync.vv_merge(p_a jsonb, p_b jsonb)
returns jsonb
language plpgsql
immutable
parallel safe
security invoker
set search_path = ''
as $$
declare
  v_out jsonb := '{}'::jsonb;
  v_key text;
  v_value jsonb;
  v_counter bigint;
begin
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_a, '{}'::jsonb)) as e loop
    v_counter := greatest((v_value #>> '{}')::bigint, coalesce((p_b ->> v_key)::bigint, 0));
    if v_counter > 0 then
      v_out := v_out || jsonb_build_object(v_key, v_counter);
    end if;
  end loop;
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_b, '{}'::jsonb)) as e loop
    if not coalesce(p_a ? v_key, false) and (v_value #>> '{}')::bigint > 0 then
      v_out := v_out || jsonb_build_object(v_key, (v_value #>> '{}')::bigint);
    end if;
  end loop;
  return v_out;
end
$$;
comment on function sandsync.vv_merge(jsonb, jsonb) is 'Pointwise maximum of two version vectors.';
grant execute on function sandsync.vv_merge(jsonb, jsonb) to authenticated, service_role;

create function sandsync.vv_bump(p_vector jsonb, p_replica_id uuid)
returns jsonb
language plpgsql
immutable
parallel safe
security invoker
set search_path = ''
as $$
begin
  return coalesce(p_vector, '{}'::jsonb) || jsonb_build_object(
    p_replica_id::text, coalesce((p_vector ->> p_replica_id::text)::bigint, 0) + 1);
end
$$;
comment on function sandsync.vv_bump(jsonb, uuid) is 'The vector with the replica''s counter incremented.';
grant execute on function sandsync.vv_bump(jsonb, uuid) to authenticated, service_role;
