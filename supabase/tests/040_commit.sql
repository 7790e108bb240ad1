-- commit_changes: fast-forward, identical content, edit vs delete, idempotent retry, malformed
-- batches that change nothing, and case-only collisions.
begin;
select plan(37);

select tests.create_user('commit-owner@test') as owner \gset
select tests.create_user('commit-other@test') as other \gset
select tests.stored_blob(:'owner', 'one'), tests.stored_blob(:'owner', 'two'), tests.stored_blob(:'owner', 'three'),
  tests.stored_blob(:'owner', 'four');
select tests.authenticate_as('commit-owner@test');
select id as ws from public.create_workspace('commit', 'last_write_wins', p_conflict_copies => false) \gset
\set r1 '''bbbbbbbb-0000-4000-8000-000000000001'''
\set r2 '''bbbbbbbb-0000-4000-8000-000000000002'''
select public.register_replica(:'ws', :r1, 'agent'), public.register_replica(:'ws', :r2, 'mobile');

-- A new path is applied with the committer's counter bumped.
select public.commit_changes(:'ws', :r1, 'c1', jsonb_build_array(tests.item('a.txt', 'one'))) -> 'items' -> 0 as res \gset
select is(:'res'::jsonb ->> 'outcome', 'applied', 'a new path is applied');
select is(:'res'::jsonb -> 'vector', jsonb_build_object(:r1, 1), 'its vector is {r1: 1}');
select is((select count(*)::integer from sandsync.changes where workspace_id = :'ws'), 1, 'the change is journaled');

-- Fast-forward: base equals the current vector.
select public.commit_changes(:'ws', :r1, 'c2', jsonb_build_array(tests.item('a.txt', 'two', jsonb_build_object(:r1, 1)))) -> 'items' -> 0 as res \gset
select is(:'res'::jsonb ->> 'outcome', 'applied', 'a change based on the current version fast-forwards');
select is(:'res'::jsonb -> 'vector', jsonb_build_object(:r1, 2), 'the vector advances to {r1: 2}');
select is((select count(*)::integer from sandsync.conflicts where workspace_id = :'ws'), 0, 'no conflict is recorded');

-- Identical content, same base: merged, nothing new.
select public.commit_changes(:'ws', :r1, 'c3', jsonb_build_array(tests.item('a.txt', 'two', jsonb_build_object(:r1, 2)))) -> 'items' -> 0 as res \gset
select is(:'res'::jsonb ->> 'outcome', 'merged', 'the same content on the current base is merged');
select is((select count(*)::integer from sandsync.versions where workspace_id = :'ws'), 2, 'and adds no version');

-- Identical content from a concurrent replica: merged, vectors merged, no conflict.
select public.commit_changes(:'ws', :r2, 'c4', jsonb_build_array(tests.item('a.txt', 'two'))) -> 'items' -> 0 as res \gset
select is(:'res'::jsonb ->> 'outcome', 'merged', 'identical content from a concurrent replica is merged');
select is(:'res'::jsonb -> 'vector', jsonb_build_object(:r1, 2, :r2, 1), 'the vectors are merged');
select is((select count(*)::integer from sandsync.conflicts where workspace_id = :'ws'), 0, 'identical content is never a conflict');

-- r1 still holds {r1: 2}; the merge changed no content, so its edit fast-forwards.
select public.commit_changes(:'ws', :r1, 'c5', jsonb_build_array(tests.item('a.txt', 'three', jsonb_build_object(:r1, 2)))) -> 'items' -> 0 as res \gset
select is(:'res'::jsonb ->> 'outcome', 'applied', 'a base whose content is still current is not a false conflict');
select is(:'res'::jsonb -> 'vector', jsonb_build_object(:r1, 3, :r2, 1), 'the result dominates both');

-- Edit beats a concurrent delete: r1 deletes, r2 (who saw {r1:2, r2:1}) edits.
select public.commit_changes(:'ws', :r1, 'c6', jsonb_build_array(tests.item('a.txt', null, jsonb_build_object(:r1, 3, :r2, 1)))) -> 'items' -> 0 ->> 'outcome' as out \gset
select is(:'out'::text, 'applied', 'a delete on the current base is applied as a tombstone');
select ok((select deleted from sandsync.files where workspace_id = :'ws' and path = 'a.txt'), 'the file is a tombstone');
select public.commit_changes(:'ws', :r2, 'c7', jsonb_build_array(tests.item('a.txt', 'four', jsonb_build_object(:r1, 2, :r2, 1)))) -> 'items' -> 0 as res \gset
select is(:'res'::jsonb ->> 'outcome', 'applied', 'an edit concurrent with a delete wins');
select ok(not (select deleted from sandsync.files where workspace_id = :'ws' and path = 'a.txt'), 'the file is live again');
select is((select count(*)::integer from sandsync.versions where workspace_id = :'ws' and path = 'a.txt' and deleted), 1,
  'the delete is kept in history');

-- A delete concurrent with an edit loses (superseded), kept in history.
select public.commit_changes(:'ws', :r1, 'c8', jsonb_build_array(tests.item('a.txt', null, jsonb_build_object(:r1, 3, :r2, 1)))) -> 'items' -> 0 as res \gset
select is(:'res'::jsonb ->> 'outcome', 'superseded', 'a delete concurrent with an edit is superseded');
select ok(not (select deleted from sandsync.files where workspace_id = :'ws' and path = 'a.txt'), 'the edit stays current');
select is((select outcome from sandsync.versions where id = (:'res'::jsonb ->> 'version_id')::uuid), 'superseded',
  'the losing delete is a version in history');

-- Idempotent retry.
select count(*) as versions_before from sandsync.versions where workspace_id = :'ws' \gset
select public.commit_changes(:'ws', :r1, 'c8', jsonb_build_array(tests.item('a.txt', null, jsonb_build_object(:r1, 3, :r2, 1)))) as replay \gset
select ok((:'replay'::jsonb ->> 'replayed')::boolean, 'a retry with the same key is answered from the record');
select is((select count(*) from sandsync.versions where workspace_id = :'ws'), :'versions_before'::bigint, 'a retry applies nothing twice');
select throws_ok(format($$select public.commit_changes(%L, %L, 'c8', '[{"path": "z.txt", "deleted": true}]')$$, :'ws', :r1),
  'SSC02', null, 'a reused key with other items is refused (idempotency_conflict)');

-- Malformed batches change nothing.
select count(*) as files_before from sandsync.files where workspace_id = :'ws' \gset
select throws_ok(format($$select public.commit_changes(%L, %L, 'bad1', %L)$$, :'ws', :r1,
  jsonb_build_array(tests.item('ok.txt', 'one'), tests.item('../escape', 'one'))),
  'SSI02', null, 'a batch with an invalid path is refused (invalid_path)');
select throws_ok(format($$select public.commit_changes(%L, %L, 'bad2', '[{"path": "x", "sha256": "nothex", "size": 1}]')$$, :'ws', :r1),
  'SSI01', null, 'a malformed hash is refused (validation_failed)');
select throws_ok(format($$select public.commit_changes(%L, %L, 'bad3', %L)$$, :'ws', :r1,
  jsonb_build_array(tests.item('d.txt', 'one'), tests.item('d.txt', 'two'))),
  'SSI03', null, 'a path twice in one batch is refused (validation_failed)');
select throws_ok(format($$select public.commit_changes(%L, %L, 'bad4', %L)$$, :'ws', :r1,
  jsonb_build_array(tests.item('ok.txt', 'one'), tests.item('n.txt', 'never uploaded'))),
  'SSN04', null, 'an unverified blob is refused (blob_missing)');
select throws_ok(format($$select public.commit_changes(%L, 'bbbbbbbb-0000-4000-8000-00000000000f', 'bad5', %L)$$, :'ws',
  jsonb_build_array(tests.item('ok.txt', 'one'))),
  'SSN02', null, 'an unregistered replica is refused (replica_not_found)');
select throws_ok(format($$select public.commit_changes(%L, %L, 'bad6', '[]')$$, :'ws', :r1),
  'SSI01', null, 'an empty batch is refused');
select is((select count(*) from sandsync.files where workspace_id = :'ws'), :'files_before'::bigint,
  'refused batches left no file behind');
select is((select count(*)::integer from sandsync.change_sets where workspace_id = :'ws' and idempotency_key like 'bad%'), 0,
  'refused batches left no change set behind');

-- Case-only collisions are refused per item; a case-only rename in one batch works.
select public.commit_changes(:'ws', :r1, 'k1', jsonb_build_array(tests.item('Readme.md', 'one'))) -> 'items' -> 0 ->> 'outcome' as out \gset
select public.commit_changes(:'ws', :r1, 'k2', jsonb_build_array(tests.item('README.md', 'two'), tests.item('other.md', 'two'))) -> 'items' as res \gset
select is(:'res'::jsonb -> 0 ->> 'outcome', 'rejected', 'a path differing only in case from a live path is rejected');
select is(:'res'::jsonb -> 0 ->> 'code', 'path_case_conflict', 'with the code path_case_conflict');
select is(:'res'::jsonb -> 1 ->> 'outcome', 'applied', 'the other items of the batch still apply');
select public.commit_changes(:'ws', :r1, 'k3', jsonb_build_array(tests.item('README.md', 'two'),
  tests.item('Readme.md', null, jsonb_build_object(:r1, 4, :r2, 1)))) -> 'items' as res \gset
select is(array[:'res'::jsonb -> 0 ->> 'outcome', :'res'::jsonb -> 1 ->> 'outcome'], array['applied', 'applied'],
  'a case-only rename (delete + create in one batch) applies: deletes go first');

-- Another user's workspace does not exist for this caller.
select tests.authenticate_as('commit-other@test');
select throws_ok(format($$select public.commit_changes(%L, %L, 'x', %L)$$, :'ws', :r1, jsonb_build_array(tests.item('a.txt', 'one'))),
  'SSN01', null, 'another user cannot commit to the workspace (workspace_not_found)');

select * from finish();
rollback;
