-- A version committed over a concurrent current version strictly dominates it, also when the
-- committer's own counter in the current vector is already past its base (a replica that
-- commits again from an older base: a restart on older state). Before, the new version could
-- get the very vector of the current one, and replicas holding that took the new bytes for
-- seen (tests/checker/ found replicas that never converged).
begin;
select plan(6);

select tests.create_user('dominance@test') as owner \gset
select tests.stored_blob(:'owner', 'base'), tests.stored_blob(:'owner', 'mine'),
  tests.stored_blob(:'owner', 'x'), tests.stored_blob(:'owner', 'again');

-- r1: base {r1:1}; r2: mine on it {r1:1, r2:1}; r1: x on that {r1:2, r2:1}; then r2 commits
-- `again` from its old base {r1:1}: concurrent, and r2's counter in current (1) is already
-- what bumping its base gives.
create function pg_temp.scenario(p_name text, p_strategy text)
returns jsonb language plpgsql as $$
declare
  v_ws uuid;
  v_r1 uuid := gen_random_uuid();
  v_r2 uuid := gen_random_uuid();
  v_before jsonb;
  v_item jsonb;
begin
  perform tests.authenticate_as('dominance@test');
  select id into v_ws from public.create_workspace(p_name, p_strategy, null, 'user_intervention', true);
  perform public.register_replica(v_ws, v_r1, 'agent');
  perform public.register_replica(v_ws, v_r2, 'agent');
  perform public.commit_changes(v_ws, v_r1, 'k1', jsonb_build_array(tests.item('f.txt', 'base')));
  perform public.commit_changes(v_ws, v_r2, 'k2',
    jsonb_build_array(tests.item('f.txt', 'mine', jsonb_build_object(v_r1, 1))));
  perform public.commit_changes(v_ws, v_r1, 'k3',
    jsonb_build_array(tests.item('f.txt', 'x', jsonb_build_object(v_r1, 1, v_r2, 1))));
  select vector into v_before from sandsync.files where workspace_id = v_ws and path = 'f.txt';
  v_item := public.commit_changes(v_ws, v_r2, 'k4',
    jsonb_build_array(tests.item('f.txt', 'again', jsonb_build_object(v_r1, 1)))) -> 'items' -> 0;
  return v_item || jsonb_build_object('ws', v_ws, 'before', v_before,
    'after', (select vector from sandsync.files where workspace_id = v_ws and path = 'f.txt'),
    'sha', (select sha256 from sandsync.files where workspace_id = v_ws and path = 'f.txt'));
end
$$;

select pg_temp.scenario('lww', 'last_write_wins') as res \gset
select tests.clear_authentication();
select is(:'res'::jsonb ->> 'outcome', 'applied', 'lww: the later commit wins');
select is(:'res'::jsonb ->> 'sha', tests.sha('again'), 'lww: its bytes are current');
select is(sandsync.vv_compare(:'res'::jsonb -> 'after', :'res'::jsonb -> 'before'), 'after',
  'lww: the new version''s vector strictly dominates the one it replaced');
select is(:'res'::jsonb -> 'vector', :'res'::jsonb -> 'after',
  'lww: the commit answer carries the vector the server assigned');

select isnt(:'res'::jsonb -> 'after', :'res'::jsonb -> 'before',
  'a new current version never reuses the previous vector');
select is((select count(distinct vector)::integer from sandsync.versions
  where workspace_id = (:'res'::jsonb ->> 'ws')::uuid and path = 'f.txt' and outcome = 'applied'),
  (select count(*)::integer from sandsync.versions
  where workspace_id = (:'res'::jsonb ->> 'ws')::uuid and path = 'f.txt' and outcome = 'applied'),
  'no two applied versions of a file share a vector');

select * from finish();
rollback;
