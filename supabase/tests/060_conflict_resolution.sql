-- Listing and resolving conflicts: incoming, current and merged content, stale views refused,
-- closed conflicts refused, the result dominates both sides.
begin;
select plan(20);

select tests.create_user('resolve@test') as owner \gset
select tests.create_user('resolve-other@test') as other \gset
select tests.stored_blob(:'owner', 'base'), tests.stored_blob(:'owner', 'mine'), tests.stored_blob(:'owner', 'theirs'),
  tests.stored_blob(:'owner', 'merged'), tests.stored_blob(:'owner', 'later');
select tests.authenticate_as('resolve@test');
select id as ws from public.create_workspace('resolve', 'user_intervention') \gset
\set r1 '''dddddddd-0000-4000-8000-000000000001'''
\set r2 '''dddddddd-0000-4000-8000-000000000002'''
select public.register_replica(:'ws', :r1, 'agent'), public.register_replica(:'ws', :r2, 'mobile');
-- Three paths, each with an open conflict: r1 base -> mine, r2 theirs on base.
select public.commit_changes(:'ws', :r1, 'base', jsonb_build_array(tests.item('a.txt', 'base'), tests.item('b.txt', 'base'), tests.item('c.txt', 'base')));
select public.commit_changes(:'ws', :r1, 'mine', jsonb_build_array(tests.item('a.txt', 'mine', jsonb_build_object(:r1, 1)),
  tests.item('b.txt', 'mine', jsonb_build_object(:r1, 1)), tests.item('c.txt', 'mine', jsonb_build_object(:r1, 1))));
select public.commit_changes(:'ws', :r2, 'theirs', jsonb_build_array(tests.item('a.txt', 'theirs', jsonb_build_object(:r1, 1)),
  tests.item('b.txt', 'theirs', jsonb_build_object(:r1, 1)), tests.item('c.txt', 'theirs', jsonb_build_object(:r1, 1))));

select is((select count(*)::integer from public.list_conflicts(:'ws')), 3, 'list_conflicts lists the open conflicts');
select conflict_id as ca, file_current_version_id as cur_a, incoming_version_id as inc_a, current_sha256 as cur_sha, incoming_sha256 as inc_sha
from public.list_conflicts(:'ws') where path = 'a.txt' \gset
select is(array[:'cur_sha', :'inc_sha'], array[tests.sha('mine'), tests.sha('theirs')], 'a listed conflict shows both sides');

-- Stale view: the caller names a version that is not current.
select throws_ok(format($$select public.resolve_conflict(%L, %L, 'incoming', %L)$$, :'ca', :r2, :'inc_a'),
  'SSC01', null, 'a resolution based on a version that is not current is refused (precondition_failed)');
select throws_ok(format($$select public.resolve_conflict(%L, %L, 'theirs', %L)$$, :'ca', :r2, :'cur_a'),
  'SSI01', null, 'an unknown choice is refused');

-- Incoming.
select public.resolve_conflict(:'ca', :r2, 'incoming', :'cur_a') as res \gset
select is((select sha256 from sandsync.files where workspace_id = :'ws' and path = 'a.txt'), tests.sha('theirs'),
  'resolving with incoming makes the incoming content current');
select is(sandsync.vv_compare(:'res'::jsonb -> 'vector', jsonb_build_object(:r1, 2)), 'after', 'the resolution dominates the current side');
select is(sandsync.vv_compare(:'res'::jsonb -> 'vector', jsonb_build_object(:r1, 1, :r2, 1)), 'after', 'the resolution dominates the incoming side');
select is((select status || '/' || resolution from sandsync.conflicts where id = :'ca'), 'resolved/incoming', 'the conflict is closed');
select is((select conflict_id from sandsync.changes where workspace_id = :'ws' order by seq desc limit 1), :'ca'::uuid,
  'the resolution is journaled with its conflict id');
select throws_ok(format($$select public.resolve_conflict(%L, %L, 'incoming', %L)$$, :'ca', :r2, (:'res'::jsonb ->> 'version_id')),
  'SSC03', null, 'a resolved conflict cannot be resolved again (conflict_closed)');

-- Both replicas can now fast-forward from the resolution.
select public.commit_changes(:'ws', :r1, 'after', jsonb_build_array(tests.item('a.txt', 'later', :'res'::jsonb -> 'vector'))) -> 'items' -> 0 ->> 'outcome' as out \gset
select is(:'out'::text, 'applied', 'a change based on the resolution fast-forwards');

-- Merged content.
select conflict_id as cb, file_current_version_id as cur_b from public.list_conflicts(:'ws') where path = 'b.txt' \gset
select throws_ok(format($$select public.resolve_conflict(%L, %L, 'merged', %L, %L)$$, :'cb', :r1, :'cur_b',
  jsonb_build_object('sha256', tests.sha('not uploaded'), 'size', 12)),
  'SSN04', null, 'merged content must be a stored blob (blob_missing)');
select throws_ok(format($$select public.resolve_conflict(%L, %L, 'merged', %L)$$, :'cb', :r1, :'cur_b'),
  'SSI01', null, 'merged without content is refused');
select public.resolve_conflict(:'cb', :r1, 'merged', :'cur_b', jsonb_build_object('sha256', tests.sha('merged'), 'size', 6)) as res \gset
select is((select sha256 from sandsync.files where workspace_id = :'ws' and path = 'b.txt'), tests.sha('merged'),
  'resolving with merged content makes it current');
select is((select outcome from sandsync.versions where id = (:'res'::jsonb ->> 'version_id')::uuid), 'resolution',
  'the merged version is recorded as a resolution');

-- Current, after the file moved on: stale first, then with the fresh view.
select conflict_id as cc, file_current_version_id as cur_c from public.list_conflicts(:'ws') where path = 'c.txt' \gset
select public.commit_changes(:'ws', :r1, 'moved', jsonb_build_array(tests.item('c.txt', 'later', jsonb_build_object(:r1, 2)))) -> 'items' -> 0 ->> 'current_version_id' as moved \gset
select throws_ok(format($$select public.resolve_conflict(%L, %L, 'current', %L)$$, :'cc', :r1, :'cur_c'),
  'SSC01', null, 'a resolution is refused when the file changed since the caller looked');
select public.resolve_conflict(:'cc', :r1, 'current', :'moved') as res \gset
select is((select sha256 from sandsync.files where workspace_id = :'ws' and path = 'c.txt'), tests.sha('later'),
  'resolving with current keeps the server''s content');
select is(sandsync.vv_compare(:'res'::jsonb -> 'vector', jsonb_build_object(:r1, 1, :r2, 1)), 'after',
  'and still dominates the incoming side');
select is((select count(*)::integer from public.list_conflicts(:'ws')), 0, 'no open conflict is left');

-- Another user sees no conflict.
select tests.authenticate_as('resolve-other@test');
select throws_ok(format($$select public.resolve_conflict(%L, %L, 'current', %L)$$, :'cc', :r1, :'moved'),
  'SSN03', null, 'another user cannot resolve the conflict (conflict_not_found)');

select * from finish();
rollback;
