-- Agent process, part 1: the daemon's health on its replica row.
--
-- Purpose: a `sandsync watch` daemon reports, with its heartbeat, what state it is in, when it
-- last ran and last succeeded, its last error, how many local changes wait and how many
-- deletions it holds, so a phone (or any client of the workspace) can see that an agent is
-- stuck and why, without a shell in the sandbox.
-- Objects: columns sandsync.replicas.{daemon_state, last_run_at, last_success_at, last_error,
-- pending_changes, held_deletes, health_reported_at}; RPC public.report_replica_health.
-- Why invoker: the caller updates a replica of its own workspace through the existing RLS
-- policy "Users can update replicas of their workspaces"; nothing wider is needed.

alter table sandsync.replicas
  add column daemon_state text check (daemon_state in ('starting', 'idle', 'running', 'backoff', 'stopping')),
  add column last_run_at timestamptz,
  add column last_success_at timestamptz,
  add column last_error text check (length(last_error) <= 1000),
  add column pending_changes integer check (pending_changes >= 0),
  add column held_deletes integer check (held_deletes >= 0),
  add column health_reported_at timestamptz;

comment on column sandsync.replicas.daemon_state is
  'What the replica''s daemon last reported doing: starting, idle, running, backoff (retrying after a failure) or stopping.';
comment on column sandsync.replicas.last_run_at is 'When the daemon last started a sync run.';
comment on column sandsync.replicas.last_success_at is 'When a sync run of the daemon last succeeded.';
comment on column sandsync.replicas.last_error is 'The last failure of the daemon (null after a success), with its error code.';
comment on column sandsync.replicas.pending_changes is 'Local changes the daemon had not committed yet, when reported.';
comment on column sandsync.replicas.held_deletes is 'Deletions the daemon holds for confirmation (--max-delete).';
comment on column sandsync.replicas.health_reported_at is 'When the daemon last reported its health.';

create function public.report_replica_health(
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
      using errcode = 'SSI01', hint = 'invalid_input';
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
comment on function public.report_replica_health(uuid, uuid, jsonb) is
  'Records a daemon''s health on its replica: {state, lastRunAt, lastSuccessAt, lastError, pending, heldDeletes, cursor}.';
revoke execute on function public.report_replica_health(uuid, uuid, jsonb) from public, anon;
grant execute on function public.report_replica_health(uuid, uuid, jsonb) to authenticated, service_role;
