-- Sandsync sync core, part 3: version vectors.
--
-- Purpose: a version carries `{replica_id: counter}` as jsonb. These helpers compare, merge and
-- bump vectors for the commit function (DESIGN decision 4). A missing key counts as 0.
-- Objects: sandsync.vv_is_valid, sandsync.vv_compare, sandsync.vv_merge, sandsync.vv_bump.

create function sandsync.vv_is_valid(p_vector jsonb)
returns boolean
language sql
immutable
parallel safe
security invoker
set search_path = ''
as $$
  select jsonb_typeof(p_vector) = 'object'
    and not exists (
      select 1 from jsonb_each(p_vector) as e(key, value)
      where jsonb_typeof(e.value) <> 'number'
        or (e.value #>> '{}') !~ '^[0-9]{1,18}$'
        or e.key !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    )
$$;
comment on function sandsync.vv_is_valid(jsonb) is
  'True when the value is an object of replica uuid -> non-negative integer counter.';
grant execute on function sandsync.vv_is_valid(jsonb) to authenticated, service_role;

-- 'equal', 'before' (a < b), 'after' (a > b) or 'concurrent'.
create function sandsync.vv_compare(p_a jsonb, p_b jsonb)
returns text
language sql
immutable
parallel safe
security invoker
set search_path = ''
as $$
  select case
    when not coalesce(bool_or(av < bv), false) and not coalesce(bool_or(av > bv), false) then 'equal'
    when coalesce(bool_or(av < bv), false) and not coalesce(bool_or(av > bv), false) then 'before'
    when not coalesce(bool_or(av < bv), false) then 'after'
    else 'concurrent'
  end
  from (
    select coalesce((a.value #>> '{}')::bigint, 0) as av, coalesce((b.value #>> '{}')::bigint, 0) as bv
    from jsonb_each(coalesce(p_a, '{}')) as a(key, value)
    full join jsonb_each(coalesce(p_b, '{}')) as b(key, value) on a.key = b.key
  ) as pairs
$$;
comment on function sandsync.vv_compare(jsonb, jsonb) is
  'Compares two version vectors: equal, before (a dominated by b), after (a dominates b) or concurrent.';
grant execute on function sandsync.vv_compare(jsonb, jsonb) to authenticated, service_role;

create function sandsync.vv_merge(p_a jsonb, p_b jsonb)
returns jsonb
language sql
immutable
parallel safe
security invoker
set search_path = ''
as $$
  select coalesce(jsonb_object_agg(k, greatest(av, bv)), '{}'::jsonb)
  from (
    select coalesce(a.key, b.key) as k,
      coalesce((a.value #>> '{}')::bigint, 0) as av, coalesce((b.value #>> '{}')::bigint, 0) as bv
    from jsonb_each(coalesce(p_a, '{}')) as a(key, value)
    full join jsonb_each(coalesce(p_b, '{}')) as b(key, value) on a.key = b.key
  ) as pairs
$$;
comment on function sandsync.vv_merge(jsonb, jsonb) is 'Pointwise maximum of two version vectors.';
grant execute on function sandsync.vv_merge(jsonb, jsonb) to authenticated, service_role;

create function sandsync.vv_bump(p_vector jsonb, p_replica_id uuid)
returns jsonb
language sql
immutable
parallel safe
security invoker
set search_path = ''
as $$
  select coalesce(p_vector, '{}'::jsonb) || jsonb_build_object(
    p_replica_id::text, coalesce((p_vector ->> p_replica_id::text)::bigint, 0) + 1)
$$;
comment on function sandsync.vv_bump(jsonb, uuid) is 'The vector with the replica''s counter incremented.';
grant execute on function sandsync.vv_bump(jsonb, uuid) to authenticated, service_role;
