-- Checkpoints and restore points: named journal positions, the state at a position, and the
-- policies of sandsync.checkpoints checked both ways.
begin;
select plan(24);

select tests.create_user('ckpt@test') as owner \gset
select tests.create_user('ckpt-other@test') as other \gset
select tests.stored_blob(:'owner', 'v1'), tests.stored_blob(:'owner', 'v2'), tests.stored_blob(:'owner', 'w');
select tests.authenticate_as('ckpt@test');
select id as ws from public.create_workspace('ckpt') \gset
\set r1 '''cccccccc-0000-4000-8000-000000000001'''
select public.register_replica(:'ws', :r1, 'bridge');

-- seq 1, 2: a.txt = v1, b.txt = w
select public.commit_changes(:'ws', :r1, 'c1', jsonb_build_array(tests.item('a.txt', 'v1'), tests.item('b.txt', 'w')));
select id as snap from public.create_checkpoint(:'ws', 'before', 'sbx-1', :r1) \gset
select current_version_id as a1 from sandsync.files where workspace_id = :'ws' and path = 'a.txt' \gset
-- seq 3, 4: b.txt deleted (deletes first), a.txt = v2
select public.commit_changes(:'ws', :r1, 'c2', jsonb_build_array(
  tests.item('a.txt', 'v2', jsonb_build_object(:r1, 1)), tests.item('b.txt', null, jsonb_build_object(:r1, 1))));

select is((select seq from sandsync.checkpoints where id = :'snap'), 2::bigint,
  'a checkpoint records the workspace''s last seq');
select is((select created_by from sandsync.checkpoints where id = :'snap'), :'owner'::uuid,
  'a checkpoint records who made it');
select throws_ok(format($$select public.create_checkpoint(%L, 'before')$$, :'ws'), 'SSK01', null,
  'a checkpoint name is unique per workspace');
select throws_ok(format($$select public.create_checkpoint(%L, '')$$, :'ws'), 'SSI01', null,
  'an empty name is refused');
select throws_ok(format($$select public.create_checkpoint(%L, 'future', null, null, 99)$$, :'ws'), 'SSI01', null,
  'a position past the journal is refused');
select is((select array_agg(name) from public.list_checkpoints(:'ws')), array['before'],
  'list_checkpoints lists them');

select is(public.restore_point(:'ws'), 4::bigint, 'no restore point means now');
select is(public.restore_point(:'ws', 'before'), 2::bigint, 'a checkpoint name gives its seq');
select is(public.restore_point(:'ws', :'a1'), 1::bigint, 'a version id gives the seq that made it current');
select is(public.restore_point(:'ws', '2000-01-01T00:00:00Z'), 0::bigint, 'a time before everything is seq 0');
select is(public.restore_point(:'ws', '2999-01-01T00:00:00Z'), 4::bigint, 'a time after everything is now');
select throws_ok(format($$select public.restore_point(%L, 'nope')$$, :'ws'), 'SSK02', null,
  'an unknown name is restore_point_not_found');
select throws_ok(format($$select public.restore_point(%L, %L)$$, :'ws', gen_random_uuid()), 'SSK02', null,
  'an unknown version is restore_point_not_found');

select is((select array_agg(path || ':' || sha256 order by path) from public.workspace_state_at(:'ws', 2)),
  array['a.txt:' || tests.sha('v1'), 'b.txt:' || tests.sha('w')], 'the state at a checkpoint');
select is((select array_agg(path || ':' || sha256 order by path) from public.workspace_state_at(:'ws', 4)),
  array['a.txt:' || tests.sha('v2')], 'the state now leaves deleted files out');
select is((select array_agg(path) from public.workspace_state_at(:'ws', 2, 'a.txt', 10)), array['b.txt'],
  'workspace_state_at pages by path');
select is((select count(*)::integer from public.workspace_state_at(:'ws', 0)), 0, 'nothing at seq 0');

-- Policies, each operation both ways (owner allowed, another user and anon denied).
select tests.clear_authentication();
select is(tests.outcome('authenticated', :'owner', format($$select count(*) from sandsync.checkpoints where workspace_id = %L$$, :'ws')),
  'allowed', 'the owner sees the checkpoints');
select is(tests.outcome('authenticated', :'other', format($$select count(*) from sandsync.checkpoints where workspace_id = %L$$, :'ws')),
  'denied', 'another user sees none');
select is(tests.outcome('authenticated', :'owner', format($$with x as (insert into sandsync.checkpoints (workspace_id, owner_id, name, seq) values (%L, %L, 'direct', 0) returning 1) select count(*) from x$$, :'ws', :'owner')),
  'allowed', 'the owner may record a checkpoint');
select is(tests.outcome('authenticated', :'other', format($$with x as (insert into sandsync.checkpoints (workspace_id, owner_id, name, seq) values (%L, %L, 'direct', 0) returning 1) select count(*) from x$$, :'ws', :'owner')),
  'denied', 'another user may not record one');
select is(tests.outcome('authenticated', :'owner', format($$with x as (update sandsync.checkpoints set seq = 0 where workspace_id = %L returning 1) select count(*) from x$$, :'ws')),
  'denied', 'nobody but the service updates a checkpoint');
select is(tests.outcome('authenticated', :'other', format($$select count(*) from public.delete_checkpoint(%L, 'before') where delete_checkpoint$$, :'ws')),
  'denied', 'another user may not delete one');
select is(tests.outcome('authenticated', :'owner', format($$select count(*) from public.delete_checkpoint(%L, 'before') where delete_checkpoint$$, :'ws')),
  'allowed', 'the owner may delete one');

select * from finish();
rollback;
