-- Clients hold only the table privileges the security-invoker RPCs use.
--
-- Purpose: `authenticated` held UPDATE on every column of files, change_sets and conflicts and
-- DELETE on replicas, more than any RPC needs; with the schema ever exposed (or a function bug),
-- a client could rewrite a row's identity columns or drop replicas. The RPCs that run as the
-- caller (commit_changes, resolve_conflict, register_replica, ...) update only the columns
-- granted below and delete no replica (a workspace's replicas go by cascade, which needs no
-- privilege of the caller). A replica id is a version-vector key for as long as its workspace
-- lives (versions_vector_keys_check accepts only keys of existing replicas), so no client deletes
-- one.
-- Objects: privileges of authenticated on sandsync.files, change_sets, conflicts, replicas.
-- Not narrowed here: workspaces and replicas keep table-level UPDATE because parallel work adds
-- settings and heartbeat columns to them that their RPCs update; narrow them once those land.

revoke update on sandsync.files from authenticated;
grant update (current_version_id, sha256, size, mode, mtime, deleted, vector, replica_id,
  committed_by, committed_at, seq) on sandsync.files to authenticated;

revoke update on sandsync.change_sets from authenticated;
grant update (result) on sandsync.change_sets to authenticated;

revoke update on sandsync.conflicts from authenticated;
grant update (status, resolution, resolved_version_id, resolved_by, resolved_at)
  on sandsync.conflicts to authenticated;

revoke delete on sandsync.replicas from authenticated;
