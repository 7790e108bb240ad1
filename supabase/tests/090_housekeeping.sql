-- Housekeeping: blob collection (unreferenced, past the grace, not reserved) and history pruning
-- (count and age, never current versions or open conflicts' sides).
begin;
select plan(10);

select tests.create_user('house@test') as owner \gset
select tests.stored_blob(:'owner', 'v' || n) from generate_series(1, 6) as n;
select tests.stored_blob(:'owner', 'orphan') as orphan, tests.stored_blob(:'owner', 'fresh') as fresh \gset
update sandsync.blobs set created_at = now() - interval '2 hours' where owner_id = :'owner' and sha256 <> :'fresh';
select tests.authenticate_as('house@test');
select id as ws from public.create_workspace('house', 'user_intervention') \gset
\set r1 '''ffffffff-0000-4000-8000-000000000001'''
\set r2 '''ffffffff-0000-4000-8000-000000000002'''
select public.register_replica(:'ws', :r1, 'agent'), public.register_replica(:'ws', :r2, 'mobile');
select public.update_workspace(:'ws', '{"retention_versions": 2}');
-- Five versions of f.txt by r1, then a conflicting one by r2 on v3's base (kept: open conflict).
select public.commit_changes(:'ws', :r1, 'v' || n, jsonb_build_array(tests.item('f.txt', 'v' || n,
  case when n = 1 then '{}'::jsonb else jsonb_build_object(:r1, n - 1) end)))
from generate_series(1, 5) as n;
select public.commit_changes(:'ws', :r2, 'c', jsonb_build_array(tests.item('f.txt', 'v6', jsonb_build_object(:r1, 3))));
select id as anc from sandsync.versions where workspace_id = :'ws' and sha256 = tests.sha('v3') \gset

select tests.authenticate_as_service_role();
select is(public.service_prune_history(:'ws'), 3, 'versions beyond the retention count are pruned');
select is((select array_agg(sha256 order by committed_at) from sandsync.versions where workspace_id = :'ws'),
  array[tests.sha('v3'), tests.sha('v5'), tests.sha('v6')],
  'the newest versions, the current one and the open conflict''s sides and ancestor stay');
select is(public.service_prune_history(:'ws'), 0, 'pruning again removes nothing');
update sandsync.workspaces set retention_versions = 100, retention_age = interval '1 minute' where id = :'ws';
update sandsync.versions set committed_at = committed_at - interval '1 hour' where workspace_id = :'ws';
update sandsync.conflicts set status = 'resolved', resolution = 'current' where workspace_id = :'ws';
select is(public.service_prune_history(:'ws'), 2, 'versions older than the retention age are pruned once no open conflict needs them');
select ok(exists (select 1 from sandsync.files as f join sandsync.versions as v on v.id = f.current_version_id
  where f.workspace_id = :'ws'), 'the current version is never pruned');

-- Blob collection
select array_agg(sha256 order by sha256) as collected from public.service_collect_blobs(interval '1 hour') \gset
select ok(tests.sha('orphan') = any (:'collected'::text[]), 'an unreferenced blob past the grace is collected');
select ok(not (tests.sha('fresh') = any (:'collected'::text[])), 'a blob younger than the grace is kept');
select ok(not (tests.sha('v5') = any (:'collected'::text[])), 'a blob a version references is kept');
update sandsync.blobs set created_at = now() - interval '2 minutes' where sha256 = :'fresh';
select is((select storage_key from public.service_collect_blobs(interval '1 minute') where sha256 = :'fresh'),
  :'owner' || '/' || substr(:'fresh', 1, 2) || '/' || :'fresh', 'collection returns the storage key to delete');
insert into sandsync.reservations (owner_id, sha256, size, expires_at) values (:'owner', tests.sha('v1'), 2, now() + interval '1 hour');
select ok(not exists (select 1 from public.service_collect_blobs(interval '1 minute') where sha256 = tests.sha('v1')),
  'a blob with a live reservation is kept');

select * from finish();
rollback;
