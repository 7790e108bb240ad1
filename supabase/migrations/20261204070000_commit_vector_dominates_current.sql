-- Convergence: a version committed over a concurrent current version gets a vector that
-- strictly dominates the current one.
--
-- Purpose: a change whose base is not the current version (concurrent) was given
-- merge(current, bump(base)). When the committing replica's own counter in the current vector
-- was already past its base (its earlier commits, a superseded delete, a restart on older
-- state), that merge equals the current vector: a new version with new bytes under the vector
-- of the previous one. Every replica that held the previous version then took the new one for
-- what it had seen and never downloaded it (replicas holding different bytes for one path after
-- quiescence, found by the history checker, tests/checker/). Now the new version's vector is
-- bump(merge(current, base)): it dominates the current version and the committer's base, so it
-- is never taken for something already seen. Fast-forwards and new files are unchanged (there
-- the base dominates the current version already, and both forms agree).
-- Objects: public.commit_changes (replaced; only the vector of a concurrent change differs
-- from 20261125001700_conflict_copy_names.sql).

create or replace function public.commit_changes(
  p_workspace_id uuid,
  p_replica_id uuid,
  p_idempotency_key text,
  p_items jsonb
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_ws sandsync.workspaces;
  v_replica sandsync.replicas;
  v_prior sandsync.change_sets;
  v_hash text;
  v_items sandsync.commit_item[];
  v_it sandsync.commit_item;
  v_cs uuid;
  v_seq bigint;
  v_file sandsync.files;
  v_anc_id uuid;
  v_anc_sha text;
  v_anc_deleted boolean;
  v_anc_mode integer;
  v_incoming jsonb;
  v_vec jsonb;
  v_same boolean;
  v_strategy text;
  v_ver sandsync.versions;
  v_copy sandsync.versions;
  v_copy_file uuid;
  v_copy_path text;
  v_conflict uuid;
  v_outcome text;
  v_superseded uuid;
  v_results jsonb[] := '{}';
  v_result jsonb;
  v_bad record;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' or jsonb_array_length(p_items) not between 1 and 10000 then
    raise exception 'Cannot commit: items must be an array of 1 to 10000 changes'
      using errcode = 'SSI01', hint = 'invalid_input';
  end if;
  if p_idempotency_key is null or length(p_idempotency_key) not between 1 and 200 then
    raise exception 'Cannot commit: an idempotency key of 1 to 200 characters is required'
      using errcode = 'SSI01', hint = 'invalid_input';
  end if;

  -- The serialisation point (see the header): held until this transaction ends.
  select * into v_ws from sandsync.workspaces where id = p_workspace_id for no key update;
  if not found then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  select * into v_replica from sandsync.replicas where id = p_replica_id and workspace_id = p_workspace_id;
  if not found then
    raise exception 'Cannot commit to workspace "%": replica "%" is not registered there', p_workspace_id, p_replica_id
      using errcode = 'SSN02', hint = 'replica_not_found';
  end if;

  v_hash := encode(sha256(convert_to(p_items::text, 'UTF8')), 'hex');
  select * into v_prior from sandsync.change_sets
  where workspace_id = p_workspace_id and idempotency_key = p_idempotency_key;
  if found then
    if v_prior.items_hash <> v_hash or v_prior.replica_id <> p_replica_id then
      raise exception 'Cannot commit: idempotency key "%" was used for a different change set', p_idempotency_key
        using errcode = 'SSC02', hint = 'change_set_mismatch';
    end if;
    return v_prior.result || jsonb_build_object('replayed', true);
  end if;

  v_items := sandsync.parse_commit_items(p_items);
  select i.path into v_bad from unnest(v_items) as i group by i.path having count(*) > 1 limit 1;
  if found then
    raise exception 'Cannot commit: path "%" appears twice in one change set', v_bad.path
      using errcode = 'SSI03', hint = 'duplicate_path';
  end if;
  select i.ord, i.path, i.sha256, i.size into v_bad from unnest(v_items) as i
  where not i.deleted and not exists (
    select 1 from sandsync.blobs as b
    where b.owner_id = v_ws.owner_id and b.sha256 = i.sha256 and b.state = 'stored' and b.size = i.size
  )
  order by i.ord limit 1;
  if found then
    raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
      using errcode = 'SSN04', hint = 'blob_not_stored', detail = format('item=%s', v_bad.ord - 1);
  end if;

  insert into sandsync.change_sets (workspace_id, owner_id, replica_id, idempotency_key, items_hash, item_count, committed_by)
  values (p_workspace_id, v_ws.owner_id, p_replica_id, p_idempotency_key, v_hash, cardinality(v_items), auth.uid())
  returning id into v_cs;
  v_seq := v_ws.last_seq;

  -- Deletes first, so a case-only rename (delete "A", create "a") passes the case check.
  for v_it in select * from unnest(v_items) as i order by i.deleted desc, i.path loop
    v_incoming := sandsync.vv_bump(v_it.base, p_replica_id);
    v_outcome := null;
    v_ver := null;
    v_conflict := null;
    v_copy_path := null;
    v_superseded := null;
    v_anc_id := null;
    v_result := null;

    select * into v_file from sandsync.files
    where workspace_id = p_workspace_id and path = v_it.path for update;

    if v_file.id is null then
      if v_it.deleted then
        v_outcome := 'merged'; -- deleting what does not exist: both sides agree
      elsif sandsync.case_conflict(p_workspace_id, v_it.path) then
        v_outcome := 'rejected';
      else
        insert into sandsync.files (workspace_id, owner_id, path, sha256, size, mode, mtime, deleted, vector)
        values (p_workspace_id, v_ws.owner_id, v_it.path, v_it.sha256, v_it.size, v_it.mode, v_it.mtime, false, v_incoming)
        returning * into v_file;
        v_ver := sandsync.add_version(v_ws, v_file.id, v_it, v_incoming, v_replica, v_cs, 'applied');
        v_seq := v_seq + 1;
        perform sandsync.make_current(v_ver, v_seq, null);
        v_outcome := 'applied';
      end if;
    elsif v_file.deleted and not v_it.deleted and sandsync.case_conflict(p_workspace_id, v_it.path) then
      v_outcome := 'rejected';
    else
      v_same := (v_it.deleted and v_file.deleted) or (not v_it.deleted and not v_file.deleted
        and v_it.sha256 = v_file.sha256 and v_it.mode = v_file.mode);
      if sandsync.vv_compare(v_it.base, v_file.vector) in ('equal', 'after') then
        -- Fast-forward: the committer saw the current version.
        if v_same then
          v_outcome := 'merged';
        else
          v_ver := sandsync.add_version(v_ws, v_file.id, v_it, sandsync.vv_merge(v_file.vector, v_incoming), v_replica, v_cs, 'applied');
          v_seq := v_seq + 1;
          perform sandsync.make_current(v_ver, v_seq, null);
          v_outcome := 'applied';
        end if;
      elsif v_same then
        -- Identical content on both sides is never a conflict: merge the vectors.
        v_vec := sandsync.vv_merge(v_file.vector, v_incoming);
        v_outcome := 'merged';
        if v_vec <> v_file.vector then
          v_ver := sandsync.add_version(v_ws, v_file.id, v_it, v_vec, v_replica, v_cs, 'merged');
          v_seq := v_seq + 1;
          perform sandsync.make_current(v_ver, v_seq, null);
        end if;
      else
        select v.id, v.sha256, v.deleted, v.mode into v_anc_id, v_anc_sha, v_anc_deleted, v_anc_mode
        from sandsync.versions as v
        where v.file_id = v_file.id and v.vector = v_it.base
        order by v.committed_at desc limit 1;
        -- Strictly after the current version, whatever the committer's counter was there.
        v_vec := sandsync.vv_bump(sandsync.vv_merge(v_file.vector, v_it.base), p_replica_id);
        if (v_anc_id is not null and v_anc_deleted = v_file.deleted and v_anc_mode = v_file.mode
            and v_anc_sha is not distinct from v_file.sha256)
          or (v_file.deleted and not v_it.deleted) then
          -- The content did not change since the committer's base (only vectors moved), or an
          -- edit meets a concurrent delete: the edit wins under every strategy.
          v_superseded := case when v_file.deleted then v_file.current_version_id end;
          v_ver := sandsync.add_version(v_ws, v_file.id, v_it, v_vec, v_replica, v_cs, 'applied');
          v_seq := v_seq + 1;
          perform sandsync.make_current(v_ver, v_seq, null);
          v_outcome := 'applied';
        elsif v_it.deleted then
          -- A delete meets a concurrent edit: the delete is kept in history, the edit stays.
          v_ver := sandsync.add_version(v_ws, v_file.id, v_it, v_incoming, v_replica, v_cs, 'superseded');
          v_outcome := 'superseded';
        else
          v_strategy := v_ws.strategy;
          if v_strategy = 'auto_merge' and (v_anc_id is null or v_anc_deleted) then
            v_strategy := v_ws.merge_fallback; -- nothing to three-way merge against
          end if;
          if v_strategy = 'last_write_wins' then
            -- The later commit on the server wins; the loser (current) stays in history and,
            -- if the workspace says so, as a conflict copy made by the server.
            v_superseded := v_file.current_version_id;
            v_ver := sandsync.add_version(v_ws, v_file.id, v_it, v_vec, v_replica, v_cs, 'applied');
            if v_ws.conflict_copies then
              v_copy_path := sandsync.conflict_copy_path(v_it.path, v_file.committed_at, coalesce(v_file.replica_id, p_replica_id));
              if sandsync.path_problem(v_copy_path) is not null
                or sandsync.case_conflict(p_workspace_id, v_copy_path)
                or exists (select 1 from sandsync.files where workspace_id = p_workspace_id and path = v_copy_path) then
                v_copy_path := null; -- cannot place a copy; the loser is still in history
              end if;
            end if;
            insert into sandsync.conflicts (workspace_id, owner_id, file_id, path, current_version_id, incoming_version_id,
              ancestor_version_id, strategy, status, resolution, resolved_version_id, conflict_copy_path, resolved_at)
            values (p_workspace_id, v_ws.owner_id, v_file.id, v_it.path, v_file.current_version_id, v_ver.id,
              v_anc_id, v_ws.strategy, 'resolved', 'last_write_wins', v_ver.id, v_copy_path, now())
            returning id into v_conflict;
            v_seq := v_seq + 1;
            perform sandsync.make_current(v_ver, v_seq, v_conflict);
            if v_copy_path is not null then
              insert into sandsync.files (workspace_id, owner_id, path, sha256, size, mode, mtime, deleted, vector)
              values (p_workspace_id, v_ws.owner_id, v_copy_path, v_file.sha256, v_file.size, v_file.mode, v_file.mtime, false, '{}')
              returning id into v_copy_file;
              -- Made by the server (no replica), so no replica drops it as its own echo.
              v_copy := sandsync.add_version(v_ws, v_copy_file,
                row(v_it.ord, v_copy_path, false, v_file.sha256, v_file.size, v_file.mode, v_file.mtime, '{}'::jsonb, null, null)::sandsync.commit_item,
                jsonb_build_object(p_workspace_id::text, 1), null::sandsync.replicas, v_cs, 'conflict_copy');
              v_seq := v_seq + 1;
              perform sandsync.make_current(v_copy, v_seq, v_conflict);
            end if;
            v_outcome := 'applied';
          else
            -- user_intervention, or auto_merge with an ancestor: keep current, open a conflict.
            v_ver := sandsync.add_version(v_ws, v_file.id, v_it, v_incoming, v_replica, v_cs, 'conflict');
            insert into sandsync.conflicts (workspace_id, owner_id, file_id, path, current_version_id, incoming_version_id,
              ancestor_version_id, strategy, merge_required)
            values (p_workspace_id, v_ws.owner_id, v_file.id, v_it.path, v_file.current_version_id, v_ver.id,
              v_anc_id, v_ws.strategy, v_strategy = 'auto_merge')
            returning id into v_conflict;
            v_seq := v_seq + 1;
            perform sandsync.journal_conflict(v_ver, v_seq, v_conflict);
            v_outcome := 'conflict';
          end if;
        end if;
      end if;
    end if;

    select f.current_version_id, f.vector into v_file.current_version_id, v_file.vector
    from sandsync.files as f where f.workspace_id = p_workspace_id and f.path = v_it.path;
    v_results := v_results || jsonb_strip_nulls(jsonb_build_object(
      'index', v_it.ord - 1,
      'path', v_it.path,
      'outcome', v_outcome,
      'code', case when v_outcome = 'rejected' then 'path_case_conflict' end,
      'version_id', coalesce(v_ver.id, case when v_outcome = 'merged' then v_file.current_version_id end),
      'current_version_id', v_file.current_version_id,
      'vector', case when v_file.current_version_id is not null then v_file.vector end,
      'conflict_id', v_conflict,
      'ancestor_version_id', v_anc_id,
      'superseded_version_id', v_superseded,
      'conflict_copy_path', v_copy_path
    ));
    v_file := null;
  end loop;

  if v_seq > v_ws.last_seq then
    update sandsync.workspaces set last_seq = v_seq where id = p_workspace_id;
  end if;
  update sandsync.replicas set last_seen_at = now() where id = p_replica_id;
  v_result := jsonb_build_object(
    'change_set_id', v_cs,
    'workspace_id', p_workspace_id,
    'replayed', false,
    'cursor', v_seq,
    'items', (select jsonb_agg(r order by (r ->> 'index')::integer) from unnest(v_results) as r)
  );
  update sandsync.change_sets set result = v_result where id = v_cs;
  if v_seq > v_ws.last_seq then
    perform pg_notify('sandsync_changes', json_build_object('workspace_id', p_workspace_id, 'seq', v_seq)::text);
  end if;
  return v_result;
end
$$;
comment on function public.commit_changes(uuid, uuid, text, jsonb) is
  'Applies a change set atomically; per item: applied, merged, superseded, conflict or rejected (path_case_conflict). See docs/schema.md.';
