-- The set-based commit (sandsync.commit_changes_set) answers and writes exactly what the loop
-- (sandsync.commit_changes_rows) does: one batch of mixed outcomes runs through each in two
-- workspaces with the same history, and the answers, files, versions, conflicts and journal are
-- compared (ids replaced by what they point at). Then what the set path leaves to the loop: a
-- case-only pair, a conflict copy, and an error.
begin;
select plan(18);

select tests.create_user('set-based@test') as owner \gset
select tests.stored_blob(:'owner', 'one'), tests.stored_blob(:'owner', 'two'), tests.stored_blob(:'owner', 'three'),
  tests.stored_blob(:'owner', 'four');
\set r1 '''cccccccc-0000-4000-8000-000000000001'''
\set r2 '''cccccccc-0000-4000-8000-000000000002'''

-- A workspace with the shared history. auto_merge falling back to last_write_wins without copies
-- gives an open conflict (an ancestor to merge from) and a resolved one (none) in one batch.
create function pg_temp.workspace(p_name text)
returns uuid language plpgsql as $$
declare
  v_ws uuid;
  r1 text := 'cccccccc-0000-4000-8000-000000000001';
begin
  perform tests.authenticate_as('set-based@test');
  select id into v_ws from public.create_workspace(p_name, 'auto_merge', null, 'last_write_wins', false);
  perform public.register_replica(v_ws, r1::uuid, 'agent');
  perform public.register_replica(v_ws, 'cccccccc-0000-4000-8000-000000000002', 'mobile');
  perform public.commit_changes(v_ws, r1::uuid, 'c1', jsonb_build_array(
    tests.item('a.txt', 'one'), tests.item('b.txt', 'one'), tests.item('c.txt', 'one'),
    tests.item('d.txt', 'one'), tests.item('e.txt', 'one'), tests.item('same.txt', 'one'),
    tests.item('Readme.md', 'one'), tests.item('gone.txt', 'one')));
  perform public.commit_changes(v_ws, r1::uuid, 'c2', jsonb_build_array(
    tests.item('b.txt', 'two', jsonb_build_object(r1, 1)), tests.item('c.txt', 'two', jsonb_build_object(r1, 1)),
    tests.item('gone.txt', null, jsonb_build_object(r1, 1))));
  perform tests.clear_authentication();
  return v_ws;
end
$$;

-- Runs a batch of r2 through one path as commit_changes would (workspace row locked, change set
-- recorded, last_seq moved), as the user; answers {cursor, items, change_set_id}.
create function pg_temp.run(p_ws uuid, p_path text, p_key text, p_items jsonb)
returns jsonb language plpgsql as $$
declare
  v_ws sandsync.workspaces;
  v_replica sandsync.replicas;
  v_items sandsync.commit_item[];
  v_cs uuid;
  v_cursor bigint;
  v_result jsonb;
begin
  perform tests.authenticate_as('set-based@test');
  select * into v_ws from sandsync.workspaces where id = p_ws for no key update;
  select * into v_replica from sandsync.replicas
  where workspace_id = p_ws and id = 'cccccccc-0000-4000-8000-000000000002';
  v_items := sandsync.parse_commit_items(p_items);
  insert into sandsync.change_sets (workspace_id, owner_id, replica_id, idempotency_key, items_hash, item_count, committed_by)
  values (p_ws, v_ws.owner_id, v_replica.id, p_key, 'test', cardinality(v_items), auth.uid())
  returning id into v_cs;
  if p_path = 'set' then
    select s.o_cursor, s.o_items into v_cursor, v_result from sandsync.commit_changes_set(v_ws, v_replica, v_cs, v_items) as s;
  else
    select r.o_cursor, r.o_items into v_cursor, v_result from sandsync.commit_changes_rows(v_ws, v_replica, v_cs, v_items) as r;
  end if;
  update sandsync.workspaces set last_seq = v_cursor where id = p_ws and v_cursor > last_seq;
  perform tests.clear_authentication();
  return jsonb_build_object('cursor', v_cursor, 'items', v_result, 'change_set_id', v_cs);
end
$$;

-- What an id points at, so two workspaces' answers and rows compare.
create function pg_temp.version(p_id uuid)
returns jsonb language sql as $$
  select jsonb_build_object('path', v.path, 'sha256', v.sha256, 'deleted', v.deleted, 'vector', v.vector,
    'outcome', v.outcome, 'replica_id', v.replica_id)
  from sandsync.versions as v where v.id = p_id
$$;
create function pg_temp.conflict(p_id uuid)
returns jsonb language sql as $$
  select jsonb_build_object('path', c.path, 'status', c.status, 'resolution', c.resolution, 'strategy', c.strategy,
    'merge_required', c.merge_required, 'current', pg_temp.version(c.current_version_id),
    'incoming', pg_temp.version(c.incoming_version_id), 'ancestor', pg_temp.version(c.ancestor_version_id),
    'resolved', pg_temp.version(c.resolved_version_id), 'copy', c.conflict_copy_path,
    'resolved_at_set', c.resolved_at is not null)
  from sandsync.conflicts as c where c.id = p_id
$$;
create function pg_temp.answer(p_run jsonb)
returns jsonb language sql as $$
  select jsonb_build_object('cursor', p_run -> 'cursor', 'items', jsonb_agg(
    (i - 'version_id' - 'current_version_id' - 'conflict_id' - 'ancestor_version_id' - 'superseded_version_id')
    || jsonb_strip_nulls(jsonb_build_object(
      'version', pg_temp.version((i ->> 'version_id')::uuid),
      'current_version', pg_temp.version((i ->> 'current_version_id')::uuid),
      'ancestor', pg_temp.version((i ->> 'ancestor_version_id')::uuid),
      'superseded', pg_temp.version((i ->> 'superseded_version_id')::uuid),
      'conflict', pg_temp.conflict((i ->> 'conflict_id')::uuid)))
    order by (i ->> 'index')::integer))
  from jsonb_array_elements(p_run -> 'items') as i
$$;
-- The workspace's rows after a batch: files, the batch's versions, conflicts, journal from a seq.
create function pg_temp.files(p_ws uuid)
returns jsonb language sql as $$
  select jsonb_agg(jsonb_build_object('path', f.path, 'sha256', f.sha256, 'size', f.size, 'mode', f.mode,
    'mtime', f.mtime, 'deleted', f.deleted, 'vector', f.vector, 'replica_id', f.replica_id, 'seq', f.seq,
    'committed_by', f.committed_by, 'current', pg_temp.version(f.current_version_id),
    'committed_at_is_current', f.committed_at = (select v.committed_at from sandsync.versions as v
      where v.id = f.current_version_id)) order by f.path)
  from sandsync.files as f where f.workspace_id = p_ws
$$;
create function pg_temp.versions(p_cs uuid)
returns jsonb language sql as $$
  select jsonb_agg(pg_temp.version(v.id) || jsonb_build_object('size', v.size, 'mode', v.mode, 'mtime', v.mtime,
    'author_kind', v.author_kind, 'lines_added', v.lines_added, 'lines_removed', v.lines_removed,
    'committed_by', v.committed_by, 'file_path', f.path) order by v.path)
  from sandsync.versions as v join sandsync.files as f on f.id = v.file_id
  where v.change_set_id = p_cs
$$;
create function pg_temp.conflicts(p_ws uuid)
returns jsonb language sql as $$
  select jsonb_agg(pg_temp.conflict(c.id) || jsonb_build_object('file_path', f.path) order by c.path)
  from sandsync.conflicts as c join sandsync.files as f on f.id = c.file_id
  where c.workspace_id = p_ws
$$;
create function pg_temp.journal(p_ws uuid, p_after bigint)
returns jsonb language sql as $$
  select jsonb_agg(jsonb_build_object('seq', c.seq, 'kind', c.kind, 'path', c.path, 'sha256', c.sha256,
    'size', c.size, 'mode', c.mode, 'mtime', c.mtime, 'deleted', c.deleted, 'vector', c.vector,
    'replica_id', c.replica_id, 'version', pg_temp.version(c.version_id), 'conflict', pg_temp.conflict(c.conflict_id),
    'file_path', f.path, 'in_change_set', c.change_set_id = v.change_set_id,
    'committed_at_is_version', c.committed_at = v.committed_at) order by c.seq)
  from sandsync.changes as c join sandsync.files as f on f.id = c.file_id
  join sandsync.versions as v on v.id = c.version_id
  where c.workspace_id = p_ws and c.seq > p_after
$$;

select pg_temp.workspace('set path') as ws_set \gset
select pg_temp.workspace('row path') as ws_rows \gset
select last_seq as seq0 from sandsync.workspaces where id = :'ws_set' \gset

-- One batch of r2: every outcome, deletes among the edits, in no particular order.
select jsonb_build_array(
  tests.item('new.txt', 'one'),                                  -- applied: a new path
  tests.item('a.txt', 'two', jsonb_build_object(:r1, 1)),        -- applied: fast-forward
  tests.item('same.txt', 'one'),                                 -- merged: same content, the vector grows
  tests.item('absent.txt', null),                                -- merged: deleting what does not exist
  tests.item('b.txt', null, jsonb_build_object(:r1, 1)),         -- superseded: a delete against an edit
  tests.item('c.txt', 'three', jsonb_build_object(:r1, 1)),      -- conflict: open, to merge from the ancestor
  tests.item('d.txt', 'three', jsonb_build_object(:r2, 5)),      -- applied: no ancestor, last_write_wins, no copy
  tests.item('e.txt', null, jsonb_build_object(:r1, 1)),         -- applied: a delete
  tests.item('gone.txt', 'four', jsonb_build_object(:r1, 1)),    -- applied: an edit beats a delete
  tests.item('readme.md', 'one')                                 -- rejected: "Readme.md" is live
) as batch \gset

select pg_temp.run(:'ws_set', 'set', 'batch', :'batch') as run_set \gset
select pg_temp.run(:'ws_rows', 'rows', 'batch', :'batch') as run_rows \gset

select ok(:'run_set'::jsonb -> 'items' <> 'null'::jsonb, 'the set path answers an ordinary batch itself');
select is(
  (select jsonb_object_agg(i ->> 'path', i ->> 'outcome') from jsonb_array_elements(:'run_set'::jsonb -> 'items') as i),
  jsonb_build_object('new.txt', 'applied', 'a.txt', 'applied', 'same.txt', 'merged', 'absent.txt', 'merged',
    'b.txt', 'superseded', 'c.txt', 'conflict', 'd.txt', 'applied', 'e.txt', 'applied', 'gone.txt', 'applied',
    'readme.md', 'rejected'),
  'the batch has every outcome');
select is(pg_temp.answer(:'run_set'), pg_temp.answer(:'run_rows'), 'the set path answers as the loop does');
select is(pg_temp.files(:'ws_set'), pg_temp.files(:'ws_rows'), 'and leaves the same files');
select is(pg_temp.versions((:'run_set'::jsonb ->> 'change_set_id')::uuid),
  pg_temp.versions((:'run_rows'::jsonb ->> 'change_set_id')::uuid), 'the same versions');
select is(pg_temp.conflicts(:'ws_set'), pg_temp.conflicts(:'ws_rows'), 'the same conflicts');
select is(pg_temp.journal(:'ws_set', :'seq0'), pg_temp.journal(:'ws_rows', :'seq0'), 'the same journal, seq by seq');
select is(
  (select array_agg(c.path || ':' || c.kind order by c.seq) from sandsync.changes as c
   where c.workspace_id = :'ws_set' and c.seq > :'seq0'),
  array['e.txt:file', 'a.txt:file', 'c.txt:conflict', 'd.txt:file', 'gone.txt:file', 'new.txt:file', 'same.txt:file'],
  'seqs follow the loop: deletes first, then by path, one per version made current or conflict opened');
select is((:'run_set'::jsonb ->> 'cursor')::bigint,
  (select max(seq) from sandsync.changes where workspace_id = :'ws_set'), 'the cursor is the last seq');
select ok((select bool_and(ordered) from (
    select v.committed_at >= lag(v.committed_at) over (order by c.seq) as ordered
    from sandsync.changes as c join sandsync.versions as v on v.id = c.version_id
    where c.workspace_id = :'ws_set' and c.seq > :'seq0') as t where ordered is not null),
  'commit times grow with the seq');

-- A case-only rename ("Readme.md" deleted, "README.md" created) is the loop's: the set path
-- declines it, writing nothing, and commit_changes answers it.
select count(*) as versions_before from sandsync.versions where workspace_id = :'ws_set' \gset
select jsonb_build_array(tests.item('Readme.md', null, jsonb_build_object(:r1, 1)), tests.item('README.md', 'two')) as rename \gset
select pg_temp.run(:'ws_set', 'set', 'rename-set', :'rename') -> 'items' as declined \gset
select is(:'declined'::jsonb, 'null'::jsonb, 'the set path declines a case-only pair');
select is((select count(*) from sandsync.versions where workspace_id = :'ws_set'), :'versions_before'::bigint,
  'and writes nothing');
select tests.authenticate_as('set-based@test');
select public.commit_changes(:'ws_set', :r2, 'rename', :'rename') as renamed \gset
select tests.clear_authentication();
select is(
  (select array_agg(i ->> 'path' || ':' || (i ->> 'outcome') order by i ->> 'path') from jsonb_array_elements(:'renamed'::jsonb -> 'items') as i),
  array['README.md:applied', 'Readme.md:applied'], 'commit_changes renames through the loop');

-- A last_write_wins loser kept as a conflict copy is the loop's too.
update sandsync.workspaces set strategy = 'last_write_wins', conflict_copies = true where id = :'ws_set';
select count(*) as versions_before from sandsync.versions where workspace_id = :'ws_set' \gset
select jsonb_build_array(tests.item('a.txt', 'three', jsonb_build_object(:r1, 1))) as lww \gset
select pg_temp.run(:'ws_set', 'set', 'lww-set', :'lww') -> 'items' as declined \gset
select is(:'declined'::jsonb, 'null'::jsonb, 'the set path declines a batch that makes a conflict copy');
select is((select count(*) from sandsync.versions where workspace_id = :'ws_set'), :'versions_before'::bigint,
  'and writes nothing');
select tests.authenticate_as('set-based@test');
select public.commit_changes(:'ws_set', :r1, 'lww', :'lww') -> 'items' -> 0 as copied \gset
select tests.clear_authentication();
select ok(:'copied'::jsonb ->> 'conflict_copy_path' like 'a.sync-conflict-%.txt', 'commit_changes makes the copy through the loop');

-- An error is the loop's: the same item and message, whichever the set statement met first.
create function pg_temp.error_of(p_sql text, p_as_user boolean)
returns text language plpgsql as $$
begin
  if p_as_user then
    perform tests.authenticate_as('set-based@test');
  end if;
  execute p_sql;
  return 'no error';
exception when others then
  return sqlstate || ' ' || sqlerrm;
end
$$;
select jsonb_build_array(tests.item('zz.txt', 'one', jsonb_build_object(gen_random_uuid(), 1)),
  tests.item('.sandsync/x', 'one')) as bad \gset
select pg_temp.error_of(format('select pg_temp.run(%L, %L, %L, %L)', :'ws_rows', 'rows', 'bad-rows', :'bad'), false)
  as rows_error \gset
select is(pg_temp.error_of(format('select public.commit_changes(%L, %L, %L, %L)', :'ws_set', :r2, 'bad', :'bad'), true),
  :'rows_error', 'commit_changes raises what the loop raises');
select isnt(:'rows_error'::text, 'no error', 'the batch is refused');

select * from finish();
rollback;
