-- Replica state: per replica and path, the last reported size, mtime and hash.
begin;
select plan(5);

select tests.create_user('rstate@test') as owner \gset
select tests.create_user('rstate-other@test') as other \gset
select tests.authenticate_as('rstate@test');
select id as ws from public.create_workspace('rstate') \gset
\set r1 '''abababab-0000-4000-8000-000000000001'''
select public.register_replica(:'ws', :r1, 'bridge');

select is(public.report_replica_state(:'ws', :r1, jsonb_build_array(
  jsonb_build_object('path', 'a.txt', 'size', 3, 'mtime', '2026-11-25T08:00:00Z', 'sha256', tests.sha('abc')),
  jsonb_build_object('path', 'b.txt', 'size', 5))), 2, 'a replica reports what it holds');
select public.report_replica_state(:'ws', :r1, jsonb_build_array(
  jsonb_build_object('path', 'a.txt', 'size', 4, 'sha256', tests.sha('abcd')),
  jsonb_build_object('path', 'b.txt', 'deleted', true)));
select is((select array_agg(path || ':' || size order by path) from public.replica_state(:'ws', :r1)), array['a.txt:4'],
  'a later report updates and forgets paths');
select is((select sha256 from public.replica_state(:'ws', :r1) where path = 'a.txt'), tests.sha('abcd'), 'the hash is recorded');
select throws_ok(format($$select public.report_replica_state(%L, %L, '[{"size": 1}]')$$, :'ws', :r1), 'SSI01', null,
  'an entry without a path is refused');
select tests.authenticate_as('rstate-other@test');
select is((select count(*)::integer from public.replica_state(:'ws', :r1)), 0, 'another user sees nothing');

select * from finish();
rollback;
