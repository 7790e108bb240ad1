-- Sandsync sync core: the commit.
--
-- Purpose: public.commit_changes applies one change set (a batch of file changes) atomically
-- and answers per item `applied`, `merged`, `superseded`, `conflict` or `rejected`
-- (path_case_conflict). Algorithm (docs/schema.md has the flowchart):
--   1. lock the workspace row (FOR NO KEY UPDATE): commits of one workspace serialise here, which
--      makes per-path decisions race-free, the case-collision check exact and journal seqs
--      gap-free; commits of different workspaces run in parallel;
--   2. a known idempotency key answers the stored result (same items) or refuses (other items);
--   3. validate every item first (shape, path rules, duplicates, blobs stored): any failure
--      raises with a stable SQLSTATE and HINT and nothing changes;
--   4. apply deletes before creates (a case-only rename works), in path order; per item compare
--      the base vector with the current one: fast-forward, identical content (merged), or
--      concurrent -> the workspace strategy; an edit always beats a concurrent delete;
--   5. journal every current-state change and opened conflict, store the result, NOTIFY.
-- Objects: types sandsync.commit_item and sandsync.commit_decision; the decision
-- sandsync.commit_outcome; helpers sandsync.parse_commit_items, case_conflict, add_version,
-- make_current, journal_conflict; RPC public.commit_changes.
-- Why the decision is a function of its own: sandsync.commit_outcome is the whole per-item rule
-- (step 4) as a pure, immutable function of the facts commit_changes reads (the current version,
-- the ancestor, a case clash), so the rule is read in one place and tested directly on every
-- shared conflict case (supabase/tests/056_commit_outcome_cases.sql); commit_changes locks,
-- reads those facts, and performs what the decision says.
-- Why a concurrent change gets bump(merge(current, base)): the new version's vector strictly
-- dominates the current one and the committer's base, so no replica that held the previous
-- version takes the new one for something already seen (merge(current, bump(base)) could equal
-- the current vector when the committer's own counter was already past its base).
-- Why PL/pgSQL helpers: they run once or more per item, and PL/pgSQL caches its plans per
-- session where a SQL function with `set search_path` is planned again on every call.

create type sandsync.commit_item as (
  ord integer,
  path text,
  deleted boolean,
  sha256 text,
  size bigint,
  mode integer,
  mtime timestamptz,
  base jsonb,
  lines_added integer,
  lines_removed integer
);
comment on type sandsync.commit_item is 'One validated item of a change set.';

-- What one commit decides for one item, as a value: the outcome and the version to write.
create type sandsync.commit_decision as (
  outcome text,
  code text,
  version_outcome text,
  vector jsonb,
  make_current boolean,
  supersedes_current boolean,
  conflict text,
  merge_required boolean,
  conflict_copy boolean,
  report_ancestor boolean
);
comment on type sandsync.commit_decision is
  'The decision of sandsync.commit_outcome for one item; public.commit_changes performs it.';

-- The whole per-item rule of the commit, with no table access: public.commit_changes gathers the
-- facts (the path's current version, the ancestor, a case clash), calls this, and performs what it
-- answers. Fields of the answer:
--   outcome             applied | merged | superseded | conflict | rejected (the item's answer);
--   code                'path_case_conflict' when rejected;
--   version_outcome     the `outcome` of the version to write (applied, merged, superseded,
--                       conflict), null when no version is written;
--   vector              that version's vector;
--   make_current        the version becomes the path's current one (and is journaled);
--   supersedes_current  the answer names the current version as superseded;
--   conflict            null, 'open' (a conflict row to resolve) or 'resolved' (last_write_wins);
--   merge_required      the open conflict asks the server for a three-way merge;
--   conflict_copy       keep the current version (the loser) as a conflict copy, where its name
--                       can be placed (the caller checks the name against the table);
--   report_ancestor     the answer names the ancestor version (the base looked up in history).
-- Inputs: the workspace settings; the committing replica; the incoming change (deleted, content
-- hash, mode, base vector); the current version (p_current_vector null: the path does not exist);
-- the ancestor, the newest version of the path whose vector equals the base (p_ancestor_deleted
-- null: none; looked up only when the base is concurrent with the current vector, and ignored
-- otherwise); whether another live path differs from this one only in case (consulted only for a
-- live change over an absent or deleted path).
create function sandsync.commit_outcome(
  p_strategy text,
  p_merge_fallback text,
  p_conflict_copies boolean,
  p_replica_id uuid,
  p_deleted boolean,
  p_sha256 text,
  p_mode integer,
  p_base jsonb,
  p_current_vector jsonb,
  p_current_deleted boolean,
  p_current_sha256 text,
  p_current_mode integer,
  p_ancestor_deleted boolean,
  p_ancestor_sha256 text,
  p_ancestor_mode integer,
  p_case_clash boolean
)
returns sandsync.commit_decision
language plpgsql
immutable
parallel safe
security invoker
set search_path = ''
as $$
declare
  v_incoming jsonb := sandsync.vv_bump(p_base, p_replica_id);
  v_vec jsonb;
  v_same boolean;
  v_strategy text;
  v_d sandsync.commit_decision;
begin
  v_d.make_current := false;
  v_d.supersedes_current := false;
  v_d.merge_required := false;
  v_d.conflict_copy := false;
  v_d.report_ancestor := false;

  if p_current_vector is null then
    if p_deleted then
      v_d.outcome := 'merged'; -- deleting what does not exist: both sides agree
    elsif p_case_clash then
      v_d.outcome := 'rejected';
    else
      v_d.outcome := 'applied';
      v_d.version_outcome := 'applied';
      v_d.vector := v_incoming;
      v_d.make_current := true;
    end if;
  elsif p_current_deleted and not p_deleted and p_case_clash then
    v_d.outcome := 'rejected';
  else
    v_same := (p_deleted and p_current_deleted) or (not p_deleted and not p_current_deleted
      and p_sha256 = p_current_sha256 and p_mode = p_current_mode);
    if sandsync.vv_compare(p_base, p_current_vector) in ('equal', 'after') then
      -- Fast-forward: the committer saw the current version.
      if v_same then
        v_d.outcome := 'merged';
      else
        v_d.outcome := 'applied';
        v_d.version_outcome := 'applied';
        v_d.vector := sandsync.vv_merge(p_current_vector, v_incoming);
        v_d.make_current := true;
      end if;
    elsif v_same then
      -- Identical content on both sides is never a conflict: merge the vectors.
      v_vec := sandsync.vv_merge(p_current_vector, v_incoming);
      v_d.outcome := 'merged';
      if v_vec <> p_current_vector then
        v_d.version_outcome := 'merged';
        v_d.vector := v_vec;
        v_d.make_current := true;
      end if;
    else
      v_d.report_ancestor := true;
      -- Strictly after the current version, whatever the committer's counter was there.
      v_vec := sandsync.vv_bump(sandsync.vv_merge(p_current_vector, p_base), p_replica_id);
      if (p_ancestor_deleted is not null and p_ancestor_deleted = p_current_deleted
          and p_ancestor_mode = p_current_mode and p_ancestor_sha256 is not distinct from p_current_sha256)
        or (p_current_deleted and not p_deleted) then
        -- The content did not change since the committer's base (only vectors moved), or an
        -- edit meets a concurrent delete: the edit wins under every strategy.
        v_d.outcome := 'applied';
        v_d.version_outcome := 'applied';
        v_d.vector := v_vec;
        v_d.make_current := true;
        v_d.supersedes_current := p_current_deleted;
      elsif p_deleted then
        -- A delete meets a concurrent edit: the delete is kept in history, the edit stays.
        v_d.outcome := 'superseded';
        v_d.version_outcome := 'superseded';
        v_d.vector := v_incoming;
      else
        v_strategy := p_strategy;
        if v_strategy = 'auto_merge' and (p_ancestor_deleted is null or p_ancestor_deleted) then
          v_strategy := p_merge_fallback; -- nothing to three-way merge against
        end if;
        if v_strategy = 'last_write_wins' then
          -- The later commit on the server wins; the loser (current) stays in history and,
          -- if the workspace says so, as a conflict copy made by the server.
          v_d.outcome := 'applied';
          v_d.version_outcome := 'applied';
          v_d.vector := v_vec;
          v_d.make_current := true;
          v_d.supersedes_current := true;
          v_d.conflict := 'resolved';
          v_d.conflict_copy := coalesce(p_conflict_copies, false);
        else
          -- user_intervention, or auto_merge with an ancestor: keep current, open a conflict.
          v_d.outcome := 'conflict';
          v_d.version_outcome := 'conflict';
          v_d.vector := v_incoming;
          v_d.conflict := 'open';
          v_d.merge_required := v_strategy = 'auto_merge';
        end if;
      end if;
    end if;
  end if;
  v_d.code := case when v_d.outcome = 'rejected' then 'path_case_conflict' end;
  return v_d;
end
$$;
comment on function sandsync.commit_outcome(text, text, boolean, uuid, boolean, text, integer, jsonb, jsonb, boolean, text, integer, boolean, text, integer, boolean) is
  'The decision of a commit for one item (no table access): outcome, the version to write, conflict and copy. public.commit_changes performs it.';
grant execute on function sandsync.commit_outcome(text, text, boolean, uuid, boolean, text, integer, jsonb, jsonb, boolean, text, integer, boolean, text, integer, boolean)
  to authenticated, service_role;

create function sandsync.parse_commit_items(p_items jsonb)
returns sandsync.commit_item[]
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_elem jsonb;
  v_ord bigint;
  v_item sandsync.commit_item;
  v_out sandsync.commit_item[] := '{}';
  v_key text;
  v_problem text;
  v_path text;
begin
  for v_elem, v_ord in select e.value, e.ordinality from jsonb_array_elements(p_items) with ordinality as e loop
    v_path := case when jsonb_typeof(v_elem -> 'path') = 'string' then v_elem ->> 'path' end;
    if jsonb_typeof(v_elem) <> 'object' or v_path is null then
      raise exception 'Cannot commit item %: not an object with a string "path"', v_ord - 1
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
    for v_key in select jsonb_object_keys(v_elem) loop
      if v_key not in ('path', 'deleted', 'sha256', 'size', 'mode', 'mtime', 'base', 'lines_added', 'lines_removed') then
        raise exception 'Cannot commit "%": unknown field "%"', v_path, v_key
          using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
      end if;
    end loop;
    v_problem := sandsync.path_problem(v_path);
    if v_problem is not null then
      raise exception 'Cannot commit "%": invalid path: %', v_path, v_problem
        using errcode = 'SSI02', hint = 'invalid_path', detail = format('item=%s rule=%s', v_ord - 1, v_problem);
    end if;
    v_item.ord := v_ord;
    v_item.path := v_path;
    if coalesce(jsonb_typeof(v_elem -> 'deleted'), 'null') not in ('null', 'boolean') then
      raise exception 'Cannot commit "%": "deleted" must be a boolean', v_path
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
    v_item.deleted := coalesce((v_elem ->> 'deleted')::boolean, false);
    if v_item.deleted then
      if coalesce(jsonb_typeof(v_elem -> 'sha256'), 'null') <> 'null' then
        raise exception 'Cannot commit "%": a delete carries no "sha256"', v_path
          using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
      end if;
      v_item.sha256 := null;
      v_item.size := 0;
    else
      if jsonb_typeof(v_elem -> 'sha256') is distinct from 'string' or (v_elem ->> 'sha256') !~ '^[0-9a-f]{64}$'
        or jsonb_typeof(v_elem -> 'size') is distinct from 'number' or (v_elem ->> 'size') !~ '^[0-9]{1,18}$' then
        raise exception 'Cannot commit "%": needs "sha256" (64 lowercase hex) and an integer "size" >= 0', v_path
          using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
      end if;
      v_item.sha256 := v_elem ->> 'sha256';
      v_item.size := (v_elem ->> 'size')::bigint;
    end if;
    if coalesce(jsonb_typeof(v_elem -> 'mode'), 'null') = 'null' then
      v_item.mode := 420;
    elsif jsonb_typeof(v_elem -> 'mode') = 'number' and (v_elem ->> 'mode') ~ '^[0-9]{1,4}$'
      and (v_elem ->> 'mode')::integer <= 4095 then
      v_item.mode := (v_elem ->> 'mode')::integer;
    else
      raise exception 'Cannot commit "%": "mode" must be an integer 0..4095', v_path
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
    v_item.mtime := null;
    if coalesce(jsonb_typeof(v_elem -> 'mtime'), 'null') <> 'null' then
      begin
        if jsonb_typeof(v_elem -> 'mtime') <> 'string'
          or (v_elem ->> 'mtime') !~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}' then
          raise exception using errcode = '22007';
        end if;
        v_item.mtime := (v_elem ->> 'mtime')::timestamptz;
      exception when others then
        raise exception 'Cannot commit "%": "mtime" must be an ISO 8601 timestamp', v_path
          using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
      end;
    end if;
    v_item.base := coalesce(nullif(v_elem -> 'base', 'null'::jsonb), '{}'::jsonb);
    if not sandsync.vv_is_valid(v_item.base) then
      raise exception 'Cannot commit "%": "base" must be a version vector {replica_uuid: counter}', v_path
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
    if coalesce(jsonb_typeof(v_elem -> 'lines_added'), 'null') not in ('null', 'number')
      or coalesce(jsonb_typeof(v_elem -> 'lines_removed'), 'null') not in ('null', 'number')
      or coalesce(v_elem ->> 'lines_added', '0') !~ '^[0-9]{1,9}$'
      or coalesce(v_elem ->> 'lines_removed', '0') !~ '^[0-9]{1,9}$' then
      raise exception 'Cannot commit "%": "lines_added"/"lines_removed" must be integers >= 0', v_path
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
    v_item.lines_added := (v_elem ->> 'lines_added')::integer;
    v_item.lines_removed := (v_elem ->> 'lines_removed')::integer;
    v_out := v_out || v_item;
  end loop;
  return v_out;
end
$$;
comment on function sandsync.parse_commit_items(jsonb) is
  'Validates a change set''s items (raising SSI01/SSI02 with the item index in DETAIL) and returns them typed.';
grant execute on function sandsync.parse_commit_items(jsonb) to authenticated, service_role;

create function sandsync.case_conflict(p_workspace_id uuid, p_path text)
returns boolean
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return exists (
    select 1 from sandsync.files
    where workspace_id = p_workspace_id and path_folded = lower(p_path) and path <> p_path and not deleted
  );
end
$$;
comment on function sandsync.case_conflict(uuid, text) is
  'True when another live path of the workspace differs from this one only in case.';
grant execute on function sandsync.case_conflict(uuid, text) to authenticated, service_role;

create function sandsync.add_version(
  p_ws sandsync.workspaces,
  p_file_id uuid,
  p_item sandsync.commit_item,
  p_vector jsonb,
  p_replica sandsync.replicas,
  p_change_set_id uuid,
  p_outcome text
)
returns sandsync.versions
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_row sandsync.versions;
begin
  insert into sandsync.versions (
    file_id, workspace_id, owner_id, path, sha256, size, mode, mtime, deleted, vector, replica_id,
    author_kind, committed_by, change_set_id, lines_added, lines_removed, outcome
  ) values (
    p_file_id, p_ws.id, p_ws.owner_id, p_item.path, p_item.sha256, p_item.size, p_item.mode,
    p_item.mtime, p_item.deleted, p_vector, p_replica.id, coalesce(p_replica.kind, 'server'),
    auth.uid(), p_change_set_id, p_item.lines_added, p_item.lines_removed, p_outcome
  )
  returning * into v_row;
  return v_row;
end
$$;
comment on function sandsync.add_version(sandsync.workspaces, uuid, sandsync.commit_item, jsonb, sandsync.replicas, uuid, text) is
  'Appends a version to history (a null replica records a server-made version).';
grant execute on function sandsync.add_version(sandsync.workspaces, uuid, sandsync.commit_item, jsonb, sandsync.replicas, uuid, text)
  to authenticated, service_role;

create function sandsync.make_current(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid)
returns void
language plpgsql
security invoker
set search_path = ''
as $$
begin
  update sandsync.files set
    current_version_id = p_version.id,
    sha256 = p_version.sha256,
    size = p_version.size,
    mode = p_version.mode,
    mtime = p_version.mtime,
    deleted = p_version.deleted,
    vector = p_version.vector,
    replica_id = p_version.replica_id,
    committed_by = p_version.committed_by,
    committed_at = p_version.committed_at,
    seq = p_seq
  where id = p_version.file_id;
  insert into sandsync.changes (
    workspace_id, seq, owner_id, kind, file_id, path, version_id, conflict_id, sha256, size, mode,
    mtime, deleted, vector, replica_id, change_set_id, committed_at
  ) values (
    p_version.workspace_id, p_seq, p_version.owner_id, 'file', p_version.file_id, p_version.path,
    p_version.id, p_conflict_id, p_version.sha256, p_version.size, p_version.mode, p_version.mtime,
    p_version.deleted, p_version.vector, p_version.replica_id, p_version.change_set_id,
    p_version.committed_at
  );
end
$$;
comment on function sandsync.make_current(sandsync.versions, bigint, uuid) is
  'Makes a version the file''s current one and journals it under the given seq.';
grant execute on function sandsync.make_current(sandsync.versions, bigint, uuid) to authenticated, service_role;

create function sandsync.journal_conflict(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid)
returns void
language plpgsql
security invoker
set search_path = ''
as $$
begin
  insert into sandsync.changes (
    workspace_id, seq, owner_id, kind, file_id, path, version_id, conflict_id, sha256, size, mode,
    mtime, deleted, vector, replica_id, change_set_id, committed_at
  ) values (
    p_version.workspace_id, p_seq, p_version.owner_id, 'conflict', p_version.file_id, p_version.path,
    p_version.id, p_conflict_id, p_version.sha256, p_version.size, p_version.mode, p_version.mtime,
    p_version.deleted, p_version.vector, p_version.replica_id, p_version.change_set_id,
    p_version.committed_at
  );
end
$$;
comment on function sandsync.journal_conflict(sandsync.versions, bigint, uuid) is
  'Journals an opened conflict (the incoming side) under the given seq.';
grant execute on function sandsync.journal_conflict(sandsync.versions, bigint, uuid) to authenticated, service_role;

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
  v_case_clash boolean;
  v_d sandsync.commit_decision;
  v_ver sandsync.versions;
  v_copy sandsync.versions;
  v_copy_file uuid;
  v_copy_path text;
  v_conflict uuid;
  v_superseded uuid;
  v_results jsonb[] := '{}';
  v_result jsonb;
  v_bad record;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' or jsonb_array_length(p_items) not between 1 and 10000 then
    raise exception 'Cannot commit: items must be an array of 1 to 10000 changes'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  if p_idempotency_key is null or length(p_idempotency_key) not between 1 and 200 then
    raise exception 'Cannot commit: an idempotency key of 1 to 200 characters is required'
      using errcode = 'SSI01', hint = 'validation_failed';
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
        using errcode = 'SSC02', hint = 'idempotency_conflict';
    end if;
    return v_prior.result || jsonb_build_object('replayed', true);
  end if;

  v_items := sandsync.parse_commit_items(p_items);
  select i.path into v_bad from unnest(v_items) as i group by i.path having count(*) > 1 limit 1;
  if found then
    raise exception 'Cannot commit: path "%" appears twice in one change set', v_bad.path
      using errcode = 'SSI03', hint = 'validation_failed';
  end if;
  select i.ord, i.path, i.sha256, i.size into v_bad from unnest(v_items) as i
  where not i.deleted and not exists (
    select 1 from sandsync.blobs as b
    where b.owner_id = v_ws.owner_id and b.sha256 = i.sha256 and b.state = 'stored' and b.size = i.size
  )
  order by i.ord limit 1;
  if found then
    raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
      using errcode = 'SSN04', hint = 'blob_missing', detail = format('item=%s', v_bad.ord - 1);
  end if;

  insert into sandsync.change_sets (workspace_id, owner_id, replica_id, idempotency_key, items_hash, item_count, committed_by)
  values (p_workspace_id, v_ws.owner_id, p_replica_id, p_idempotency_key, v_hash, cardinality(v_items), auth.uid())
  returning id into v_cs;
  v_seq := v_ws.last_seq;

  -- Deletes first, so a case-only rename (delete "A", create "a") passes the case check.
  for v_it in select * from unnest(v_items) as i order by i.deleted desc, i.path loop
    v_ver := null;
    v_conflict := null;
    v_copy_path := null;
    v_anc_id := null;
    v_anc_sha := null;
    v_anc_deleted := null;
    v_anc_mode := null;
    v_case_clash := false;

    select * into v_file from sandsync.files
    where workspace_id = p_workspace_id and path = v_it.path for update;

    -- The facts sandsync.commit_outcome decides on, read only where they can matter: the
    -- ancestor (the newest version of the path at the committer's base) for a base concurrent
    -- with the current vector, a case clash for a live change over an absent or deleted path.
    if v_file.id is not null and sandsync.vv_compare(v_it.base, v_file.vector) not in ('equal', 'after') then
      select v.id, v.sha256, v.deleted, v.mode into v_anc_id, v_anc_sha, v_anc_deleted, v_anc_mode
      from sandsync.versions as v
      where v.file_id = v_file.id and v.vector = v_it.base
      order by v.committed_at desc limit 1;
    end if;
    if not v_it.deleted and (v_file.id is null or v_file.deleted) then
      v_case_clash := sandsync.case_conflict(p_workspace_id, v_it.path);
    end if;

    v_d := sandsync.commit_outcome(v_ws.strategy, v_ws.merge_fallback, v_ws.conflict_copies,
      p_replica_id, v_it.deleted, v_it.sha256, v_it.mode, v_it.base,
      v_file.vector, v_file.deleted, v_file.sha256, v_file.mode,
      v_anc_deleted, v_anc_sha, v_anc_mode, v_case_clash);
    v_superseded := case when v_d.supersedes_current then v_file.current_version_id end;

    -- The effects of the decision, in this order: the new path's row, the version, then the
    -- conflict (with its copy) or the journal entry that makes the version current.
    if v_d.version_outcome is not null then
      if v_file.id is null then
        insert into sandsync.files (workspace_id, owner_id, path, sha256, size, mode, mtime, deleted, vector)
        values (p_workspace_id, v_ws.owner_id, v_it.path, v_it.sha256, v_it.size, v_it.mode, v_it.mtime, false, v_d.vector)
        returning * into v_file;
      end if;
      v_ver := sandsync.add_version(v_ws, v_file.id, v_it, v_d.vector, v_replica, v_cs, v_d.version_outcome);
    end if;
    if v_d.conflict = 'resolved' then
      if v_d.conflict_copy then
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
    elsif v_d.conflict = 'open' then
      insert into sandsync.conflicts (workspace_id, owner_id, file_id, path, current_version_id, incoming_version_id,
        ancestor_version_id, strategy, merge_required)
      values (p_workspace_id, v_ws.owner_id, v_file.id, v_it.path, v_file.current_version_id, v_ver.id,
        v_anc_id, v_ws.strategy, v_d.merge_required)
      returning id into v_conflict;
      v_seq := v_seq + 1;
      perform sandsync.journal_conflict(v_ver, v_seq, v_conflict);
    elsif v_d.make_current then
      v_seq := v_seq + 1;
      perform sandsync.make_current(v_ver, v_seq, null);
    end if;

    select f.current_version_id, f.vector into v_file.current_version_id, v_file.vector
    from sandsync.files as f where f.workspace_id = p_workspace_id and f.path = v_it.path;
    v_results := v_results || jsonb_strip_nulls(jsonb_build_object(
      'index', v_it.ord - 1,
      'path', v_it.path,
      'outcome', v_d.outcome,
      'code', v_d.code,
      'version_id', coalesce(v_ver.id, case when v_d.outcome = 'merged' then v_file.current_version_id end),
      'current_version_id', v_file.current_version_id,
      'vector', case when v_file.current_version_id is not null then v_file.vector end,
      'conflict_id', v_conflict,
      'ancestor_version_id', case when v_d.report_ancestor then v_anc_id end,
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
grant execute on function public.commit_changes(uuid, uuid, text, jsonb) to authenticated, service_role;
