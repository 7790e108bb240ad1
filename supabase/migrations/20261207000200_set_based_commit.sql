-- Sandsync sync core: the commit performs a batch in a few set-based statements.
--
-- Purpose: public.commit_changes performed a batch item by item (a dozen statements per item:
-- lock, facts, version, file, journal): 0.7 s for 1,000 files, and slower with every batch into
-- the same workspace. It now performs an ordinary batch in a few set-based statements and
-- answers exactly as before: same outcomes, versions, conflicts, journal seqs, result, errors.
-- Algorithm of sandsync.commit_changes_set (public.commit_changes keeps the workspace lock, the
-- idempotency key, the validation and the bookkeeping, see 20261206000800_commit.sql):
--   1. one query gathers every item's facts, locking the path's existing `files` row as the loop
--      did (the current row; the ancestor, only where the base is concurrent with or behind the
--      current vector; a case clash, only consulted for a live change over an absent or deleted
--      path), decides each item with sandsync.commit_outcome (still the one home of the per-item
--      rule) and numbers the journaled effects in the loop's order (deletes first, then by path;
--      each version made current and each opened conflict takes the next seq);
--   2. one statement of data-modifying CTEs performs the effects: versions (inserted in that
--      order, so `committed_at` still grows with the seq, as restore points by time expect), new
--      files (inserted already current), existing files made current, conflicts (open, or
--      resolved by last_write_wins) and journal entries. Foreign keys and the versions
--      statement trigger (stored, readable blobs) check the whole set at the end of it; the
--      row triggers (protected paths, vector keys) run per row as before; no trigger touches
--      the quota (it counts Storage objects, not files or versions);
--   3. one aggregate builds the answer.
-- Why the facts of one item cannot depend on another: paths are unique in a batch and the set
-- path takes no batch where two differ only in case, so an item's row, its history and the live
-- paths sharing its folded path are untouched by the other items (the loop's order mattered
-- only for those).
-- Why a row path remains (sandsync.commit_changes_rows, the former loop, unchanged): it answers
--   - a batch with a case-only pair ("A" deleted, "a" created: the loop deletes first, and the
--     second item's case check sees the first one's effect);
--   - a batch in which a last_write_wins loser is kept as a conflict copy (a new path named
--     after the loser, whose placement depends on the live paths and the copies made so far);
--   - any batch the set path raises an error for: commit_changes calls the set path in a
--     subtransaction and, on error, runs the loop instead, so an error (a protected path, a
--     vector naming a stranger replica, a blob the workspace cannot read) names the same item
--     with the same message as before, whichever row of a set statement met it first;
--   - a single item: the set path plans its two statements on every call (below), about 0.3 ms
--     more than the loop's cached plans for one item; from two items on it is faster.
-- Why the set path's statements are SQL functions (sandsync.commit_facts, commit_effects):
-- PostgreSQL plans a SQL function's statements on each call, with its arguments as parameters,
-- so each batch gets a plan made for the tables as they are, and `workspace_id = $1` is
-- estimated from the number of workspaces. A cached plan made while the tables were nearly
-- empty, or a plan for the constant id of a workspace newer than the last ANALYZE (estimated
-- at one row), took a scan of the whole workspace for as cheap as a unique-key probe: so the
-- loop's case check scanned the workspace once per item, and each batch into it was slower
-- than the last (1.0, 1.5, 2.0, 2.6, 3.6 s until autovacuum analyzed the tables). The set
-- path's lookups are also lateral subqueries with a limit, so they stay probes. (The loop keeps
-- its cached plans: it now takes only the rare batches above.)
-- Why versions_workspace_id_idx becomes (workspace_id, id): every version and file written runs
-- a foreign-key check that finds a version or file by (id, workspace_id), with a plan cached
-- for the session. Made while `versions` was nearly empty, that plan chose the one-column
-- workspace_id index (the smallest), a scan of the workspace per check. With id in the index,
-- whichever index the plan takes, the check is a probe. (`files` has no one-column workspace
-- index; its larger (workspace_id, path) key loses to (id, workspace_id).)
-- Objects: type sandsync.commit_step; functions sandsync.commit_facts, commit_effects,
-- commit_changes_set, commit_changes_rows; index versions_workspace_id_id_idx (replaces
-- versions_workspace_id_idx); replaced: public.commit_changes, sandsync.parse_commit_items (the
-- unknown-field check), sandsync.vv_is_valid (PL/pgSQL, below).
-- Why vv_is_valid becomes PL/pgSQL: it runs once per item, and as a SQL function with
-- `set search_path` it was planned again on every call (15 us, 15 ms of a 1,000-file batch).

-- Foreign-key checks find a version by (id, workspace_id); a workspace-led index of its own let
-- a plan made while the table was nearly empty check by a scan of the whole workspace (see the
-- header). Led by workspace_id it still serves what the old index did; with id it is a probe.
create index if not exists versions_workspace_id_id_idx on sandsync.versions (workspace_id, id);
drop index sandsync.versions_workspace_id_idx;

create type sandsync.commit_step as (
  item sandsync.commit_item,
  file_id uuid,
  file_exists boolean,
  current_version_id uuid,
  current_vector jsonb,
  ancestor_version_id uuid,
  decision sandsync.commit_decision,
  version_id uuid,
  conflict_id uuid,
  seq bigint
);
comment on type sandsync.commit_step is
  'One item of a batch in sandsync.commit_changes_set: its facts, the decision, and the ids and journal seq of what it writes.';

create or replace function sandsync.vv_is_valid(p_vector jsonb)
returns boolean
language plpgsql
immutable
parallel safe
security invoker
set search_path = ''
as $$
begin
  if p_vector = '{}'::jsonb then
    return true; -- the base of every new path
  end if;
  return jsonb_typeof(p_vector) = 'object'
    and (select count(*) from jsonb_object_keys(p_vector)) <= 256
    and not exists (
      select 1 from jsonb_each(p_vector) as e(key, value)
      where jsonb_typeof(e.value) <> 'number'
        or (e.value #>> '{}') !~ '^[0-9]{1,16}$'
        or (e.value #>> '{}')::bigint > 4503599627370495
        or e.key !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    );
end
$$;

-- The item validation of 20261206000800_commit.sql, unchanged but for the unknown-field check:
-- one jsonb expression per item instead of a query over its keys (same first unknown key).
create or replace function sandsync.parse_commit_items(p_items jsonb)
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
    -- The first unknown key in jsonb_object_keys order (removing keys keeps the others' order);
    -- a query only when there is one.
    if v_elem - '{path,deleted,sha256,size,mode,mtime,base,lines_added,lines_removed}'::text[] <> '{}'::jsonb then
      v_key := (select k from jsonb_object_keys(v_elem
        - '{path,deleted,sha256,size,mode,mtime,base,lines_added,lines_removed}'::text[]) as k limit 1);
      raise exception 'Cannot commit "%": unknown field "%"', v_path, v_key
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
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
    v_out := v_out || v_item; -- in place (PL/pgSQL expands the array once): linear
  end loop;
  return v_out;
end
$$;

-- The per-item loop of public.commit_changes as it was (20261206000800_commit.sql), moved here
-- unchanged but for its inputs: the locked workspace row, the replica, the change set and the
-- validated items. Answers the last seq it allocated and the items of the result.
create function sandsync.commit_changes_rows(
  p_ws sandsync.workspaces,
  p_replica sandsync.replicas,
  p_change_set_id uuid,
  p_items sandsync.commit_item[],
  out o_cursor bigint,
  out o_items jsonb
)
language plpgsql
security invoker
set search_path = ''
as $$
declare
  -- The names the loop's body used in commit_changes, so the body below is the same text.
  p_workspace_id uuid := p_ws.id;
  p_replica_id uuid := p_replica.id;
  v_ws sandsync.workspaces := p_ws;
  v_replica sandsync.replicas := p_replica;
  v_cs uuid := p_change_set_id;
  v_it sandsync.commit_item;
  v_seq bigint := p_ws.last_seq;
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
begin
  -- Deletes first, so a case-only rename (delete "A", create "a") passes the case check.
  for v_it in select * from unnest(p_items) as i order by i.deleted desc, i.path loop
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
    -- An in-place append (PL/pgSQL expands the array once): linear in the batch size.
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

  o_cursor := v_seq;
  o_items := (select jsonb_agg(r order by (r ->> 'index')::integer) from unnest(v_results) as r);
end
$$;
comment on function sandsync.commit_changes_rows(sandsync.workspaces, sandsync.replicas, uuid, sandsync.commit_item[]) is
  'public.commit_changes item by item (deletes first, then by path): any batch, including case-only renames and conflict copies. Returns the last seq and the result items.';
grant execute on function sandsync.commit_changes_rows(sandsync.workspaces, sandsync.replicas, uuid, sandsync.commit_item[])
  to authenticated, service_role;

-- Step 1 of the set path: every item's facts and decision, in the loop's order (deletes first,
-- then by path), with the ids of what it writes and the journal seqs.
create function sandsync.commit_facts(
  p_ws sandsync.workspaces,
  p_replica sandsync.replicas,
  p_items sandsync.commit_item[]
)
returns sandsync.commit_step[]
language sql
volatile
security invoker
set search_path = ''
as $$
  with fact as (
    select i as item,
      case when f.id is not null then f.id when d.version_outcome is not null then gen_random_uuid() end as file_id,
      f.id is not null as file_exists,
      f.current_version_id,
      f.vector as current_vector,
      a.id as ancestor_version_id,
      d as decision,
      case when d.version_outcome is not null then gen_random_uuid() end as version_id,
      case when d.conflict is not null then gen_random_uuid() end as conflict_id,
      d.make_current or d.conflict = 'open' as journaled
    from unnest(p_items) as i
    -- The path's row, locked as the loop locks it (the workspace lock already serialises every
    -- writer of these rows, so the order of the row locks does not matter). Both lookups are
    -- lateral with a limit, so they stay probes by a unique key, whatever the statistics say.
    left join lateral (
      select f.id, f.current_version_id, f.vector, f.deleted, f.sha256, f.mode
      from sandsync.files as f
      where f.workspace_id = (p_ws).id and f.path = i.path
      limit 1
      for update
    ) as f on true
    -- A live path differing only in case (at most one: files_live_path_folded_idx).
    left join lateral (
      select c.id from sandsync.files as c
      where c.workspace_id = (p_ws).id and c.path_folded = lower(i.path) and c.path <> i.path
        and not c.deleted
      limit 1
    ) as c on true
    left join lateral (
      select v.id, v.sha256, v.deleted, v.mode
      from sandsync.versions as v
      where f.id is not null and sandsync.vv_compare(i.base, f.vector) not in ('equal', 'after')
        and v.file_id = f.id and v.vector = i.base
      order by v.committed_at desc limit 1
    ) as a on true
    cross join lateral sandsync.commit_outcome((p_ws).strategy, (p_ws).merge_fallback, (p_ws).conflict_copies,
      (p_replica).id, i.deleted, i.sha256, i.mode, i.base,
      f.vector, f.deleted, f.sha256, f.mode,
      a.deleted, a.sha256, a.mode,
      case when not i.deleted and (f.id is null or f.deleted) then c.id is not null else false end) as d
  ),
  numbered as (
    select x.*, case when x.journaled then (p_ws).last_seq + count(*) filter (where x.journaled)
      over (order by (x.item).deleted desc, (x.item).path) end as seq
    from fact as x
  )
  select array_agg(row(s.item, s.file_id, s.file_exists, s.current_version_id, s.current_vector,
      s.ancestor_version_id, s.decision, s.version_id, s.conflict_id, s.seq
    )::sandsync.commit_step order by (s.item).deleted desc, (s.item).path)
  from numbered as s
$$;
comment on function sandsync.commit_facts(sandsync.workspaces, sandsync.replicas, sandsync.commit_item[]) is
  'Step 1 of sandsync.commit_changes_set: locks the batch''s file rows and answers each item''s facts, decision, new ids and journal seq, in the loop''s order.';
grant execute on function sandsync.commit_facts(sandsync.workspaces, sandsync.replicas, sandsync.commit_item[])
  to authenticated, service_role;

-- Step 2 of the set path: what the steps say, in one statement. Versions first, in the loop's
-- order (their clock_timestamp() committed_at grows with the seq, as restore points by time
-- expect); the other parts take the version fields from its RETURNING rows, as
-- sandsync.make_current copies them. New files are inserted already current.
create function sandsync.commit_effects(
  p_ws sandsync.workspaces,
  p_replica sandsync.replicas,
  p_change_set_id uuid,
  p_steps sandsync.commit_step[]
)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  with step as (
    select * from unnest(p_steps) as s
  ),
  ver as (
    insert into sandsync.versions as v (id, file_id, workspace_id, owner_id, path, sha256, size, mode, mtime,
      deleted, vector, replica_id, author_kind, committed_by, change_set_id, lines_added, lines_removed, outcome)
    select s.version_id, s.file_id, (p_ws).id, (p_ws).owner_id, (s.item).path, (s.item).sha256, (s.item).size,
      (s.item).mode, (s.item).mtime, (s.item).deleted, (s.decision).vector, (p_replica).id,
      coalesce((p_replica).kind, 'server'), auth.uid(), p_change_set_id, (s.item).lines_added,
      (s.item).lines_removed, (s.decision).version_outcome
    from step as s
    where s.version_id is not null
    returning v.*
  ),
  made_current as (
    select s.file_exists, s.seq, v.*
    from step as s
    join ver as v on v.id = s.version_id
    where (s.decision).make_current
  ),
  new_file as (
    insert into sandsync.files (id, workspace_id, owner_id, path, current_version_id, sha256, size, mode, mtime,
      deleted, vector, replica_id, committed_by, committed_at, seq)
    select m.file_id, m.workspace_id, m.owner_id, m.path, m.id, m.sha256, m.size, m.mode, m.mtime,
      m.deleted, m.vector, m.replica_id, m.committed_by, m.committed_at, m.seq
    from made_current as m
    where not m.file_exists
  ),
  current_file as (
    update sandsync.files as f set
      current_version_id = m.id,
      sha256 = m.sha256,
      size = m.size,
      mode = m.mode,
      mtime = m.mtime,
      deleted = m.deleted,
      vector = m.vector,
      replica_id = m.replica_id,
      committed_by = m.committed_by,
      committed_at = m.committed_at,
      seq = m.seq
    from made_current as m
    where m.file_exists and f.id = m.file_id
  ),
  conflict as (
    insert into sandsync.conflicts (id, workspace_id, owner_id, file_id, path, current_version_id,
      incoming_version_id, ancestor_version_id, strategy, merge_required, status, resolution,
      resolved_version_id, resolved_at)
    select s.conflict_id, (p_ws).id, (p_ws).owner_id, s.file_id, (s.item).path, s.current_version_id,
      s.version_id, s.ancestor_version_id, (p_ws).strategy, (s.decision).merge_required,
      (s.decision).conflict, case when (s.decision).conflict = 'resolved' then 'last_write_wins' end,
      case when (s.decision).conflict = 'resolved' then s.version_id end,
      case when (s.decision).conflict = 'resolved' then now() end
    from step as s
    where s.conflict_id is not null
  )
  insert into sandsync.changes (workspace_id, seq, owner_id, kind, file_id, path, version_id, conflict_id,
    sha256, size, mode, mtime, deleted, vector, replica_id, change_set_id, committed_at)
  select v.workspace_id, s.seq, v.owner_id, case when (s.decision).make_current then 'file' else 'conflict' end,
    v.file_id, v.path, v.id, s.conflict_id, v.sha256, v.size, v.mode, v.mtime, v.deleted, v.vector,
    v.replica_id, v.change_set_id, v.committed_at
  from step as s
  join ver as v on v.id = s.version_id
  where s.seq is not null;
$$;
comment on function sandsync.commit_effects(sandsync.workspaces, sandsync.replicas, uuid, sandsync.commit_step[]) is
  'Step 2 of sandsync.commit_changes_set: writes the versions, files, conflicts and journal entries the steps say, in one statement.';
grant execute on function sandsync.commit_effects(sandsync.workspaces, sandsync.replicas, uuid, sandsync.commit_step[])
  to authenticated, service_role;

-- The set-based commit of a batch (see the header). Answers as sandsync.commit_changes_rows
-- would on the same state, or declines (o_items null, nothing written) a batch only the row
-- path can do: a case-only pair, or a conflict copy to make.
create function sandsync.commit_changes_set(
  p_ws sandsync.workspaces,
  p_replica sandsync.replicas,
  p_change_set_id uuid,
  p_items sandsync.commit_item[],
  out o_cursor bigint,
  out o_items jsonb
)
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_steps sandsync.commit_step[];
begin
  if exists (select 1 from unnest(p_items) as i group by lower(i.path) having count(*) > 1) then
    return;
  end if;

  v_steps := sandsync.commit_facts(p_ws, p_replica, p_items);

  if exists (select 1 from unnest(v_steps) as s where (s.decision).conflict_copy) then
    return;
  end if;

  perform sandsync.commit_effects(p_ws, p_replica, p_change_set_id, v_steps);

  -- The answer, as the loop builds it from the path's row after the item's effects.
  select coalesce(max(s.seq), p_ws.last_seq),
    jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
      'index', (s.item).ord - 1,
      'path', (s.item).path,
      'outcome', (s.decision).outcome,
      'code', (s.decision).code,
      'version_id', coalesce(s.version_id,
        case when (s.decision).outcome = 'merged' then s.current_version_id end),
      'current_version_id', case when (s.decision).make_current then s.version_id else s.current_version_id end,
      'vector', case when (s.decision).make_current then (s.decision).vector
        when s.current_version_id is not null then s.current_vector end,
      'conflict_id', s.conflict_id,
      'ancestor_version_id', case when (s.decision).report_ancestor then s.ancestor_version_id end,
      'superseded_version_id', case when (s.decision).supersedes_current then s.current_version_id end
    )) order by (s.item).ord)
  into o_cursor, o_items
  from unnest(v_steps) as s;
end
$$;
comment on function sandsync.commit_changes_set(sandsync.workspaces, sandsync.replicas, uuid, sandsync.commit_item[]) is
  'public.commit_changes for a batch without case-only pairs or conflict copies, in set-based statements; answers as sandsync.commit_changes_rows would, or declines (o_items null, nothing written).';
grant execute on function sandsync.commit_changes_set(sandsync.workspaces, sandsync.replicas, uuid, sandsync.commit_item[])
  to authenticated, service_role;

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
  v_cs uuid;
  v_seq bigint;
  v_items_result jsonb;
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

  -- The serialisation point (see 20261206000800_commit.sql): held until this transaction ends.
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
  -- A probe per item by primary key (a lateral subquery with limit is never flattened into a
  -- join a plan made with stale statistics could run as a scan of the owner's blobs per item).
  select i.ord, i.path, i.sha256, i.size into v_bad from unnest(v_items) as i
  left join lateral (
    select true as stored from sandsync.blobs as b
    where b.owner_id = v_ws.owner_id and b.sha256 = i.sha256 and b.state = 'stored' and b.size = i.size
    limit 1
  ) as b on true
  where not i.deleted and b.stored is null
  order by i.ord limit 1;
  if found then
    raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
      using errcode = 'SSN04', hint = 'blob_missing', detail = format('item=%s', v_bad.ord - 1);
  end if;

  insert into sandsync.change_sets (workspace_id, owner_id, replica_id, idempotency_key, items_hash, item_count, committed_by)
  values (p_workspace_id, v_ws.owner_id, p_replica_id, p_idempotency_key, v_hash, cardinality(v_items), auth.uid())
  returning id into v_cs;

  -- The set path, or the row path where it declines or meets an error (then the loop's error is
  -- the answer) and for a single item (see the header).
  if cardinality(v_items) > 1 then
    begin
      select s.o_cursor, s.o_items into v_seq, v_items_result
      from sandsync.commit_changes_set(v_ws, v_replica, v_cs, v_items) as s;
    exception when others then
      v_items_result := null;
    end;
  end if;
  if v_items_result is null then
    select r.o_cursor, r.o_items into v_seq, v_items_result
    from sandsync.commit_changes_rows(v_ws, v_replica, v_cs, v_items) as r;
  end if;

  if v_seq > v_ws.last_seq then
    update sandsync.workspaces set last_seq = v_seq where id = p_workspace_id;
  end if;
  update sandsync.replicas set last_seen_at = now() where id = p_replica_id;
  v_result := jsonb_build_object(
    'change_set_id', v_cs,
    'workspace_id', p_workspace_id,
    'replayed', false,
    'cursor', v_seq,
    'items', v_items_result
  );
  update sandsync.change_sets set result = v_result where id = v_cs;
  if v_seq > v_ws.last_seq then
    perform pg_notify('sandsync_changes', json_build_object('workspace_id', p_workspace_id, 'seq', v_seq)::text);
  end if;
  return v_result;
end
$$;
