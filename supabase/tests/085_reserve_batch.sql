-- A reservation of many blobs at once (sandsync.reserve_for, decided as a set): each item gets
-- the status it would get alone (present, reserved, staged), an existing reservation is extended
-- and not counted twice, new ones are counted once, blob rows are created, the answer is in hash
-- order, and a batch that does not fit reserves nothing at all.
begin;
select plan(11);

select tests.create_user('batch-a@test') as a \gset
select tests.authenticate_as('batch-a@test');
select id as w1 from public.create_workspace('batch-one', 'last_write_wins') \gset
\set r1 '''eeeeeeee-0000-4000-8000-000000000851'''
select public.register_replica(:'w1', :r1, 'agent');
-- Present: the object is in Storage (counted in used when it landed).
select tests.clear_authentication();
select tests.stored_blob(:'a', 'present!') as present \gset
insert into storage.objects (bucket_id, name, metadata)
values ('sandsync', :'a' || '/' || substr(:'present', 1, 2) || '/' || :'present', '{"size": 8}');
select tests.authenticate_as('batch-a@test');
-- Reserved earlier, about to expire: the batch extends it and does not count it again.
select public.reserve_quota(jsonb_build_array(jsonb_build_object('sha256', tests.sha('earlier'), 'size', 7)));
select tests.clear_authentication();
update sandsync.reservations set expires_at = now() + interval '1 second'
where owner_id = :'a' and sha256 = tests.sha('earlier');
select reserved_bytes as before from sandsync.quotas where owner_id = :'a' \gset
select tests.authenticate_as('batch-a@test');

select public.reserve_quota(jsonb_build_array(
  jsonb_build_object('sha256', tests.sha('new-one'), 'size', 7),
  jsonb_build_object('sha256', :'present', 'size', 8),
  jsonb_build_object('sha256', tests.sha('earlier'), 'size', 7),
  jsonb_build_object('sha256', tests.sha('new-two'), 'size', 7),
  jsonb_build_object('sha256', tests.sha('new-one'), 'size', 7)
)) as res \gset
select tests.clear_authentication();

select is((select array_agg(e ->> 'sha256') from jsonb_array_elements(:'res'::jsonb -> 'items') as e),
  (select array_agg(s order by s) from unnest(array[tests.sha('new-one'), :'present', tests.sha('earlier'),
    tests.sha('new-two')]) as s),
  'one answer per hash, in hash order');
select is((select e ->> 'status' from jsonb_array_elements(:'res'::jsonb -> 'items') as e where e ->> 'sha256' = :'present'),
  'present', 'bytes already in Storage are present');
select is((select array_agg(distinct e ->> 'status') from jsonb_array_elements(:'res'::jsonb -> 'items') as e
  where e ->> 'sha256' <> :'present'), array['reserved'], 'the others are reserved');
select is((:'res'::jsonb ->> 'reserved_bytes')::bigint, 14::bigint,
  'new bytes counted once each (a repeated hash once, the earlier reservation not again)');
select is((select reserved_bytes from sandsync.quotas where owner_id = :'a'), :'before'::bigint + 14,
  'the counter grows by exactly that');
select ok((select expires_at > now() + interval '1 minute' from sandsync.reservations
  where owner_id = :'a' and sha256 = tests.sha('earlier')), 'the earlier reservation is extended');
select is((select count(*)::integer from sandsync.reservations where owner_id = :'a'
  and sha256 in (tests.sha('new-one'), tests.sha('new-two'))), 2, 'one reservation row per new hash');
select is((select count(*)::integer from sandsync.blobs where owner_id = :'a'
  and sha256 in (tests.sha('new-one'), tests.sha('new-two'), tests.sha('earlier'))), 3, 'blob rows exist');

-- All or nothing: a batch one byte over the limit reserves nothing and creates no row.
update sandsync.quotas set limit_bytes = used_bytes + reserved_bytes + 10 where owner_id = :'a';
select tests.authenticate_as('batch-a@test');
select throws_ok(format($$select public.reserve_quota(%L)$$, jsonb_build_array(
    jsonb_build_object('sha256', tests.sha('fits'), 'size', 5),
    jsonb_build_object('sha256', tests.sha('does-not'), 'size', 6))),
  'SSQ01', null, 'a batch over the limit is refused');
select tests.clear_authentication();
select is((select count(*)::integer from sandsync.reservations where owner_id = :'a'
  and sha256 in (tests.sha('fits'), tests.sha('does-not'))), 0, 'and leaves no reservation');

-- A caller confined to the workspace: a hash it cannot read is staged;
-- the answer hides whether the owner has it.
update sandsync.quotas set limit_bytes = null where owner_id = :'a';
select tests.authenticate_as('batch-a@test');
select set_config('request.jwt.claims', json_build_object('sub', :'a', 'role', 'authenticated',
  'sandsync_workspace_id', :'w1')::text, true);
select is((select array_agg(e ->> 'status' order by e ->> 'sha256') from jsonb_array_elements(
    public.reserve_quota(jsonb_build_array(jsonb_build_object('sha256', tests.sha('staged?'), 'size', 7))) -> 'items') as e),
  array['staged'], 'new content is staged for a scoped caller');

select * from finish();
rollback;
