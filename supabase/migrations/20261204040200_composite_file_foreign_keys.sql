-- Rows that reference a file, version, change set or replica reference it within their workspace.
--
-- Purpose: the foreign keys from versions, conflicts and files to files/versions/change sets, and
-- from change sets to replicas, named the parent by id alone. RLS checks only the new row's own
-- owner_id, so a row of one tenant's workspace could point at another tenant's file (shown: a
-- version attached to another tenant's file, whose history pruning then removed). Each reference
-- is now `(x_id, workspace_id)` against a `unique (id, workspace_id)` of its parent, so a row can
-- only ever point into its own workspace, whoever writes it.
-- Objects: unique (id, workspace_id) on files, versions, change_sets, replicas; the foreign keys
--   versions.file_id, versions.change_set_id, files.current_version_id, conflicts.file_id,
--   conflicts.{current,incoming,ancestor,resolved}_version_id, change_sets.replica_id (replaced).
-- `on delete set null (column)` (PostgreSQL 15) keeps workspace_id when only the id is cleared.

alter table sandsync.files add constraint files_id_workspace_id_key unique (id, workspace_id);
alter table sandsync.versions add constraint versions_id_workspace_id_key unique (id, workspace_id);
alter table sandsync.change_sets add constraint change_sets_id_workspace_id_key unique (id, workspace_id);
alter table sandsync.replicas add constraint replicas_id_workspace_id_key unique (id, workspace_id);

alter table sandsync.versions
  drop constraint versions_file_id_fkey,
  add constraint versions_file_id_fkey foreign key (file_id, workspace_id)
    references sandsync.files (id, workspace_id) on delete cascade,
  drop constraint versions_change_set_id_fkey,
  add constraint versions_change_set_id_fkey foreign key (change_set_id, workspace_id)
    references sandsync.change_sets (id, workspace_id) on delete set null (change_set_id);

alter table sandsync.files
  drop constraint files_current_version_id_fkey,
  add constraint files_current_version_id_fkey foreign key (current_version_id, workspace_id)
    references sandsync.versions (id, workspace_id);

alter table sandsync.conflicts
  drop constraint conflicts_file_id_fkey,
  add constraint conflicts_file_id_fkey foreign key (file_id, workspace_id)
    references sandsync.files (id, workspace_id) on delete cascade,
  drop constraint conflicts_current_version_id_fkey,
  add constraint conflicts_current_version_id_fkey foreign key (current_version_id, workspace_id)
    references sandsync.versions (id, workspace_id) on delete set null (current_version_id),
  drop constraint conflicts_incoming_version_id_fkey,
  add constraint conflicts_incoming_version_id_fkey foreign key (incoming_version_id, workspace_id)
    references sandsync.versions (id, workspace_id) on delete set null (incoming_version_id),
  drop constraint conflicts_ancestor_version_id_fkey,
  add constraint conflicts_ancestor_version_id_fkey foreign key (ancestor_version_id, workspace_id)
    references sandsync.versions (id, workspace_id) on delete set null (ancestor_version_id),
  drop constraint conflicts_resolved_version_id_fkey,
  add constraint conflicts_resolved_version_id_fkey foreign key (resolved_version_id, workspace_id)
    references sandsync.versions (id, workspace_id) on delete set null (resolved_version_id);

alter table sandsync.change_sets
  drop constraint change_sets_replica_id_fkey,
  add constraint change_sets_replica_id_fkey foreign key (replica_id, workspace_id)
    references sandsync.replicas (id, workspace_id) on delete cascade;
