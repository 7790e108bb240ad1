-- Input edges the database checks for itself: version vector bounds (counters below 2^52, at
-- most 256 keys, keys that are replicas of the workspace) and the sync bucket's blob-key policy.
begin;
select plan(9);

select tests.create_user('edges-owner@test') as owner \gset
select tests.stored_blob(:'owner', 'e1') as sha1 \gset
select tests.authenticate_as('edges-owner@test');
select id as ws from public.create_workspace('edges', 'last_write_wins') \gset
select public.register_replica(:'ws', 'eeeeeeee-0000-4000-8000-000000000001', 'agent');

select ok(sandsync.vv_is_valid(jsonb_build_object('eeeeeeee-0000-4000-8000-000000000001', 4503599627370495)),
  'a counter of 2^52 - 1 is valid');
select ok(not sandsync.vv_is_valid(jsonb_build_object('eeeeeeee-0000-4000-8000-000000000001', 4503599627370496)),
  'a counter of 2^52 is not');
select ok(not sandsync.vv_is_valid(jsonb_build_object('eeeeeeee-0000-4000-8000-000000000001', 9007199254740991)),
  'a counter near 2^53 is not');
select ok(not sandsync.vv_is_valid(
  (select jsonb_object_agg(gen_random_uuid()::text, 1) from generate_series(1, 257))),
  'a vector of 257 keys is not');

select throws_ok(
  format($$select public.commit_changes(%L, 'eeeeeeee-0000-4000-8000-000000000001', 'e-big',
    jsonb_build_array(tests.item('a.txt', 'e1', jsonb_build_object('eeeeeeee-0000-4000-8000-000000000001', 9007199254740000))))$$, :'ws'),
  'SSI01', null, 'commit_changes refuses a base counter beyond 2^52');
select throws_ok(
  format($$select public.commit_changes(%L, 'eeeeeeee-0000-4000-8000-000000000001', 'e-stranger',
    jsonb_build_array(tests.item('a.txt', 'e1', jsonb_build_object(gen_random_uuid()::text, 1))))$$, :'ws'),
  'SSI01', null, 'commit_changes refuses a base naming a replica of no workspace');
select lives_ok(
  format($$select public.commit_changes(%L, 'eeeeeeee-0000-4000-8000-000000000001', 'e-ok',
    jsonb_build_array(tests.item('a.txt', 'e1')))$$, :'ws'),
  'a base of the workspace''s own replicas commits');

select is(
  tests.outcome('authenticated', :'owner'::uuid,
    format($$insert into storage.objects (bucket_id, name, owner_id) values ('sandsync', '%s/notes.txt', '%s') returning 1$$, :'owner', :'owner')),
  'denied', 'a user cannot insert a non-blob key under its own prefix');
select is(
  tests.outcome('authenticated', :'owner'::uuid,
    format($$insert into storage.objects (bucket_id, name, owner_id) values ('sandsync', '%s/%s/%s', '%s') returning 1$$,
      :'owner', left(:'sha1', 2), :'sha1', :'owner')),
  'allowed', 'a user can insert a blob key under its own prefix');

select * from finish();
rollback;
