-- The change journal: per-workspace gap-free seqs, cursor paging, self-contained entries.
begin;
select plan(15);

select tests.create_user('journal@test') as owner \gset
select tests.create_user('journal-other@test');
select tests.stored_blob(:'owner', 'x'), tests.stored_blob(:'owner', 'y');
select tests.authenticate_as('journal@test');
select id as ws1 from public.create_workspace('j1') \gset
select id as ws2 from public.create_workspace('j2') \gset
\set r1 '''eeeeeeee-0000-4000-8000-000000000001'''
\set r2 '''eeeeeeee-0000-4000-8000-000000000002'''
select public.register_replica(:'ws1', :r1, 'agent'), public.register_replica(:'ws2', :r2, 'agent');

select public.commit_changes(:'ws1', :r1, 'a', jsonb_build_array(tests.item('a', 'x'), tests.item('b', 'x'), tests.item('c', 'x')));
select public.commit_changes(:'ws2', :r2, 'a', jsonb_build_array(tests.item('a', 'x')));
-- Deletes apply first, so b (seq 4) precedes a (seq 5).
select public.commit_changes(:'ws1', :r1, 'b', jsonb_build_array(tests.item('a', 'y', jsonb_build_object(:r1, 1)), tests.item('b', null, jsonb_build_object(:r1, 1))));

select is((select array_agg(seq order by seq) from public.changes_since(:'ws1', 0)), array[1, 2, 3, 4, 5]::bigint[],
  'seqs of a workspace are 1..n without gaps');
select is((select array_agg(seq order by seq) from public.changes_since(:'ws2', 0)), array[1]::bigint[],
  'each workspace has its own sequence');
select is(public.workspace_cursor(:'ws1'), 5::bigint, 'workspace_cursor is the last seq');
select is((select array_agg(seq order by seq) from public.changes_since(:'ws1', 2, 2)), array[3, 4]::bigint[],
  'changes_since pages after the cursor with a limit');
select is((select count(*)::integer from public.changes_since(:'ws1', 5)), 0, 'nothing after the last seq');
select is((select path || ':' || deleted from public.changes_since(:'ws1', 0) where seq = 4), 'b:true',
  'a delete is journaled as deleted');
select is((select sha256 from public.changes_since(:'ws1', 0) where seq = 5), tests.sha('y'),
  'entries carry the content hash');
select is((select vector from public.changes_since(:'ws1', 0) where seq = 5), jsonb_build_object(:r1, 2),
  'entries carry the version vector');
select is((select replica_id from public.changes_since(:'ws1', 0) where seq = 5), :r1::uuid,
  'entries name the replica (for echo suppression)');
select ok((select bool_and(f.seq = c.seq) from sandsync.files as f
  join public.changes_since(:'ws1', 0) as c on c.file_id = f.id and c.seq = f.seq),
  'files record the seq of their last change');

-- Manifest, history and single versions.
select is((select array_agg(path order by path) from public.workspace_manifest(:'ws1')), array['a', 'c'],
  'the manifest lists live paths in order');
select is((select array_agg(path order by path) from public.workspace_manifest(:'ws1', 'a', 1, true)), array['b'],
  'the manifest pages by path and can include tombstones');
select is((select array_agg(sha256 order by committed_at) from public.file_history(:'ws1', 'a')),
  array[tests.sha('x'), tests.sha('y')], 'file_history lists every version of a path');
select is((select sha256 from public.get_version((select version_id from public.workspace_manifest(:'ws1') where path = 'a'))),
  tests.sha('y'), 'get_version finds a version by id');
select tests.authenticate_as('journal-other@test');
select is((select count(*)::integer from public.workspace_manifest(:'ws1')), 0, 'another user''s manifest is empty');

select * from finish();
rollback;
