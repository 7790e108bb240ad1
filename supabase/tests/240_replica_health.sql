-- Replica health: a daemon's state, last run, last error, pending and held deletions on its replica.
begin;
select plan(7);

select tests.create_user('rhealth@test') as owner \gset
select tests.create_user('rhealth-other@test') as other \gset
select tests.authenticate_as('rhealth@test');
select id as ws from public.create_workspace('rhealth') \gset
select id as ws2 from public.create_workspace('rhealth-2') \gset
\set r1 '''abababab-0000-4000-8000-0000000000a1'''
select public.register_replica(:'ws', :r1, 'agent');

select is((public.report_replica_health(:'ws', :r1, jsonb_build_object(
  'state', 'backoff', 'lastRunAt', '2026-12-04T20:00:00Z', 'lastSuccessAt', null,
  'lastError', 'Network down', 'pending', 3, 'heldDeletes', 12, 'cursor', 7))).daemon_state,
  'backoff', 'a daemon reports its state');
select is((select array[last_error, pending_changes::text, held_deletes::text, last_cursor::text]
  from sandsync.replicas where id = :r1), array['Network down', '3', '12', '7'],
  'last error, pending, held deletions and cursor are recorded');
select public.report_replica_health(:'ws', :r1, jsonb_build_object(
  'state', 'idle', 'lastRunAt', '2026-12-04T20:01:00Z', 'lastSuccessAt', '2026-12-04T20:01:00Z',
  'lastError', null, 'pending', 0, 'heldDeletes', 0, 'cursor', 5));
select is((select array[daemon_state, coalesce(last_error, '-'), last_cursor::text]
  from sandsync.replicas where id = :r1), array['idle', '-', '7'],
  'a success clears the error; the cursor never goes back');
select throws_ok(format($$select public.report_replica_health(%L, %L, '{"state": "dancing"}')$$, :'ws', :r1),
  'SSI01', null, 'an unknown state is refused');
select throws_ok(format($$select public.report_replica_health(%L, %L, '{"state": "idle"}')$$, :'ws2', :r1),
  'SSN02', null, 'a replica of another workspace is not found');
select tests.authenticate_as('rhealth-other@test');
select throws_ok(format($$select public.report_replica_health(%L, %L, '{"state": "idle"}')$$, :'ws', :r1),
  'SSN02', null, 'another user cannot report for the replica');
select is((select count(*)::integer from sandsync.replicas where id = :r1), 0, 'another user sees nothing');

select * from finish();
rollback;
