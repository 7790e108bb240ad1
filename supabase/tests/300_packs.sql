-- Packs: a pack's landing settles its entries' reservations and is counted once; finishing marks
-- its blobs stored and packed; a packed blob is committable only in a workspace one of whose
-- stored packs holds it; a pack with a live entry is not collected, a dead one is; removing a
-- pack object forgets the pack; pack keys are no strays.
begin;
select plan(16);

select tests.create_user('packs-a@test') as a \gset
select tests.authenticate_as('packs-a@test');
select id as w1 from public.create_workspace('packs-1', 'last_write_wins') \gset
select id as w2 from public.create_workspace('packs-2', 'last_write_wins') \gset
\set r1 '''eeeeeeee-0000-4000-8000-0000000000a1'''
\set r2 '''eeeeeeee-0000-4000-8000-0000000000a2'''
select public.register_replica(:'w1', :r1, 'agent');
select public.register_replica(:'w2', :r2, 'agent');
select public.reserve_quota(jsonb_build_array(
  jsonb_build_object('sha256', tests.sha('alpha'), 'size', 5),
  jsonb_build_object('sha256', tests.sha('beta!'), 'size', 5)));

select tests.authenticate_as_service_role();
\set pack '''aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'''
select is(public.service_begin_pack(:'a', :'w1', :pack, 10, jsonb_build_array(
    jsonb_build_object('sha256', tests.sha('alpha'), 'offset', 0, 'size', 5),
    jsonb_build_object('sha256', tests.sha('beta!'), 'offset', 5, 'size', 5))),
  'pending', 'a pack is recorded pending before its object lands');
select throws_ok(
  format('select public.service_begin_pack(%L, %L, %L, 11, %L::jsonb)', :'a', :'w1', repeat('b', 64),
    jsonb_build_array(jsonb_build_object('sha256', tests.sha('alpha'), 'offset', 0, 'size', 5))),
  'SSI01', null, 'a pack whose entries do not add up to its size is refused');
select throws_ok(format('select public.service_finish_pack(%L, %L)', :'w1', :pack),
  'SSN04', null, 'a pack cannot be finished before its object landed');

insert into storage.objects (bucket_id, name, metadata)
values ('sandsync', :'a' || '/packs/' || :'w1' || '/' || :pack, '{"size": 10}');
select is((select reserved_bytes from sandsync.quotas where owner_id = :'a'), 0::bigint,
  'the landed pack settles the reservations of its entries');
select is((select used_bytes from sandsync.quotas where owner_id = :'a'), 10::bigint,
  'and is counted once, at its own size');
select is(public.service_finish_pack(:'w1', :pack), 'stored', 'the verified pack is stored');
select is((select array_agg(state || '/' || packed order by sha256) from sandsync.blobs where owner_id = :'a'),
  array['stored/true', 'stored/true'], 'its blobs are stored and packed');

select tests.authenticate_as('packs-a@test');
select is((public.commit_changes(:'w1', :r1, 'k1', jsonb_build_array(tests.item('a.txt', 'alpha'))) -> 'items' -> 0 ->> 'outcome'),
  'applied', 'the pack''s workspace commits a packed blob');
select throws_ok(
  format('select public.commit_changes(%L, %L, %L, %L::jsonb)', :'w2', :r2, 'k2',
    jsonb_build_array(tests.item('a.txt', 'alpha'))),
  'SSN04', null, 'another workspace cannot commit a blob that rests only in the first one''s pack');

-- A caller confined to W2 (an agent token's claims) sees neither W1's pack nor where its blobs sit.
select set_config('request.jwt.claims', json_build_object('sub', :'a', 'role', 'authenticated',
  'sandsync_workspace_id', :'w2')::text, true);
select is((select count(*)::int from sandsync.packs), 0, 'a token of W2 sees no pack of W1');
select is((select count(*)::int from sandsync.pack_entries), 0, 'nor its entries');

select tests.authenticate_as_service_role();
select is(public.service_collect_pack(:'w1', :pack), null, 'a pack with a live entry is not collected');
select is((select count(*)::int from public.service_stray_objects(interval '0', :'a'::uuid)), 0,
  'a known pack''s object is no stray');
update sandsync.files set current_version_id = null where workspace_id = :'w1';
delete from sandsync.versions where workspace_id = :'w1';
select is(public.service_collect_pack(:'w1', :pack), :'a' || '/packs/' || :'w1' || '/' || :pack,
  'a pack nothing holds is marked collecting and its key returned');
delete from storage.objects where bucket_id = 'sandsync' and name like '%/packs/%';
select is((select count(*)::int from sandsync.packs where workspace_id = :'w1'), 0,
  'removing the pack object forgets the pack and its entries');
select is((select used_bytes from sandsync.quotas where owner_id = :'a'), 0::bigint,
  'and its bytes leave the quota');

select * from finish();
rollback;
