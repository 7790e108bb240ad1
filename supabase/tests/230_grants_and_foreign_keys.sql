-- Client grants limited to what the RPCs use, and references that stay inside one workspace:
-- a row of one tenant's workspace can point at no file, version, change set or replica of another.
begin;
select plan(14);

select tests.create_user('fk-a@test') as a \gset
select tests.create_user('fk-b@test') as b \gset
select tests.stored_blob(:'a', 'fa') as sha_a \gset
select tests.stored_blob(:'b', 'fb') as sha_b \gset

select tests.authenticate_as('fk-b@test');
select id as ws_b from public.create_workspace('fk-b', 'last_write_wins') \gset
select public.register_replica(:'ws_b', 'bbbbbbbb-0000-4000-8000-000000000001', 'agent');
select public.commit_changes(:'ws_b', 'bbbbbbbb-0000-4000-8000-000000000001', 'fb1',
  jsonb_build_array(tests.item('b.txt', 'fb')));

select tests.authenticate_as('fk-a@test');
select id as ws_a from public.create_workspace('fk-a', 'last_write_wins') \gset
select public.register_replica(:'ws_a', 'aaaaaaaa-0000-4000-8000-00000000000a', 'agent');
select public.commit_changes(:'ws_a', 'aaaaaaaa-0000-4000-8000-00000000000a', 'fa1',
  jsonb_build_array(tests.item('a.txt', 'fa')));
select tests.clear_authentication();

select f.id as file_b, f.current_version_id as version_b from sandsync.files as f
  where f.workspace_id = :'ws_b' \gset
select f.id as file_a from sandsync.files as f where f.workspace_id = :'ws_a' \gset
select id as cs_b from sandsync.change_sets where workspace_id = :'ws_b' \gset

-- Grants: what the RPCs update, nothing more.
select ok(not has_table_privilege('authenticated', 'sandsync.files', 'update'),
  'authenticated has no table-wide update on files');
select ok(not has_column_privilege('authenticated', 'sandsync.files', 'workspace_id', 'update')
  and not has_column_privilege('authenticated', 'sandsync.files', 'owner_id', 'update')
  and not has_column_privilege('authenticated', 'sandsync.files', 'path', 'update'),
  'authenticated cannot move a file to another workspace, owner or path');
select ok(has_column_privilege('authenticated', 'sandsync.files', 'current_version_id', 'update'),
  'authenticated can advance a file''s current version (commit_changes)');
select ok(not has_column_privilege('authenticated', 'sandsync.change_sets', 'workspace_id', 'update')
  and has_column_privilege('authenticated', 'sandsync.change_sets', 'result', 'update'),
  'change sets: only their result is updated');
select ok(not has_column_privilege('authenticated', 'sandsync.conflicts', 'file_id', 'update')
  and has_column_privilege('authenticated', 'sandsync.conflicts', 'status', 'update'),
  'conflicts: only their resolution columns are updated');
select ok(not has_table_privilege('authenticated', 'sandsync.replicas', 'delete'),
  'authenticated cannot delete replicas');

-- Foreign keys: (x_id, workspace_id) against the parent's (id, workspace_id).
select col_is_fk('sandsync', 'versions', array['file_id', 'workspace_id'],
  'versions reference their file within their workspace');
select col_is_fk('sandsync', 'conflicts', array['file_id', 'workspace_id'],
  'conflicts reference their file within their workspace');
select col_is_fk('sandsync', 'files', array['current_version_id', 'workspace_id'],
  'files reference their current version within their workspace');

-- As tenant a, attaching rows of a's workspace to b's file, version or change set fails.
select matches(
  tests.outcome('authenticated', :'a'::uuid, format($$with x as (insert into sandsync.versions
    (file_id, workspace_id, owner_id, path, sha256, size, mode, deleted, vector, author_kind, outcome)
    values (%L, %L, %L, 'a.txt', %L, 2, 420, false, '{}', 'cli', 'applied') returning 1) select count(*) from x$$,
    :'file_b', :'ws_a', :'a', :'sha_a')),
  '^error: 23503', 'a version of a''s workspace cannot name b''s file');
select matches(
  tests.outcome('authenticated', :'a'::uuid, format($$with x as (insert into sandsync.versions
    (file_id, workspace_id, owner_id, path, sha256, size, mode, deleted, vector, author_kind, outcome, change_set_id)
    values (%L, %L, %L, 'a.txt', %L, 2, 420, false, '{}', 'cli', 'applied', %L) returning 1) select count(*) from x$$,
    :'file_a', :'ws_a', :'a', :'sha_a', :'cs_b')),
  '^error: 23503', 'a version of a''s workspace cannot name b''s change set');
select matches(
  tests.outcome('authenticated', :'a'::uuid, format($$with x as (update sandsync.files
    set current_version_id = %L where id = %L returning 1) select count(*) from x$$,
    :'version_b', :'file_a')),
  '^error: 23503', 'a''s file cannot point at b''s version');
select matches(
  tests.outcome('authenticated', :'a'::uuid, format($$with x as (insert into sandsync.conflicts
    (workspace_id, owner_id, file_id, path, strategy) values (%L, %L, %L, 'a.txt', 'last_write_wins')
    returning 1) select count(*) from x$$, :'ws_a', :'a', :'file_b')),
  '^error: 23503', 'a conflict of a''s workspace cannot name b''s file');
select matches(
  tests.outcome('authenticated', :'a'::uuid, format($$with x as (insert into sandsync.change_sets
    (workspace_id, owner_id, replica_id, idempotency_key, items_hash, item_count)
    values (%L, %L, 'bbbbbbbb-0000-4000-8000-000000000001', 'x', 'h', 1) returning 1)
    select count(*) from x$$, :'ws_a', :'a')),
  '^error: 23503', 'a change set of a''s workspace cannot name b''s replica');

select * from finish();
rollback;
