-- Clients hold only the columns of workspaces and replicas that the security-invoker RPCs update.
--
-- Purpose: `authenticated` kept table-wide UPDATE on workspaces and replicas while the settings
-- and daemon-health columns were being added (see 20261204040300). Those have landed: with the
-- schema ever exposed (or a function bug), a client could rewrite a workspace's owner or id or
-- move a replica to another workspace. The RPCs that run as the caller (update_workspace,
-- commit_changes, resolve_conflict, register_replica, replica_heartbeat, report_replica_health)
-- update only the columns granted below. Row locks (`for update`) need any column's UPDATE,
-- which these grants keep.
-- Objects: privileges of authenticated on sandsync.workspaces and sandsync.replicas.

revoke update on sandsync.workspaces from authenticated;
grant update (name, sandbox_id, strategy, merge_fallback, conflict_copies, retention_versions,
  retention_age, sync_git, last_seq, updated_at) on sandsync.workspaces to authenticated;

revoke update on sandsync.replicas from authenticated;
grant update (kind, name, sandbox_instance, last_cursor, last_seen_at, daemon_state, last_run_at,
  last_success_at, last_error, pending_changes, held_deletes, health_reported_at)
  on sandsync.replicas to authenticated;
