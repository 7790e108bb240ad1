-- The access matrix: role x operation x resource -> allowed | denied, kept as data. Each probe
-- runs in a rolled-back subtransaction (tests.outcome), so probes cannot affect each other.
-- Actors: anon, owner (owns the workspace), other (another user), service (service_role).
begin;

select tests.create_user('matrix-owner@test') as owner \gset
select tests.create_user('matrix-other@test') as other \gset
select tests.stored_blob(:'owner', 'v1') as sha1, tests.stored_blob(:'owner', 'v2') as sha2 \gset

select tests.authenticate_as('matrix-owner@test');
select id as ws from public.create_workspace('matrix', 'user_intervention') \gset
select public.register_replica(:'ws', 'aaaaaaaa-0000-4000-8000-000000000001', 'agent');
select public.register_replica(:'ws', 'aaaaaaaa-0000-4000-8000-000000000002', 'mobile');
select public.commit_changes(:'ws', 'aaaaaaaa-0000-4000-8000-000000000001', 'm1', jsonb_build_array(tests.item('f.txt', 'v1')));
select public.commit_changes(:'ws', 'aaaaaaaa-0000-4000-8000-000000000002', 'm2', jsonb_build_array(tests.item('f.txt', 'v2')));
select public.report_replica_state(:'ws', 'aaaaaaaa-0000-4000-8000-000000000001', '[{"path": "f.txt", "size": 2}]');
select tests.clear_authentication();
select id as conflict from sandsync.conflicts where workspace_id = :'ws' \gset
select current_version_id as cur from sandsync.files where workspace_id = :'ws' and path = 'f.txt' \gset
insert into sandsync.reservations (owner_id, sha256, size, expires_at) values (:'owner', repeat('e', 64), 1, now() + interval '1 hour');
insert into storage.objects (bucket_id, name, metadata)
values ('sandsync', :'owner' || '/' || substr(:'sha1', 1, 2) || '/' || :'sha1', '{"size": 2}');

create temp table matrix (resource text, operation text, anon text, owner text, other text, service text, probe text);
insert into matrix values
  ('workspaces', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from sandsync.workspaces where id = '%ws'$$),
  ('workspaces', 'insert', 'denied', 'allowed', 'denied', 'allowed', $$with x as (insert into sandsync.workspaces (owner_id, name) values ('%owner', 'n') returning 1) select count(*) from x$$),
  ('workspaces', 'update', 'denied', 'allowed', 'denied', 'allowed', $$with x as (update sandsync.workspaces set name = 'r' where id = '%ws' returning 1) select count(*) from x$$),
  ('workspaces', 'delete', 'denied', 'allowed', 'denied', 'allowed', $$with x as (delete from sandsync.workspaces where id = '%ws' returning 1) select count(*) from x$$),
  ('replicas', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from sandsync.replicas where workspace_id = '%ws'$$),
  ('replicas', 'insert', 'denied', 'allowed', 'denied', 'allowed', $$with x as (insert into sandsync.replicas (id, workspace_id, owner_id, kind) values (gen_random_uuid(), '%ws', '%owner', 'cli') returning 1) select count(*) from x$$),
  ('replicas', 'update', 'denied', 'allowed', 'denied', 'allowed', $$with x as (update sandsync.replicas set name = 'r' where workspace_id = '%ws' returning 1) select count(*) from x$$),
  ('replicas', 'delete', 'denied', 'denied', 'denied', 'allowed', $$with x as (delete from sandsync.replicas where workspace_id = '%ws' returning 1) select count(*) from x$$),
  ('files', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from sandsync.files where workspace_id = '%ws'$$),
  ('files', 'update', 'denied', 'allowed', 'denied', 'allowed', $$with x as (update sandsync.files set mtime = now() where workspace_id = '%ws' returning 1) select count(*) from x$$),
  ('files', 'delete', 'denied', 'denied', 'denied', 'allowed', $$with x as (delete from sandsync.files where workspace_id = '%ws' and false is not true and id not in (select file_id from sandsync.versions) returning 1) select 1 + count(*) from x$$),
  ('versions', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from sandsync.versions where workspace_id = '%ws'$$),
  ('versions', 'update', 'denied', 'denied', 'denied', 'allowed', $$with x as (update sandsync.versions set mtime = now() where workspace_id = '%ws' returning 1) select count(*) from x$$),
  ('versions', 'delete', 'denied', 'denied', 'denied', 'allowed', $$with x as (delete from sandsync.versions where workspace_id = '%ws' and outcome = 'conflict' and false returning 1) select 1 + count(*) from x$$),
  ('change_sets', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from sandsync.change_sets where workspace_id = '%ws'$$),
  ('changes', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from sandsync.changes where workspace_id = '%ws'$$),
  ('changes', 'update', 'denied', 'denied', 'denied', 'allowed', $$with x as (update sandsync.changes set path = path where workspace_id = '%ws' returning 1) select count(*) from x$$),
  ('conflicts', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from sandsync.conflicts where workspace_id = '%ws'$$),
  ('conflicts', 'delete', 'denied', 'denied', 'denied', 'allowed', $$with x as (delete from sandsync.conflicts where workspace_id = '%ws' returning 1) select count(*) from x$$),
  ('blobs', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from sandsync.blobs where owner_id = '%owner'$$),
  ('blobs', 'insert', 'denied', 'denied', 'denied', 'allowed', $$with x as (insert into sandsync.blobs (owner_id, sha256, size, state) values ('%owner', repeat('f', 64), 1, 'stored') returning 1) select count(*) from x$$),
  ('blobs', 'update', 'denied', 'denied', 'denied', 'allowed', $$with x as (update sandsync.blobs set state = 'stored' where owner_id = '%owner' returning 1) select count(*) from x$$),
  ('quotas', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from sandsync.quotas where owner_id = '%owner'$$),
  ('quotas', 'update', 'denied', 'denied', 'denied', 'allowed', $$with x as (update sandsync.quotas set limit_bytes = 1e15 where owner_id = '%owner' returning 1) select count(*) from x$$),
  ('reservations', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from sandsync.reservations where owner_id = '%owner'$$),
  ('reservations', 'delete', 'denied', 'denied', 'denied', 'allowed', $$with x as (delete from sandsync.reservations where owner_id = '%owner' returning 1) select count(*) from x$$),
  ('settings', 'update', 'denied', 'denied', 'denied', 'allowed', $$with x as (update sandsync.settings set default_quota_bytes = 1 returning 1) select count(*) from x$$),
  ('replica_files', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from sandsync.replica_files where owner_id = '%owner'$$),
  ('rpc list_workspaces', 'execute', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from public.list_workspaces() where id = '%ws'$$),
  ('rpc commit_changes', 'execute', 'denied', 'allowed', 'denied', 'allowed', $$select jsonb_array_length(public.commit_changes('%ws', 'aaaaaaaa-0000-4000-8000-000000000001', 'probe', '[{"path": "g.txt", "sha256": "%sha1", "size": 2}]') -> 'items')$$),
  ('rpc changes_since', 'execute', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from public.changes_since('%ws', 0, 100)$$),
  ('rpc list_conflicts', 'execute', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from public.list_conflicts('%ws')$$),
  ('rpc resolve_conflict', 'execute', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from public.resolve_conflict('%conflict', 'aaaaaaaa-0000-4000-8000-000000000002', 'incoming', '%cur')$$),
  ('rpc register_replica', 'execute', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from public.register_replica('%ws', gen_random_uuid(), 'web')$$),
  ('rpc replica_state', 'execute', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from public.replica_state('%ws', 'aaaaaaaa-0000-4000-8000-000000000001')$$),
  ('rpc delete_workspace', 'execute', 'denied', 'allowed', 'denied', 'allowed', $$select public.delete_workspace('%ws')::integer$$),
  ('rpc reserve_quota', 'execute', 'denied', 'allowed', 'allowed', 'denied', $$select jsonb_array_length(public.reserve_quota('[{"sha256": "%sha2", "size": 2}]') -> 'items')$$),
  ('rpc quota_usage', 'execute', 'denied', 'allowed', 'allowed', 'denied', $$select count(*) from public.quota_usage()$$),
  ('rpc service_set_quota_limit', 'execute', 'denied', 'denied', 'denied', 'allowed', $$select count(*) from public.service_set_quota_limit('%owner', 5)$$),
  ('rpc service_mark_blob_stored', 'execute', 'denied', 'denied', 'denied', 'allowed', $$select count(*) from public.service_mark_blob_stored('%owner', repeat('d', 64), 3)$$),
  ('rpc service_recompute_usage', 'execute', 'denied', 'denied', 'denied', 'allowed', $$select count(*) from public.service_recompute_usage()$$),
  ('rpc service_collect_blobs', 'execute', 'denied', 'denied', 'denied', 'allowed', $$select 1 + count(*) from public.service_collect_blobs()$$),
  ('rpc service_prune_history', 'execute', 'denied', 'denied', 'denied', 'allowed', $$select 1 + public.service_prune_history()$$),
  ('rpc service_expire_reservations', 'execute', 'denied', 'denied', 'denied', 'allowed', $$select 1 + public.service_expire_reservations()$$),
  ('storage own prefix', 'insert', 'denied', 'allowed', 'denied', 'allowed', $$with x as (insert into storage.objects (bucket_id, name, metadata) values ('sandsync', '%owner/aa/' || repeat('a', 64), '{"size": 1}') returning 1) select count(*) from x$$),
  ('storage own prefix', 'select', 'denied', 'allowed', 'denied', 'allowed', $$select count(*) from storage.objects where bucket_id = 'sandsync' and name like '%owner/%'$$),
  ('storage own prefix', 'update', 'denied', 'denied', 'denied', 'allowed', $$with x as (update storage.objects set metadata = '{"size": 2}' where bucket_id = 'sandsync' and name like '%owner/%' returning 1) select count(*) from x$$),
  ('storage own prefix', 'delete', 'denied', 'denied', 'denied', 'allowed', $$with x as (delete from storage.objects where bucket_id = 'sandsync' and name like '%owner/%' returning 1) select count(*) from x$$);

create temp table probes as
select m.resource, m.operation, a.actor, a.expected,
  replace(replace(replace(replace(replace(m.probe, '%ws', :'ws'), '%owner', :'owner'), '%conflict', :'conflict'),
    '%cur', :'cur'), '%sha1', :'sha1') as probe
from matrix as m
cross join lateral (values ('anon', m.anon), ('owner', m.owner), ('other', m.other), ('service', m.service)) as a(actor, expected);
update probes set probe = replace(probe, '%sha2', :'sha2');
grant select on probes to anon, authenticated, service_role;

select plan((select count(*)::integer from probes));

select is(
  tests.outcome(
    case actor when 'anon' then 'anon' when 'service' then 'service_role' else 'authenticated' end,
    case actor when 'owner' then :'owner'::uuid when 'other' then :'other'::uuid end,
    probe),
  expected,
  format('%s %s %s: %s', actor, operation, resource, expected))
from probes
order by resource, operation, actor;

select * from finish();
rollback;
