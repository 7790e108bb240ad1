-- Workspace-scoped blobs: a caller confined to one workspace (claim sandsync_workspace_id, set
-- for agent tokens) sees another workspace's blob as `staged` exactly like new content, is not
-- told that a hash exists through a size mismatch or the quota check, and cannot commit a version
-- naming it until the server granted the blob to its workspace. Users keep owner-wide dedup.
begin;
select plan(9);

select tests.create_user('scope-a@test') as a \gset
select tests.authenticate_as('scope-a@test');
select id as w1 from public.create_workspace('scope-one', 'last_write_wins') \gset
select id as w2 from public.create_workspace('scope-two', 'last_write_wins') \gset
\set r1 '''eeeeeeee-0000-4000-8000-000000000271'''
\set r2 '''eeeeeeee-0000-4000-8000-000000000272'''
select public.register_replica(:'w1', :r1, 'agent');
select public.register_replica(:'w2', :r2, 'agent');
-- W2's secret: stored, its object in Storage, committed in W2.
select tests.clear_authentication();
select tests.stored_blob(:'a', 'secret') as secret \gset
insert into storage.objects (bucket_id, name, metadata)
values ('sandsync', :'a' || '/' || substr(:'secret', 1, 2) || '/' || :'secret', '{"size": 6}');
select tests.authenticate_as('scope-a@test');
select public.commit_changes(:'w2', :r2, 'k-w2', jsonb_build_array(tests.item('s.txt', 'secret')));

-- The user: owner-wide dedup as before.
select is(public.reserve_quota(jsonb_build_array(jsonb_build_object('sha256', :'secret', 'size', 6)))
  #>> '{items,0,status}', 'present', 'a user session reuses the owner''s bytes');

-- The same user acting through a W1 agent token.
select set_config('request.jwt.claims', json_build_object('sub', :'a', 'role', 'authenticated',
  'sandsync_workspace_id', :'w1')::text, true);
select is(public.reserve_quota(jsonb_build_array(jsonb_build_object('sha256', :'secret', 'size', 6)))
  #>> '{items,0,status}', 'staged', 'another workspace''s blob is staged for a scoped caller');
select is(public.reserve_quota(jsonb_build_array(jsonb_build_object('sha256', tests.sha('new!'), 'size', 4)))
  #>> '{items,0,status}', 'staged', 'new content is staged too');
select lives_ok(
  format('select public.reserve_quota(%L::jsonb)',
    jsonb_build_array(jsonb_build_object('sha256', :'secret', 'size', 7))),
  'a wrong size for a hash the workspace cannot read is no error (it would tell the hash exists)');
select throws_ok(
  format('select public.commit_changes(%L, %L, %L, %L::jsonb)', :'w1', :r1, 'k-w1',
    jsonb_build_array(tests.item('stolen.txt', 'secret'))),
  'SSN04', null, 'a scoped caller cannot commit a blob its workspace cannot read');

-- Quota: counted as new either way, so quota_exceeded does not tell existing content apart.
select tests.authenticate_as_service_role();
update sandsync.quotas set limit_bytes = (select used_bytes + reserved_bytes + 5 from sandsync.quotas
  where owner_id = :'a') where owner_id = :'a';
select set_config('request.jwt.claims', json_build_object('sub', :'a', 'role', 'authenticated',
  'sandsync_workspace_id', :'w1')::text, true);
set local role authenticated;
select throws_ok(
  format('select public.reserve_quota(%L::jsonb)',
    jsonb_build_array(jsonb_build_object('sha256', :'secret', 'size', 6))),
  'SSQ01', null, 'existing content that would not fit as new is refused like new content');
select throws_ok(
  format('select public.reserve_quota(%L::jsonb)',
    jsonb_build_array(jsonb_build_object('sha256', tests.sha('fresh!'), 'size', 6))),
  'SSQ01', null, 'new content of the same size is refused the same way');

-- After the server verified bytes W1 sent, the blob is granted and committable.
select tests.authenticate_as_service_role();
update sandsync.quotas set limit_bytes = null where owner_id = :'a';
select is(public.service_grant_blobs(:'w1', array[:'secret']), 1, 'the service grants the blob');
select set_config('request.jwt.claims', json_build_object('sub', :'a', 'role', 'authenticated',
  'sandsync_workspace_id', :'w1')::text, true);
set local role authenticated;
select lives_ok(
  format('select public.commit_changes(%L, %L, %L, %L::jsonb)', :'w1', :r1, 'k-w1b',
    jsonb_build_array(tests.item('mine.txt', 'secret'))),
  'a granted blob is committable');

select * from finish();
rollback;
