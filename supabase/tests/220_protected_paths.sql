-- Protected paths and the sync_git setting (issue 10 §2), and the format-character path rule
-- (§3): commits refuse .sandsync/, temp names and .git/ (without sync_git) as invalid_path with
-- nothing written; the owner can opt into .git/; .sandsync/ stays reserved.
begin;
select plan(12);

select tests.create_user('prot@test') as owner \gset
select tests.stored_blob(:'owner', 'x');
select tests.authenticate_as('prot@test');
select id as ws from public.create_workspace('prot') \gset
\set r1 '''dddddddd-0000-4000-8000-000000000001'''
select public.register_replica(:'ws', :r1, 'agent');

select is((select sync_git from sandsync.workspaces where id = :'ws'), false,
  'sync_git is off by default');
select throws_ok(format($$select public.commit_changes(%L, %L, 'p1', jsonb_build_array(tests.item('.sandsync/state.db', 'x')))$$, :'ws', :r1),
  'SSI02', null, '.sandsync/ is refused');
select throws_ok(format($$select public.commit_changes(%L, %L, 'p2', jsonb_build_array(tests.item('a/.sandsync-tmp-1234', 'x')))$$, :'ws', :r1),
  'SSI02', null, 'a temp name is refused in any directory');
select throws_ok(format($$select public.commit_changes(%L, %L, 'p3', jsonb_build_array(tests.item('ok.txt', 'x'), tests.item('.git/config', 'x')))$$, :'ws', :r1),
  'SSI02', null, '.git/ is refused without sync_git, the whole change set with it');
select is((select count(*) from sandsync.files where workspace_id = :'ws'), 0::bigint,
  'a refused commit leaves no file row');
select throws_ok(format($$select public.commit_changes(%L, %L, 'p4', jsonb_build_array(tests.item(U&'a\202Eb.txt', 'x')))$$, :'ws', :r1),
  'SSI02', null, 'a bidi override in a path is refused');
select throws_ok(format($$select public.update_workspace(%L, '{"sync_git": "maybe"}')$$, :'ws'),
  'SSI01', null, 'sync_git takes a boolean');

select lives_ok(format($$select public.update_workspace(%L, '{"sync_git": true}')$$, :'ws'),
  'the owner opts into .git/');
select is((select sync_git from sandsync.workspaces where id = :'ws'), true, 'sync_git is on');
select lives_ok(format($$select public.commit_changes(%L, %L, 'p5', jsonb_build_array(tests.item('.git/config', 'x')))$$, :'ws', :r1),
  '.git/ is accepted with sync_git');
select throws_ok(format($$select public.commit_changes(%L, %L, 'p6', jsonb_build_array(tests.item('.sandsync/state.db', 'x')))$$, :'ws', :r1),
  'SSI02', null, '.sandsync/ stays reserved with sync_git');

select tests.authenticate_as_service_role();
update sandsync.workspaces set sync_git = false where id = :'ws';
select tests.authenticate_as('prot@test');
select lives_ok(format($$select public.commit_changes(%L, %L, 'p7', jsonb_build_array(tests.item('.git/config', null, jsonb_build_object(%L, 1))))$$, :'ws', :r1, :r1),
  'a protected path can still be deleted (cleaning up what was synced before)');
select * from finish();
rollback;
