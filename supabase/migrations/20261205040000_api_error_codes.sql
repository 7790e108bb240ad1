-- Purpose: one error vocabulary. The RPCs and triggers raise the API's own error codes
-- (shared/protocol/errors.ts, `ERROR_STATUS`) as HINT, and `sandsync.error_codes` lists exactly
-- those codes with the API's HTTP status, so SQL, the Edge Functions and clients share one list.
-- Objects: table `sandsync.error_codes` (primary key moved from `code` to `sqlstate`, rows
-- rewritten, comments); functions `public.create_workspace`, `public.service_mark_blob_stored`,
-- `sandsync.parse_commit_items`, `public.resolve_conflict`, `public.release_quota`,
-- `public.create_agent_token`, `public.create_checkpoint`, `public.update_workspace`,
-- `sandsync.versions_vector_keys_check`, `public.report_replica_health`, `public.commit_changes`,
-- `public.reserve_quota`, `sandsync.on_sync_object_change`, `sandsync.reserve_for`,
-- `sandsync.versions_need_stored_blobs`, `public.register_replica`, `public.report_replica_state`
-- redefined with their live bodies, only the hint strings changed.
-- Why: the hints had names of their own (`invalid_input`, `duplicate_path`, `not_authenticated`,
-- `blob_not_stored`, `stale_resolution`, `change_set_mismatch`, `invalid_object_key`) and the
-- table statuses of its own (`quota_exceeded` 413, `stale_resolution` 409) while the API sent
-- other codes and statuses (507, 412), renamed through a table in db_errors.ts that nothing
-- checked. Renames: invalid_input and duplicate_path -> validation_failed, not_authenticated ->
-- unauthorized, blob_not_stored -> blob_missing, stale_resolution -> precondition_failed,
-- change_set_mismatch -> idempotency_conflict, invalid_object_key -> forbidden.
-- SQLSTATEs stay as they were (clients and tests assert them): each SQLSTATE means one code, but
-- `validation_failed` has two (SSI01 a malformed argument, SSI03 a path twice in one batch), so
-- a row is keyed by its SQLSTATE. 42501 (insufficient_privilege: RLS, a missing grant, the
-- sync-bucket trigger) is listed as `forbidden`, the code the API gives it when no hint names
-- another (the trigger's over-quota refusal says `quota_exceeded`).
-- `create or replace function` keeps each function's grants, owner and comment.

alter table sandsync.error_codes drop constraint error_codes_pkey;
alter table sandsync.error_codes drop constraint error_codes_sqlstate_key;
alter table sandsync.error_codes add primary key (sqlstate);

delete from sandsync.error_codes;
insert into sandsync.error_codes (code, sqlstate, http_status, description) values
  ('validation_failed', 'SSI01', 400, 'A malformed argument or batch item; nothing was changed.'),
  ('invalid_path', 'SSI02', 400, 'A path breaks the shared path rules; DETAIL names the rule.'),
  ('validation_failed', 'SSI03', 400, 'The same path appears twice in one batch.'),
  ('unauthorized', 'SSA01', 401, 'The RPC needs a user (auth.uid() is null).'),
  ('forbidden', '42501', 403, 'A role lacks the privilege or RLS refuses; the sync-bucket trigger refuses an object key without an owner id.'),
  ('workspace_not_found', 'SSN01', 404, 'No such workspace, or not visible to the caller.'),
  ('replica_not_found', 'SSN02', 404, 'The replica is not registered in this workspace.'),
  ('conflict_not_found', 'SSN03', 404, 'No such conflict, or not visible to the caller.'),
  ('blob_missing', 'SSN04', 409, 'A referenced blob is not verified (state stored) with that size.'),
  ('precondition_failed', 'SSC01', 412, 'The resolution was based on a version that is no longer current.'),
  ('idempotency_conflict', 'SSC02', 409, 'An idempotency key was reused for a different batch.'),
  ('conflict_closed', 'SSC03', 409, 'The conflict is already resolved.'),
  ('quota_exceeded', 'SSQ01', 507, 'A reservation would put the owner over the quota limit.'),
  ('checkpoint_exists', 'SSK01', 409, 'A checkpoint with this name already exists in the workspace.'),
  ('restore_point_not_found', 'SSK02', 404, 'No checkpoint with this name, no version with this id, or an unreadable time.');

comment on table sandsync.error_codes is
  'Closed list of Sandsync SQL errors, one row per SQLSTATE: raised with that SQLSTATE and the API error code as HINT; the API answers with the code and its HTTP status.';
comment on column sandsync.error_codes.code is 'API error code (shared/protocol/errors.ts), also the HINT of the raised error.';
comment on column sandsync.error_codes.sqlstate is 'SQLSTATE the function raises for this code (primary key: one code per SQLSTATE).';
comment on column sandsync.error_codes.http_status is 'The HTTP status the API sends for the code (ERROR_STATUS).';

-- public.create_workspace (live definition from 20261125000400_workspaces_and_replicas.sql): hints only.
create or replace function public.create_workspace(
  p_name text,
  p_strategy text default 'last_write_wins',
  p_sandbox_id text default null,
  p_merge_fallback text default 'user_intervention',
  p_conflict_copies boolean default true
)
returns sandsync.workspaces
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_row sandsync.workspaces;
begin
  if auth.uid() is null then
    raise exception 'Cannot create a workspace: no user' using errcode = 'SSA01', hint = 'unauthorized';
  end if;
  if p_strategy is null or p_strategy not in ('last_write_wins', 'user_intervention', 'auto_merge')
    or p_merge_fallback is null or p_merge_fallback not in ('user_intervention', 'last_write_wins')
    or p_name is null or length(p_name) not between 1 and 200 then
    raise exception 'Cannot create workspace "%": invalid name, strategy or merge fallback', p_name
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  insert into sandsync.workspaces (owner_id, name, sandbox_id, strategy, merge_fallback, conflict_copies)
  values (auth.uid(), p_name, p_sandbox_id, p_strategy, p_merge_fallback, coalesce(p_conflict_copies, true))
  returning * into v_row;
  return v_row;
end
$$;

-- public.service_mark_blob_stored (live definition from 20261125000500_blobs.sql): hints only.
create or replace function public.service_mark_blob_stored(p_owner_id uuid, p_sha256 text, p_size bigint)
returns sandsync.blobs
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_row sandsync.blobs;
begin
  if p_owner_id is null or p_sha256 is null or p_sha256 !~ '^[0-9a-f]{64}$'
    or p_size is null or p_size < 0 then
    raise exception 'Cannot mark blob "%" stored: invalid owner, hash or size', p_sha256
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  insert into sandsync.blobs as b (owner_id, sha256, size, state, stored_at)
  values (p_owner_id, p_sha256, p_size, 'stored', now())
  on conflict (owner_id, sha256) do update
    set state = 'stored', stored_at = coalesce(b.stored_at, now())
    where b.size = excluded.size
  returning * into v_row;
  if v_row.sha256 is null then
    raise exception 'Cannot mark blob "%" stored: size % differs from the recorded size', p_sha256, p_size
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  return v_row;
end
$$;

-- sandsync.parse_commit_items (live definition from 20261125000900_commit_function.sql): hints only.
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

-- public.resolve_conflict (live definition from 20261125001000_conflict_resolution.sql): hints only.
create or replace function public.resolve_conflict(
  p_conflict_id uuid,
  p_replica_id uuid,
  p_choice text,
  p_seen_current_version_id uuid,
  p_merged jsonb default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_ws_id uuid;
  v_ws sandsync.workspaces;
  v_conflict sandsync.conflicts;
  v_replica sandsync.replicas;
  v_file sandsync.files;
  v_incoming sandsync.versions;
  v_item sandsync.commit_item;
  v_ver sandsync.versions;
  v_seq bigint;
begin
  if p_choice is null or p_choice not in ('current', 'incoming', 'merged')
    or (p_choice = 'merged') <> (p_merged is not null) then
    raise exception 'Cannot resolve conflict "%": choice must be current, incoming, or merged with content', p_conflict_id
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  select workspace_id into v_ws_id from sandsync.conflicts where id = p_conflict_id;
  if v_ws_id is null then
    raise exception 'Cannot find conflict "%"', p_conflict_id
      using errcode = 'SSN03', hint = 'conflict_not_found';
  end if;
  -- Same lock order as commit_changes: the workspace row first.
  select * into v_ws from sandsync.workspaces where id = v_ws_id for no key update;
  select * into v_conflict from sandsync.conflicts where id = p_conflict_id for update;
  if v_conflict.status <> 'open' then
    raise exception 'Cannot resolve conflict "%": already resolved', p_conflict_id
      using errcode = 'SSC03', hint = 'conflict_closed';
  end if;
  select * into v_replica from sandsync.replicas where id = p_replica_id and workspace_id = v_ws_id;
  if not found then
    raise exception 'Cannot resolve conflict "%": replica "%" is not registered in its workspace', p_conflict_id, p_replica_id
      using errcode = 'SSN02', hint = 'replica_not_found';
  end if;
  select * into v_file from sandsync.files where id = v_conflict.file_id for update;
  if p_seen_current_version_id is distinct from v_file.current_version_id then
    raise exception 'Cannot resolve conflict "%": "%" changed since version "%"', p_conflict_id, v_file.path, p_seen_current_version_id
      using errcode = 'SSC01', hint = 'precondition_failed',
        detail = format('current_version_id=%s', v_file.current_version_id);
  end if;
  select * into v_incoming from sandsync.versions where id = v_conflict.incoming_version_id;

  v_item.ord := 1;
  v_item.path := v_file.path;
  v_item.base := '{}';
  if p_choice = 'current' then
    v_item.deleted := v_file.deleted;
    v_item.sha256 := v_file.sha256;
    v_item.size := v_file.size;
    v_item.mode := v_file.mode;
    v_item.mtime := v_file.mtime;
  elsif p_choice = 'incoming' then
    v_item.deleted := v_incoming.deleted;
    v_item.sha256 := v_incoming.sha256;
    v_item.size := v_incoming.size;
    v_item.mode := v_incoming.mode;
    v_item.mtime := v_incoming.mtime;
  else
    if jsonb_typeof(p_merged) <> 'object'
      or jsonb_typeof(p_merged -> 'sha256') is distinct from 'string' or (p_merged ->> 'sha256') !~ '^[0-9a-f]{64}$'
      or jsonb_typeof(p_merged -> 'size') is distinct from 'number' or (p_merged ->> 'size') !~ '^[0-9]{1,18}$'
      or coalesce(p_merged ->> 'mode', '0') !~ '^[0-9]{1,4}$' or coalesce((p_merged ->> 'mode')::integer, 0) > 4095 then
      raise exception 'Cannot resolve conflict "%": merged content needs "sha256", "size" and optionally "mode"', p_conflict_id
        using errcode = 'SSI01', hint = 'validation_failed';
    end if;
    v_item.deleted := false;
    v_item.sha256 := p_merged ->> 'sha256';
    v_item.size := (p_merged ->> 'size')::bigint;
    v_item.mode := coalesce((p_merged ->> 'mode')::integer, v_file.mode);
    v_item.mtime := null;
    v_item.lines_added := case when p_merged ->> 'lines_added' ~ '^[0-9]{1,9}$' then (p_merged ->> 'lines_added')::integer end;
    v_item.lines_removed := case when p_merged ->> 'lines_removed' ~ '^[0-9]{1,9}$' then (p_merged ->> 'lines_removed')::integer end;
    if not exists (
      select 1 from sandsync.blobs
      where owner_id = v_ws.owner_id and sha256 = v_item.sha256 and size = v_item.size and state = 'stored'
    ) then
      raise exception 'Cannot resolve conflict "%": blob "%" of size % is not stored', p_conflict_id, v_item.sha256, v_item.size
        using errcode = 'SSN04', hint = 'blob_missing';
    end if;
  end if;

  v_ver := sandsync.add_version(v_ws, v_file.id, v_item,
    sandsync.vv_bump(sandsync.vv_merge(v_file.vector, coalesce(v_incoming.vector, '{}')), p_replica_id),
    v_replica, null, 'resolution');
  v_seq := v_ws.last_seq + 1;
  perform sandsync.make_current(v_ver, v_seq, p_conflict_id);
  update sandsync.workspaces set last_seq = v_seq where id = v_ws_id;
  update sandsync.conflicts set status = 'resolved', resolution = p_choice, resolved_version_id = v_ver.id,
    resolved_by = auth.uid(), resolved_at = now()
  where id = p_conflict_id;
  perform pg_notify('sandsync_changes', json_build_object('workspace_id', v_ws_id, 'seq', v_seq)::text);
  return jsonb_build_object('conflict_id', p_conflict_id, 'version_id', v_ver.id, 'vector', v_ver.vector,
    'seq', v_seq, 'resolution', p_choice);
end
$$;

-- public.release_quota (live definition from 20261125001100_quotas.sql): hints only.
-- why definer: releasing lowers the caller's own reserved counter, which users cannot write.
create or replace function public.release_quota(p_sha256s text[])
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_owner uuid := auth.uid();
  v_released bigint;
begin
  if v_owner is null then
    raise exception 'Cannot release quota: no user' using errcode = 'SSA01', hint = 'unauthorized';
  end if;
  perform 1 from sandsync.quotas where owner_id = v_owner for update;
  with gone as (
    delete from sandsync.reservations where owner_id = v_owner and sha256 = any (p_sha256s) returning size
  )
  select coalesce(sum(size), 0) into v_released from gone;
  update sandsync.quotas set reserved_bytes = reserved_bytes - v_released, updated_at = now()
  where owner_id = v_owner and v_released > 0;
  return v_released;
end
$$;

-- public.create_agent_token (live definition from 20261125010000_agent_tokens.sql): hints only.
create or replace function public.create_agent_token(
  p_workspace_id uuid,
  p_name text,
  p_token_hash text,
  p_token_prefix text,
  p_expires_at timestamptz
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_owner uuid;
  v_row sandsync.agent_tokens;
begin
  select owner_id into v_owner from sandsync.workspaces where id = p_workspace_id;
  if v_owner is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  if p_expires_at is null or p_expires_at <= now() or p_expires_at > now() + interval '366 days' then
    raise exception 'Cannot issue an agent token: expiry must be within a year from now'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  insert into sandsync.agent_tokens (workspace_id, owner_id, name, token_hash, token_prefix, expires_at)
  values (p_workspace_id, v_owner, p_name, p_token_hash, p_token_prefix, p_expires_at)
  returning * into v_row;
  return jsonb_build_object('id', v_row.id, 'workspace_id', v_row.workspace_id, 'name', v_row.name,
    'token_prefix', v_row.token_prefix, 'created_at', v_row.created_at, 'expires_at', v_row.expires_at);
end
$$;

-- public.create_checkpoint (live definition from 20261201000100_checkpoints.sql): hints only.
create or replace function public.create_checkpoint(
  p_workspace_id uuid,
  p_name text,
  p_sandbox_id text default null,
  p_replica_id uuid default null,
  p_seq bigint default null
)
returns sandsync.checkpoints
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_workspace sandsync.workspaces;
  v_row sandsync.checkpoints;
begin
  select * into v_workspace from sandsync.workspaces where id = p_workspace_id;
  if v_workspace.id is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  if p_name is null or length(p_name) not between 1 and 200
    or (p_seq is not null and (p_seq < 0 or p_seq > v_workspace.last_seq)) then
    raise exception 'Cannot record checkpoint "%": invalid name or position', p_name
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  begin
    insert into sandsync.checkpoints (workspace_id, owner_id, name, seq, sandbox_id, replica_id, created_by)
    values (p_workspace_id, v_workspace.owner_id, p_name, coalesce(p_seq, v_workspace.last_seq),
      p_sandbox_id, p_replica_id, auth.uid())
    returning * into v_row;
  exception
    when unique_violation then
      raise exception 'Cannot record checkpoint "%": the name is taken', p_name
        using errcode = 'SSK01', hint = 'checkpoint_exists';
  end;
  return v_row;
end
$$;

-- public.update_workspace (live definition from 20261204030100_workspace_sync_git.sql): hints only.
create or replace function public.update_workspace(
  p_workspace_id uuid,
  p_settings jsonb
)
returns sandsync.workspaces
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_row sandsync.workspaces;
begin
  if jsonb_typeof(p_settings) is distinct from 'object' or exists (
    select 1 from jsonb_object_keys(p_settings) as k
    where k not in ('name', 'sandbox_id', 'strategy', 'merge_fallback', 'conflict_copies',
      'retention_versions', 'retention_age', 'sync_git')
  ) then
    raise exception 'Cannot update workspace "%": unknown setting', p_workspace_id
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  begin
    update sandsync.workspaces set
      name = coalesce(p_settings ->> 'name', name),
      sandbox_id = case when p_settings ? 'sandbox_id' then p_settings ->> 'sandbox_id' else sandbox_id end,
      strategy = coalesce(p_settings ->> 'strategy', strategy),
      merge_fallback = coalesce(p_settings ->> 'merge_fallback', merge_fallback),
      conflict_copies = coalesce((p_settings ->> 'conflict_copies')::boolean, conflict_copies),
      retention_versions = coalesce((p_settings ->> 'retention_versions')::integer, retention_versions),
      retention_age = coalesce((p_settings ->> 'retention_age')::interval, retention_age),
      sync_git = coalesce((p_settings ->> 'sync_git')::boolean, sync_git),
      updated_at = now()
    where id = p_workspace_id
    returning * into v_row;
  exception
    when check_violation or invalid_text_representation or invalid_datetime_format
      or datetime_field_overflow or numeric_value_out_of_range then
      raise exception 'Cannot update workspace "%": invalid setting value', p_workspace_id
        using errcode = 'SSI01', hint = 'validation_failed';
  end;
  if v_row.id is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  return v_row;
end
$$;

-- sandsync.versions_vector_keys_check (live definition from 20261204040000_version_vector_bounds.sql): hints only.
create or replace function sandsync.versions_vector_keys_check()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_stranger text;
begin
  select k into v_stranger
  from jsonb_object_keys(new.vector) as k
  where k <> new.workspace_id::text
    and not exists (
      select 1 from sandsync.replicas as r
      where r.workspace_id = new.workspace_id and r.id::text = k
    )
  limit 1;
  if found then
    raise exception 'Cannot record a version of "%": replica "%" in its vector is not a replica of the workspace', new.path, v_stranger
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  return new;
end
$$;

-- public.report_replica_health (live definition from 20261204050000_replica_daemon_health.sql): hints only.
create or replace function public.report_replica_health(
  p_workspace_id uuid,
  p_replica_id uuid,
  p_health jsonb
)
returns sandsync.replicas
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_row sandsync.replicas;
begin
  if jsonb_typeof(p_health) is distinct from 'object'
    or coalesce(p_health ->> 'state', 'idle') not in ('starting', 'idle', 'running', 'backoff', 'stopping')
    or coalesce(p_health ->> 'pending', '0') !~ '^[0-9]{1,9}$'
    or coalesce(p_health ->> 'heldDeletes', '0') !~ '^[0-9]{1,9}$'
    or coalesce(p_health ->> 'cursor', '0') !~ '^[0-9]{1,18}$'
    or length(p_health ->> 'lastError') > 1000
  then
    raise exception 'Cannot record replica health: expected {state, lastRunAt?, lastSuccessAt?, lastError?, pending?, heldDeletes?, cursor?}'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  update sandsync.replicas set
    daemon_state = p_health ->> 'state',
    last_run_at = (p_health ->> 'lastRunAt')::timestamptz,
    last_success_at = (p_health ->> 'lastSuccessAt')::timestamptz,
    last_error = p_health ->> 'lastError',
    pending_changes = (p_health ->> 'pending')::integer,
    held_deletes = (p_health ->> 'heldDeletes')::integer,
    last_cursor = greatest(last_cursor, coalesce((p_health ->> 'cursor')::bigint, last_cursor)),
    health_reported_at = now(),
    last_seen_at = now()
  where id = p_replica_id and workspace_id = p_workspace_id
  returning * into v_row;
  if v_row.id is null then
    raise exception 'Cannot find replica "%"', p_replica_id
      using errcode = 'SSN02', hint = 'replica_not_found';
  end if;
  return v_row;
end
$$;

-- public.commit_changes (live definition from 20261204070000_commit_vector_dominates_current.sql): hints only.
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

-- public.reserve_quota (live definition from 20261205010000_workspace_scoped_blobs.sql): hints only.
-- why definer: a user reserves for themselves only (auth.uid()), through sandsync.reserve_for,
-- which users cannot call directly; an agent token's workspace scope comes from its claims.
create or replace function public.reserve_quota(p_items jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.uid() is null then
    raise exception 'Cannot reserve quota: no user' using errcode = 'SSA01', hint = 'unauthorized';
  end if;
  return sandsync.reserve_for(auth.uid(), p_items, sandsync.current_workspace_scope());
end
$$;

-- sandsync.on_sync_object_change (live definition from 20261205010000_workspace_scoped_blobs.sql): hints only.
-- why definer: whoever writes an object (the user's RLS-checking insert, the Storage service
-- role) must move that owner's counters, which neither may write directly.
create or replace function sandsync.on_sync_object_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_old_owner uuid;
  v_new_owner uuid;
  v_old_size bigint := 0;
  v_new_size bigint := 0;
  v_delta bigint;
  v_released bigint := 0;
  v_quota sandsync.quotas;
  v_sha256 text;
begin
  if tg_op in ('UPDATE', 'DELETE') and old.bucket_id = 'sandsync' then
    v_old_owner := sandsync.object_owner(old.name);
    v_old_size := coalesce((old.metadata ->> 'size')::bigint, 0);
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.bucket_id = 'sandsync' then
    v_new_owner := sandsync.object_owner(new.name);
    if v_new_owner is null then
      raise exception 'Sandsync: object key must start with an owner id'
        using errcode = '42501', hint = 'forbidden';
    end if;
    v_new_size := coalesce((new.metadata ->> 'size')::bigint, 0);
  end if;

  if v_old_owner is not null and v_old_owner is distinct from v_new_owner then
    update sandsync.quotas set used_bytes = used_bytes - v_old_size, updated_at = now()
    where owner_id = v_old_owner;
  end if;

  if v_new_owner is not null then
    v_delta := v_new_size - case when v_old_owner = v_new_owner then v_old_size else 0 end;
    insert into sandsync.quotas (owner_id) values (v_new_owner) on conflict (owner_id) do nothing;
    perform 1 from sandsync.quotas where owner_id = v_new_owner for update;
    -- The bytes landed: the reservation made for exactly this blob is settled.
    if new.name ~ '^[^/]+/[0-9a-f]{2}/[0-9a-f]{64}$' then
      v_sha256 := split_part(new.name, '/', 3);
    elsif new.name ~ '^[^/]+/staging/[0-9a-f-]{36}/[0-9a-f]{64}$' then
      v_sha256 := split_part(new.name, '/', 4);
    end if;
    if v_sha256 is not null and v_new_size > 0 then
      with gone as (
        delete from sandsync.reservations
        where owner_id = v_new_owner and sha256 = v_sha256
        returning size
      )
      select coalesce(sum(size), 0) into v_released from gone;
    end if;
    update sandsync.quotas set
      used_bytes = used_bytes + v_delta,
      reserved_bytes = reserved_bytes - v_released,
      updated_at = now()
    where owner_id = v_new_owner
    returning * into v_quota;
    if v_delta > 0 and v_quota.used_bytes + v_quota.reserved_bytes > sandsync.effective_limit(v_quota.limit_bytes) then
      raise exception 'Sandsync quota exceeded'
        using errcode = '42501', hint = 'quota_exceeded',
          detail = format('owner=%s size=%s', v_new_owner, v_new_size);
    end if;
  end if;
  return null;
end
$$;

-- sandsync.reserve_for (live definition from 20261205010000_workspace_scoped_blobs.sql): hints only.
-- why definer: reservations change quota counters, which users may read but never write; the
-- function only ever reserves for the owner it is given, and its two callers pass auth.uid()
-- (reserve_quota) or are service-only (service_reserve_quota). Not executable by clients.
create or replace function sandsync.reserve_for(p_owner_id uuid, p_items jsonb, p_scope uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_quota sandsync.quotas;
  v_limit bigint;
  v_ttl interval;
  v_new bigint := 0;
  v_unseen bigint := 0;
  v_item record;
  v_status text;
  v_results jsonb := '[]';
  v_key text;
  v_exists boolean;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' or jsonb_array_length(p_items) > 10000 or exists (
    select 1 from jsonb_array_elements(p_items) as e
    where jsonb_typeof(e) <> 'object' or jsonb_typeof(e -> 'sha256') is distinct from 'string'
      or (e ->> 'sha256') !~ '^[0-9a-f]{64}$'
      or jsonb_typeof(e -> 'size') is distinct from 'number' or (e ->> 'size') !~ '^[0-9]{1,18}$'
  ) then
    raise exception 'Cannot reserve quota: items must be [{sha256, size}] with 64-hex hashes and integer sizes'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  -- A scoped caller is compared only with blobs its workspace can read: for any other, a size
  -- that differs from the stored one would tell that the content exists (its upload is hashed).
  if exists (
    select 1 from jsonb_array_elements(p_items) as e group by e ->> 'sha256'
    having count(distinct e ->> 'size') > 1
  ) or exists (
    select 1 from jsonb_array_elements(p_items) as e
    join sandsync.blobs as b on b.owner_id = p_owner_id and b.sha256 = e ->> 'sha256'
    where b.size <> (e ->> 'size')::bigint
      and (p_scope is null or sandsync.readable_blob(p_scope, p_owner_id, b.sha256))
  ) then
    raise exception 'Cannot reserve quota: one hash announced with two sizes'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;

  insert into sandsync.quotas (owner_id) values (p_owner_id) on conflict (owner_id) do nothing;
  select * into v_quota from sandsync.quotas where owner_id = p_owner_id for update;
  v_limit := sandsync.effective_limit(v_quota.limit_bytes);
  select reservation_ttl into v_ttl from sandsync.settings;

  for v_item in
    select e ->> 'sha256' as sha256, max((e ->> 'size')::bigint) as size
    from jsonb_array_elements(p_items) as e group by e ->> 'sha256' order by 1
  loop
    v_key := p_owner_id::text || '/' || substr(v_item.sha256, 1, 2) || '/' || v_item.sha256;
    v_exists := exists (select 1 from storage.objects where bucket_id = 'sandsync' and name = v_key);
    if p_scope is not null and not sandsync.readable_blob(p_scope, p_owner_id, v_item.sha256) then
      -- Staged: uploaded to a staging key and hashed, whether or not the owner has the bytes;
      -- counted as new in the quota check either way.
      v_status := 'staged';
      if v_exists or exists (select 1 from sandsync.reservations
          where owner_id = p_owner_id and sha256 = v_item.sha256) then
        v_unseen := v_unseen + v_item.size;
      end if;
    elsif v_exists then
      v_status := 'present'; -- the bytes are already in Storage (and counted in used)
    else
      v_status := 'reserved';
    end if;
    if not v_exists then
      if exists (select 1 from sandsync.reservations where owner_id = p_owner_id and sha256 = v_item.sha256) then
        update sandsync.reservations set expires_at = now() + v_ttl
        where owner_id = p_owner_id and sha256 = v_item.sha256;
      else
        insert into sandsync.reservations (owner_id, sha256, size, expires_at)
        values (p_owner_id, v_item.sha256, v_item.size, now() + v_ttl);
        v_new := v_new + v_item.size;
      end if;
    end if;
    insert into sandsync.blobs (owner_id, sha256, size) values (p_owner_id, v_item.sha256, v_item.size)
    on conflict (owner_id, sha256) do nothing;
    v_results := v_results || jsonb_build_object('sha256', v_item.sha256, 'size', v_item.size,
      'status', v_status, 'storage_key', v_key);
  end loop;

  -- The atomic conditional update: refused (no row) when the bytes do not fit. Staged blobs the
  -- owner already has must fit too (their staged upload is counted until the commit).
  update sandsync.quotas set reserved_bytes = reserved_bytes + v_new, updated_at = now()
  where owner_id = p_owner_id and used_bytes + reserved_bytes + v_new + v_unseen <= v_limit
  returning * into v_quota;
  if v_quota.owner_id is null then
    raise exception 'Cannot reserve % bytes: quota exceeded', v_new + v_unseen
      using errcode = 'SSQ01', hint = 'quota_exceeded',
        detail = format('needed=%s limit=%s', v_new + v_unseen, v_limit);
  end if;
  return jsonb_build_object('owner_id', p_owner_id, 'reserved_bytes', v_new, 'used_bytes', v_quota.used_bytes,
    'total_reserved_bytes', v_quota.reserved_bytes, 'limit_bytes', v_limit, 'items', v_results);
end
$$;

-- sandsync.versions_need_stored_blobs (live definition from 20261205010000_workspace_scoped_blobs.sql): hints only.
-- why definer: locking blob rows FOR SHARE needs UPDATE rights on sandsync.blobs, which users
-- do not hold; the function only locks and reads the rows the inserted versions reference.
create or replace function sandsync.versions_need_stored_blobs()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_bad record;
  v_scope uuid := sandsync.current_workspace_scope();
begin
  -- FOR SHARE waits for a collector holding the row (FOR UPDATE) and then reads its new state.
  perform 1 from sandsync.blobs as b
  where (b.owner_id, b.sha256) in (select n.owner_id, n.sha256 from new_versions as n where n.sha256 is not null)
  order by b.owner_id, b.sha256
  for share;
  select n.sha256, n.size, n.path into v_bad
  from new_versions as n
  left join sandsync.blobs as b on b.owner_id = n.owner_id and b.sha256 = n.sha256
  where n.sha256 is not null and b.state is distinct from 'stored'
  limit 1;
  if found then
    raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
      using errcode = 'SSN04', hint = 'blob_missing';
  end if;
  if v_scope is not null then
    select n.sha256, n.size, n.path into v_bad
    from new_versions as n
    where n.sha256 is not null
      and not exists (select 1 from sandsync.blob_grants as g
        where g.workspace_id = n.workspace_id and g.sha256 = n.sha256)
      and not exists (select 1 from sandsync.versions as v
        where v.owner_id = n.owner_id and v.sha256 = n.sha256 and v.workspace_id = n.workspace_id
          and v.id not in (select id from new_versions))
    limit 1;
    if found then
      raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
        using errcode = 'SSN04', hint = 'blob_missing';
    end if;
  end if;
  return null;
end
$$;

-- public.register_replica (live definition from 20261205020000_workspace_scoped_replica_ids.sql): hints only.
create or replace function public.register_replica(
  p_workspace_id uuid,
  p_replica_id uuid,
  p_kind text,
  p_name text default null,
  p_sandbox_instance text default null
)
returns sandsync.replicas
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_owner uuid;
  v_row sandsync.replicas;
begin
  select owner_id into v_owner from sandsync.workspaces where id = p_workspace_id;
  if v_owner is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  if p_replica_id is null or p_kind is null or p_kind not in ('agent', 'mobile', 'bridge', 'cli', 'web') then
    raise exception 'Cannot register replica "%": invalid id or kind "%"', p_replica_id, p_kind
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  insert into sandsync.replicas as r (id, workspace_id, owner_id, kind, name, sandbox_instance)
  values (p_replica_id, p_workspace_id, v_owner, p_kind, p_name, p_sandbox_instance)
  on conflict (workspace_id, id) do update set
    kind = excluded.kind,
    name = coalesce(excluded.name, r.name),
    sandbox_instance = coalesce(excluded.sandbox_instance, r.sandbox_instance),
    last_seen_at = now()
  returning * into v_row;
  return v_row;
end
$$;

-- public.report_replica_state (live definition from 20261205020000_workspace_scoped_replica_ids.sql): hints only.
create or replace function public.report_replica_state(p_workspace_id uuid, p_replica_id uuid, p_entries jsonb)
returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_owner uuid;
  v_count integer;
begin
  select owner_id into v_owner from sandsync.replicas
  where workspace_id = p_workspace_id and id = p_replica_id;
  if v_owner is null then
    raise exception 'Cannot find replica "%"', p_replica_id using errcode = 'SSN02', hint = 'replica_not_found';
  end if;
  if jsonb_typeof(p_entries) is distinct from 'array' or exists (
    select 1 from jsonb_array_elements(p_entries) as e
    where jsonb_typeof(e -> 'path') is distinct from 'string'
      or (not coalesce((e ->> 'deleted')::boolean, false)
        and (jsonb_typeof(e -> 'size') is distinct from 'number' or (e ->> 'size') !~ '^[0-9]{1,18}$'
          or coalesce(e ->> 'sha256', repeat('0', 64)) !~ '^[0-9a-f]{64}$'))
  ) then
    raise exception 'Cannot record replica state: entries must be [{path, size, mtime?, sha256?, deleted?}]'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  delete from sandsync.replica_files as r
  using jsonb_array_elements(p_entries) as e
  where r.workspace_id = p_workspace_id and r.replica_id = p_replica_id and r.path = e ->> 'path'
    and coalesce((e ->> 'deleted')::boolean, false);
  insert into sandsync.replica_files as r (workspace_id, replica_id, path, owner_id, size, mtime, sha256)
  select p_workspace_id, p_replica_id, e ->> 'path', v_owner, (e ->> 'size')::bigint,
    (e ->> 'mtime')::timestamptz, e ->> 'sha256'
  from jsonb_array_elements(p_entries) as e
  where not coalesce((e ->> 'deleted')::boolean, false)
  on conflict (workspace_id, replica_id, path) do update set
    size = excluded.size, mtime = excluded.mtime, sha256 = excluded.sha256, reported_at = now();
  get diagnostics v_count = row_count;
  update sandsync.replicas set last_seen_at = now()
  where workspace_id = p_workspace_id and id = p_replica_id;
  return v_count;
end
$$;
