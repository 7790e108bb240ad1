-- Blob collection as a state: a collecting blob is never committable (nor marked stored); the
-- object's removal turns it pending; finishing forgets rows without object, reservation or
-- version; collection of one owner leaves other owners' rows alone.
begin;
select plan(10);

select tests.create_user('collect-a@test') as a \gset
select tests.create_user('collect-b@test') as b \gset
select tests.stored_blob(:'a', 'orphan-a') as orphan_a \gset
select tests.stored_blob(:'b', 'orphan-b') as orphan_b \gset
update sandsync.blobs set created_at = now() - interval '2 hours';

select tests.authenticate_as_service_role();
select is((select array_agg(sha256) from public.service_collect_blobs(interval '1 hour', :'a'::uuid)),
  array[:'orphan_a'], 'collection of one owner picks only that owner''s blobs');
select is((select state from sandsync.blobs where sha256 = :'orphan_b'), 'stored',
  'another owner''s unreferenced blob is untouched');
select is((select state from sandsync.blobs where sha256 = :'orphan_a'), 'collecting',
  'the picked blob is collecting, not deleted');
select is((public.service_mark_blob_stored(:'a', :'orphan_a', 8)).state, 'collecting',
  'a collecting blob cannot be marked stored');

select tests.authenticate_as('collect-a@test');
select id as ws from public.create_workspace('collect', 'last_write_wins') \gset
\set r1 '''eeeeeeee-0000-4000-8000-000000000001'''
select public.register_replica(:'ws', :r1, 'agent');
select throws_ok(
  format('select public.commit_changes(%L, %L, %L, %L::jsonb)', :'ws', :r1, 'k1',
    jsonb_build_array(tests.item('x.txt', 'orphan-a', '{}'::jsonb))),
  'SSN04', null, 'a commit referencing a collecting blob is refused');

select tests.authenticate_as_service_role();
select ok(exists (select 1 from public.service_collect_blobs(interval '1 hour', :'a'::uuid)
  where sha256 = :'orphan_a'), 'an interrupted collection picks its collecting rows again');
-- No object was ever stored by tests.stored_blob: finishing forgets the row.
select is(public.service_finish_collect(:'a', array[:'orphan_a']), 1, 'finishing forgets the row');
select ok(not exists (select 1 from sandsync.blobs where sha256 = :'orphan_a'), 'the row is gone');

-- A collecting row whose object is removed becomes pending (the delete trigger).
select tests.stored_blob(:'a', 'again') as again \gset
update sandsync.blobs set state = 'collecting' where sha256 = :'again';
insert into storage.objects (bucket_id, name, metadata)
values ('sandsync', :'a' || '/' || substr(:'again', 1, 2) || '/' || :'again', '{"size": 5}');
update sandsync.blobs set state = 'collecting' where sha256 = :'again';
delete from storage.objects where bucket_id = 'sandsync' and name like '%' || :'again';
select is((select state from sandsync.blobs where sha256 = :'again'), 'pending',
  'removing the object of a collecting blob makes it pending');
select is((public.service_mark_blob_stored(:'a', :'again', 5)).state, 'stored',
  'a pending blob whose bytes landed afresh is marked stored');

select * from finish();
rollback;
