-- Replica ids are per workspace: another tenant (or another workspace of the same owner) may use
-- the same id; registering a foreign id answers exactly like a fresh one; each workspace's
-- replica, vectors and reported state stay its own.
begin;
select plan(6);

select tests.create_user('rid-a@test') as a \gset
select tests.create_user('rid-b@test') as b \gset
\set rid '''5eed5eed-0000-4000-8000-000000000280'''
select tests.stored_blob(:'a', 'from a');
select tests.stored_blob(:'b', 'from b');
select tests.authenticate_as('rid-a@test');
select id as wa from public.create_workspace('rid-a') \gset
select public.register_replica(:'wa', :rid, 'agent', 'a-agent');
select public.commit_changes(:'wa', :rid, 'ka', jsonb_build_array(tests.item('a.txt', 'from a')));

select tests.authenticate_as('rid-b@test');
select id as wb from public.create_workspace('rid-b') \gset
select is((select row(kind, name, last_cursor)::text from public.register_replica(:'wb', :rid, 'agent', 'b-agent')),
  (select row(kind, name, last_cursor)::text from public.register_replica(:'wb', gen_random_uuid(), 'agent', 'b-agent')),
  'an id used in another tenant''s workspace registers like a fresh one');
select lives_ok(format('select public.commit_changes(%L, %L, %L, %L::jsonb)', :'wb', :rid, 'kb',
  jsonb_build_array(tests.item('b.txt', 'from b'))), 'and commits in its own workspace');
select lives_ok(format('select public.report_replica_state(%L, %L, %L::jsonb)', :'wb', :rid,
  '[{"path": "b.txt", "size": 6}]'), 'and reports its state');
select is((select array_agg(path) from public.replica_state(:'wb', :rid)), array['b.txt'],
  'its state is its own');

select tests.clear_authentication();
select is((select array_agg(name order by name) from sandsync.replicas where id = :rid),
  array['a-agent', 'b-agent'], 'one id, two replicas, one per workspace');
select is((select array_agg(path order by path) from sandsync.files where workspace_id = :'wa'),
  array['a.txt'], 'the first workspace is untouched');

select * from finish();
rollback;
