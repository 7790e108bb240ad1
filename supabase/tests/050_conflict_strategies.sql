-- Concurrent edits under each strategy: last_write_wins (with and without conflict copies),
-- user_intervention, auto_merge (with an ancestor, and its fallbacks), and edit-beats-delete
-- under every strategy.
begin;
select plan(32);

select tests.create_user('strategy@test') as owner \gset
select tests.stored_blob(:'owner', 'base'), tests.stored_blob(:'owner', 'mine'), tests.stored_blob(:'owner', 'theirs');

-- One workspace per case. r1 commits `base`, then `mine` on it (fast-forward); r2 commits
-- `theirs` (or a delete) on `base`, concurrently with `mine`. Returns r2's item result.
create function pg_temp.scenario(p_name text, p_strategy text, p_copies boolean, p_fallback text,
  p_r2_content text default 'theirs', p_r1_content text default 'mine', p_r2_base_empty boolean default false)
returns jsonb language plpgsql as $$
declare
  v_ws uuid;
  v_r1 uuid := gen_random_uuid();
  v_r2 uuid := gen_random_uuid();
begin
  perform tests.authenticate_as('strategy@test');
  select id into v_ws from public.create_workspace(p_name, p_strategy, null, p_fallback, p_copies);
  perform public.register_replica(v_ws, v_r1, 'agent');
  perform public.register_replica(v_ws, v_r2, 'mobile');
  if not p_r2_base_empty then
    perform public.commit_changes(v_ws, v_r1, 'base', jsonb_build_array(tests.item('f.txt', 'base')));
  end if;
  perform public.commit_changes(v_ws, v_r1, 'mine', jsonb_build_array(tests.item('f.txt', p_r1_content,
    case when p_r2_base_empty then '{}'::jsonb else jsonb_build_object(v_r1, 1) end)));
  return public.commit_changes(v_ws, v_r2, 'theirs', jsonb_build_array(tests.item('f.txt', p_r2_content,
    case when p_r2_base_empty then '{}'::jsonb else jsonb_build_object(v_r1, 1) end))) -> 'items' -> 0
    || jsonb_build_object('ws', v_ws, 'r1', v_r1, 'r2', v_r2);
end
$$;

-- last_write_wins with conflict copies
select pg_temp.scenario('lww', 'last_write_wins', true, 'user_intervention') as res \gset
select tests.clear_authentication();
select is(:'res'::jsonb ->> 'outcome', 'applied', 'lww: the later commit wins');
select is((select sha256 from sandsync.files where workspace_id = (:'res'::jsonb ->> 'ws')::uuid and path = 'f.txt'),
  tests.sha('theirs'), 'lww: the winner is current');
select is((select sha256 from sandsync.versions where id = (:'res'::jsonb ->> 'superseded_version_id')::uuid),
  tests.sha('mine'), 'lww: the loser is kept as a version');
select matches(:'res'::jsonb ->> 'conflict_copy_path',
  '^f\.sync-conflict-' || (select to_char(committed_at at time zone 'UTC', 'YYYYMMDD-HH24MISS') from sandsync.versions
    where id = (:'res'::jsonb ->> 'superseded_version_id')::uuid) || '-' || (:'res'::jsonb ->> 'r1') || '\.txt$',
  'lww: the copy is named name.sync-conflict-<loser commit time>-<loser replica>.ext');
select is((select sha256 from sandsync.files where workspace_id = (:'res'::jsonb ->> 'ws')::uuid
  and path = :'res'::jsonb ->> 'conflict_copy_path'), tests.sha('mine'), 'lww: the copy holds the loser''s content');
select is((select vector from sandsync.files where workspace_id = (:'res'::jsonb ->> 'ws')::uuid and path = 'f.txt'),
  jsonb_build_object(:'res'::jsonb ->> 'r1', 2, :'res'::jsonb ->> 'r2', 1), 'lww: the winner''s vector dominates both sides');
select is((select status || '/' || resolution from sandsync.conflicts where id = (:'res'::jsonb ->> 'conflict_id')::uuid),
  'resolved/last_write_wins', 'lww: the conflict is recorded, already resolved');

-- last_write_wins without copies
select pg_temp.scenario('lww-nocopy', 'last_write_wins', false, 'user_intervention') as res \gset
select tests.clear_authentication();
select is(:'res'::jsonb ->> 'outcome', 'applied', 'lww without copies: the later commit wins');
select ok(:'res'::jsonb -> 'conflict_copy_path' is null, 'lww without copies: no copy path');
select is((select count(*)::integer from sandsync.files where workspace_id = (:'res'::jsonb ->> 'ws')::uuid), 1,
  'lww without copies: no extra file');
select is((select count(*)::integer from sandsync.versions where workspace_id = (:'res'::jsonb ->> 'ws')::uuid), 3,
  'lww without copies: all three versions are in history');

-- user_intervention
select pg_temp.scenario('ui', 'user_intervention', true, 'user_intervention') as res \gset
select tests.clear_authentication();
select is(:'res'::jsonb ->> 'outcome', 'conflict', 'user_intervention: a concurrent edit opens a conflict');
select is((select sha256 from sandsync.files where workspace_id = (:'res'::jsonb ->> 'ws')::uuid and path = 'f.txt'),
  tests.sha('mine'), 'user_intervention: the server keeps its current version');
select is((select status from sandsync.conflicts where id = (:'res'::jsonb ->> 'conflict_id')::uuid), 'open',
  'user_intervention: the conflict is open');
select is((select iv.sha256 || '/' || cv.sha256 from sandsync.conflicts as c
  join sandsync.versions as iv on iv.id = c.incoming_version_id join sandsync.versions as cv on cv.id = c.current_version_id
  where c.id = (:'res'::jsonb ->> 'conflict_id')::uuid), tests.sha('theirs') || '/' || tests.sha('mine'),
  'user_intervention: the conflict holds both sides');
select is((select kind from sandsync.changes where workspace_id = (:'res'::jsonb ->> 'ws')::uuid order by seq desc limit 1),
  'conflict', 'user_intervention: the opened conflict is journaled');
select is((select count(*)::integer from sandsync.files where workspace_id = (:'res'::jsonb ->> 'ws')::uuid), 1,
  'user_intervention: no conflict copy is made');

-- auto_merge with a common ancestor
select pg_temp.scenario('am', 'auto_merge', true, 'user_intervention') as res \gset
select tests.clear_authentication();
select is(:'res'::jsonb ->> 'outcome', 'conflict', 'auto_merge: a concurrent edit is recorded as a conflict for the caller to merge');
select ok((select merge_required from sandsync.conflicts where id = (:'res'::jsonb ->> 'conflict_id')::uuid),
  'auto_merge: the conflict asks for a merge');
select is((select sha256 from sandsync.versions where id = (:'res'::jsonb ->> 'ancestor_version_id')::uuid),
  tests.sha('base'), 'auto_merge: the common ancestor is the incoming base version');

-- auto_merge without an ancestor falls back to merge_fallback
select pg_temp.scenario('am-no-anc', 'auto_merge', true, 'user_intervention', p_r2_base_empty => true) as res \gset
select tests.clear_authentication();
select is(:'res'::jsonb ->> 'outcome', 'conflict', 'auto_merge without ancestor: falls back to user_intervention');
select ok(not (select merge_required from sandsync.conflicts where id = (:'res'::jsonb ->> 'conflict_id')::uuid),
  'auto_merge without ancestor: no merge is asked for');
select pg_temp.scenario('am-lww', 'auto_merge', true, 'last_write_wins', p_r2_base_empty => true) as res \gset
select tests.clear_authentication();
select is(:'res'::jsonb ->> 'outcome', 'applied', 'auto_merge with fallback last_write_wins: the later commit wins');

-- Edit beats delete, every strategy: r1 deletes (fast-forward), r2 edits concurrently.
select pg_temp.scenario('del-ui', 'user_intervention', true, 'user_intervention', 'theirs', null) ->> 'outcome' as o2,
  pg_temp.scenario('del-am', 'auto_merge', true, 'user_intervention', 'theirs', null) ->> 'outcome' as o3 \gset
select tests.clear_authentication();
select is(:'o2'::text, 'applied', 'user_intervention: an edit beats a concurrent delete');
select is(:'o3'::text, 'applied', 'auto_merge: an edit beats a concurrent delete');
select pg_temp.scenario('del-lww2', 'last_write_wins', true, 'user_intervention', 'theirs', null) as res \gset
select tests.clear_authentication();
select is(:'res'::jsonb ->> 'outcome', 'applied', 'last_write_wins: an edit beats a concurrent delete');
select is((select count(*)::integer from sandsync.versions where workspace_id = (:'res'::jsonb ->> 'ws')::uuid and deleted),
  1, 'the losing delete is kept in history');

-- ... and a delete concurrent with an edit loses, without opening a conflict.
select pg_temp.scenario('del2-ui', 'user_intervention', true, 'user_intervention', null, 'mine') as res \gset
select tests.clear_authentication();
select is(:'res'::jsonb ->> 'outcome', 'superseded', 'user_intervention: a delete concurrent with an edit is superseded');
select is((select count(*)::integer from sandsync.conflicts where workspace_id = (:'res'::jsonb ->> 'ws')::uuid), 0,
  'no conflict is opened for it');
select pg_temp.scenario('del2-am', 'auto_merge', true, 'user_intervention', null, 'mine') as res \gset
select tests.clear_authentication();
select is(:'res'::jsonb ->> 'outcome', 'superseded', 'auto_merge: a delete concurrent with an edit is superseded');
select pg_temp.scenario('del2-lww', 'last_write_wins', true, 'user_intervention', null, 'mine') as res \gset
select tests.clear_authentication();
select is(:'res'::jsonb ->> 'outcome', 'superseded', 'last_write_wins: a delete concurrent with an edit is superseded');
select ok(not (select deleted from sandsync.files where workspace_id = (:'res'::jsonb ->> 'ws')::uuid and path = 'f.txt'),
  'last_write_wins: the edit stays although the delete came later');

select * from finish();
rollback;
