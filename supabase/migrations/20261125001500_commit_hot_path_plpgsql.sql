-- Sandsync sync core, part 15: the commit hot path in PL/pgSQL.
--
-- Purpose: performance, no behaviour change. The helpers commit_changes calls once or more per
-- item were SQL functions; with `set search_path` they cannot be inlined, and a non-inlined SQL
-- function is planned again on every call (about 0.1-0.25 ms each), which made a batch of 1,000
-- files cost seconds. PL/pgSQL caches its plans per session, so the same helpers are rewritten
-- in PL/pgSQL with identical signatures, results and grants (create or replace keeps grants).
-- Vectors also drop zero counters when merged, as shared/version_vector.ts does, so equal
-- vectors compare equal as jsonb.
-- Objects: sandsync.vv_compare, vv_merge, vv_bump, case_conflict, add_version, make_current,
-- journal_conflict (replaced).

create or replace function sandsync.vv_compare(p_a jsonb, p_b jsonb)
returns text
language plpgsql
immutable
parallel safe
security invoker
set search_path = ''
as $$
declare
  v_key text;
  v_value jsonb;
  v_a bigint;
  v_b bigint;
  v_a_behind boolean := false;
  v_a_ahead boolean := false;
begin
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_a, '{}'::jsonb)) as e loop
    v_a := (v_value #>> '{}')::bigint;
    v_b := coalesce((p_b ->> v_key)::bigint, 0);
    if v_a < v_b then
      v_a_behind := true;
    elsif v_a > v_b then
      v_a_ahead := true;
    end if;
  end loop;
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_b, '{}'::jsonb)) as e loop
    if not coalesce(p_a ? v_key, false) and (v_value #>> '{}')::bigint > 0 then
      v_a_behind := true;
    end if;
  end loop;
  return case
    when v_a_behind and v_a_ahead then 'concurrent'
    when v_a_behind then 'before'
    when v_a_ahead then 'after'
    else 'equal'
  end;
end
$$;

create or replace function sandsync.vv_merge(p_a jsonb, p_b jsonb)
returns jsonb
language plpgsql
immutable
parallel safe
security invoker
set search_path = ''
as $$
declare
  v_out jsonb := '{}'::jsonb;
  v_key text;
  v_value jsonb;
  v_counter bigint;
begin
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_a, '{}'::jsonb)) as e loop
    v_counter := greatest((v_value #>> '{}')::bigint, coalesce((p_b ->> v_key)::bigint, 0));
    if v_counter > 0 then
      v_out := v_out || jsonb_build_object(v_key, v_counter);
    end if;
  end loop;
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_b, '{}'::jsonb)) as e loop
    if not coalesce(p_a ? v_key, false) and (v_value #>> '{}')::bigint > 0 then
      v_out := v_out || jsonb_build_object(v_key, (v_value #>> '{}')::bigint);
    end if;
  end loop;
  return v_out;
end
$$;

create or replace function sandsync.vv_bump(p_vector jsonb, p_replica_id uuid)
returns jsonb
language plpgsql
immutable
parallel safe
security invoker
set search_path = ''
as $$
begin
  return coalesce(p_vector, '{}'::jsonb) || jsonb_build_object(
    p_replica_id::text, coalesce((p_vector ->> p_replica_id::text)::bigint, 0) + 1);
end
$$;

create or replace function sandsync.case_conflict(p_workspace_id uuid, p_path text)
returns boolean
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return exists (
    select 1 from sandsync.files
    where workspace_id = p_workspace_id and lower(path) = lower(p_path) and path <> p_path and not deleted
  );
end
$$;

create or replace function sandsync.add_version(
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

create or replace function sandsync.make_current(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid)
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

create or replace function sandsync.journal_conflict(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid)
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
