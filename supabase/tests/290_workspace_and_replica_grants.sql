-- Clients may update only the columns of workspaces and replicas their RPCs write: no rewriting a
-- workspace's identity or owner, no moving a replica to another workspace; the RPCs still work.
begin;
select plan(6);

select ok(not has_table_privilege('authenticated', 'sandsync.workspaces', 'update'),
  'authenticated has no table-wide update on workspaces');
select ok(not has_column_privilege('authenticated', 'sandsync.workspaces', 'owner_id', 'update')
  and not has_column_privilege('authenticated', 'sandsync.workspaces', 'id', 'update')
  and not has_column_privilege('authenticated', 'sandsync.workspaces', 'created_at', 'update'),
  'authenticated cannot rewrite a workspace''s id, owner or creation time');
select ok(not has_column_privilege('authenticated', 'sandsync.replicas', 'workspace_id', 'update')
  and not has_column_privilege('authenticated', 'sandsync.replicas', 'owner_id', 'update')
  and not has_column_privilege('authenticated', 'sandsync.replicas', 'id', 'update'),
  'authenticated cannot move a replica to another workspace or owner, or rename it');

select tests.create_user('grants-ws@test') as u \gset
select tests.stored_blob(:'u', 'g1');
select tests.authenticate_as('grants-ws@test');
select id as ws from public.create_workspace('grants') \gset
\set rid '''9a9a9a9a-0000-4000-8000-000000000290'''
select public.register_replica(:'ws', :rid, 'agent');
select lives_ok(format('select public.update_workspace(%L, %L::jsonb)', :'ws',
  '{"name": "renamed", "retention_versions": 5, "sync_git": true}'),
  'update_workspace still changes settings');
select lives_ok(format('select public.commit_changes(%L, %L, %L, %L::jsonb)', :'ws', :rid, 'g1',
  jsonb_build_array(tests.item('g.txt', 'g1'))), 'commits still advance the workspace');
select lives_ok(format('select public.report_replica_health(%L, %L, %L::jsonb)', :'ws', :rid,
  '{"state": "idle", "pending": 0, "heldDeletes": 0, "cursor": 1}'),
  'replica health and registration still update the replica');

select * from finish();
rollback;
