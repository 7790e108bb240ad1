-- Quotas: reserve (atomic, all-or-nothing), settle when the object lands (storage trigger),
-- release, expire, the trigger's 42501 refusal, each byte counted once, recompute.
begin;
select plan(27);

select tests.create_user('quota@test') as owner \gset
select tests.create_user('quota-b@test') as owner_b \gset
select repeat('1', 64) as s1, repeat('2', 64) as s2, repeat('3', 64) as s3, repeat('4', 64) as s4 \gset
create function pg_temp.key(p_owner uuid, p_sha text) returns text language sql as $$
  select p_owner::text || '/' || substr(p_sha, 1, 2) || '/' || p_sha $$;
create function pg_temp.q(p_owner uuid) returns text language sql as $$
  select used_bytes || '/' || reserved_bytes from sandsync.quotas where owner_id = p_owner $$;
grant execute on function pg_temp.key(uuid, text), pg_temp.q(uuid) to authenticated, service_role;

select tests.authenticate_as_service_role();
select public.service_set_quota_limit(:'owner', 100);
select tests.authenticate_as('quota@test');

-- Reserve
select public.reserve_quota(jsonb_build_array(jsonb_build_object('sha256', :'s1', 'size', 60))) as res \gset
select is(:'res'::jsonb -> 'items' -> 0 ->> 'status', 'reserved', 'a reservation that fits is granted');
select is(pg_temp.q(:'owner'), '0/60', 'reserved bytes grow by its size');
select throws_ok(format($$select public.reserve_quota(%L)$$, jsonb_build_array(
  jsonb_build_object('sha256', :'s2', 'size', 10), jsonb_build_object('sha256', :'s3', 'size', 40))),
  'SSQ01', null, 'a batch that does not fit is refused whole (quota_exceeded)');
select is(pg_temp.q(:'owner'), '0/60', 'a refused reservation reserves nothing');
select is((select count(*)::integer from sandsync.reservations where owner_id = :'owner'), 1, 'and leaves no reservation row');
select public.reserve_quota(jsonb_build_array(jsonb_build_object('sha256', :'s1', 'size', 60))) as res \gset
select is(pg_temp.q(:'owner'), '0/60', 'reserving the same blob again costs nothing');
select is(:'res'::jsonb -> 'items' -> 0 ->> 'storage_key', pg_temp.key(:'owner', :'s1'), 'the answer names the storage key');
select is((select state from sandsync.blobs where owner_id = :'owner' and sha256 = :'s1'), 'pending', 'the blob is pending until verified');
select throws_ok(format($$select public.reserve_quota(%L)$$, '[{"sha256": "xyz", "size": 1}]'),
  'SSI01', null, 'a malformed reservation is refused (validation_failed)');

-- Settle: the object lands (written by the service role, owner_id empty) and releases the reservation.
select tests.authenticate_as_service_role();
insert into storage.objects (bucket_id, name, metadata) values ('sandsync', pg_temp.key(:'owner', :'s1'), '{"size": 60}');
select is(pg_temp.q(:'owner'), '60/0', 'a landed object moves its bytes from reserved to used');
select tests.authenticate_as('quota@test');
select is(public.reserve_quota(jsonb_build_array(jsonb_build_object('sha256', :'s1', 'size', 60))) -> 'items' -> 0 ->> 'status',
  'present', 'a blob already in Storage needs no reservation');
select is(pg_temp.q(:'owner'), '60/0', 'and reserves nothing');

-- Release and expiry
select public.reserve_quota(jsonb_build_array(jsonb_build_object('sha256', :'s2', 'size', 30)));
select is(public.release_quota(array[:'s2']), 30::bigint, 'release_quota gives the bytes back');
select is(pg_temp.q(:'owner'), '60/0', 'reserved is back to zero');
select public.reserve_quota(jsonb_build_array(jsonb_build_object('sha256', :'s2', 'size', 30)));
select tests.clear_authentication();
update sandsync.reservations set expires_at = now() - interval '1 second' where owner_id = :'owner';
select tests.authenticate_as_service_role();
select is(public.service_expire_reservations(), 1, 'an expired reservation is released by housekeeping');
select is(pg_temp.q(:'owner'), '60/0', 'its bytes are free again');

-- The storage trigger refuses an over-limit object, whoever writes it.
select throws_ok(format($$insert into storage.objects (bucket_id, name, metadata) values ('sandsync', %L, '{"size": 41}')$$,
  pg_temp.key(:'owner', :'s3')), '42501', 'Sandsync quota exceeded', 'the service role cannot store an object over the limit (42501)');
select tests.authenticate_as('quota@test');
select throws_ok(format($$insert into storage.objects (bucket_id, name, metadata) values ('sandsync', %L, '{"size": 41}')$$,
  pg_temp.key(:'owner', :'s3')), '42501', 'Sandsync quota exceeded', 'nor can the user');
select tests.authenticate_as_service_role();
select lives_ok(format($$insert into storage.objects (bucket_id, name, metadata) values ('sandsync', %L, '{"size": 40}')$$,
  pg_temp.key(:'owner', :'s3')), 'an object that exactly fits is stored');
select is(pg_temp.q(:'owner'), '100/0', 'used reaches the limit');
select throws_ok(format($$insert into storage.objects (bucket_id, name, metadata) values ('sandsync', %L, '{"size": 1}')$$,
  'not-a-uuid/x'), '42501', null, 'a key without an owner prefix is refused');

-- Each byte once: overwrite, move, delete, other buckets.
update storage.objects set metadata = '{"size": 30}' where name = pg_temp.key(:'owner', :'s3');
select is(pg_temp.q(:'owner'), '90/0', 'an overwrite (UPDATE) counts the size difference');
update storage.objects set name = pg_temp.key(:'owner_b', :'s3') where name = pg_temp.key(:'owner', :'s3');
select is(pg_temp.q(:'owner') || ' ' || pg_temp.q(:'owner_b'), '60/0 30/0', 'a move transfers the bytes to the new owner prefix');
delete from storage.objects where name = pg_temp.key(:'owner_b', :'s3');
select is(pg_temp.q(:'owner_b'), '0/0', 'a delete frees the bytes');
insert into storage.buckets (id, name) values ('elsewhere', 'elsewhere');
insert into storage.objects (bucket_id, name, metadata) values ('elsewhere', pg_temp.key(:'owner', :'s4'), '{"size": 500}');
select is(pg_temp.q(:'owner'), '60/0', 'objects in other buckets are not counted');

-- Recompute
select ok((select bool_and(consistent) from public.service_recompute_usage()), 'the counters equal the recomputed usage');
select tests.clear_authentication();
update sandsync.quotas set used_bytes = 7 where owner_id = :'owner';
select tests.authenticate_as_service_role();
select is((select used_bytes || '/' || actual_used_bytes from public.service_recompute_usage(:'owner', true)), '60/60',
  'service_recompute_usage(fix => true) repairs a drifted counter');

select * from finish();
rollback;
