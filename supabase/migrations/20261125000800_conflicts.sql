-- Sandsync sync core, part 8: conflicts.
--
-- Purpose: a conflict records two concurrent versions of one path: `current` (the server's)
-- and `incoming` (the committer's), with the common ancestor when known (for auto_merge), the
-- strategy that produced it and how it ended. user_intervention and auto_merge leave it `open`;
-- last_write_wins records it already `resolved` (for the audit trail).
-- Objects: sandsync.conflicts (RLS: owner only).

create table sandsync.conflicts (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  owner_id uuid not null,
  file_id uuid not null references sandsync.files (id) on delete cascade,
  path text not null,
  -- Set null only when housekeeping prunes the history of a resolved conflict.
  current_version_id uuid references sandsync.versions (id) on delete set null,
  incoming_version_id uuid references sandsync.versions (id) on delete set null,
  ancestor_version_id uuid references sandsync.versions (id) on delete set null,
  strategy text not null check (strategy in ('last_write_wins', 'user_intervention', 'auto_merge')),
  merge_required boolean not null default false,
  status text not null default 'open' check (status in ('open', 'resolved')),
  resolution text check (resolution in ('current', 'incoming', 'merged', 'last_write_wins')),
  resolved_version_id uuid references sandsync.versions (id) on delete set null,
  conflict_copy_path text,
  resolved_by uuid,
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade,
  check ((status = 'open') = (resolution is null))
);
create index conflicts_workspace_open_idx on sandsync.conflicts (workspace_id, created_at) where status = 'open';
create index conflicts_owner_id_idx on sandsync.conflicts (owner_id);
create index conflicts_file_id_idx on sandsync.conflicts (file_id);
create index conflicts_current_version_id_idx on sandsync.conflicts (current_version_id);
create index conflicts_incoming_version_id_idx on sandsync.conflicts (incoming_version_id);
create index conflicts_ancestor_version_id_idx on sandsync.conflicts (ancestor_version_id);
create index conflicts_resolved_version_id_idx on sandsync.conflicts (resolved_version_id);
comment on table sandsync.conflicts is
  'Concurrent versions of one path: current (server) vs incoming (committer), open until resolved.';
comment on column sandsync.conflicts.id is 'Conflict id.';
comment on column sandsync.conflicts.workspace_id is 'Workspace.';
comment on column sandsync.conflicts.owner_id is 'Owner of the workspace (denormalised for RLS).';
comment on column sandsync.conflicts.file_id is 'The file in conflict.';
comment on column sandsync.conflicts.path is 'Its path.';
comment on column sandsync.conflicts.current_version_id is 'The server''s side when the conflict arose.';
comment on column sandsync.conflicts.incoming_version_id is 'The committer''s side (kept in history, not current).';
comment on column sandsync.conflicts.ancestor_version_id is 'Common ancestor (the incoming base) for a three-way merge, when known.';
comment on column sandsync.conflicts.strategy is 'Strategy in force when it arose.';
comment on column sandsync.conflicts.merge_required is 'auto_merge: the caller should three-way merge and resolve with merged content.';
comment on column sandsync.conflicts.status is 'open or resolved.';
comment on column sandsync.conflicts.resolution is 'How it was resolved: current, incoming, merged, or last_write_wins (automatic).';
comment on column sandsync.conflicts.resolved_version_id is 'The version that resolved it (dominates both sides).';
comment on column sandsync.conflicts.conflict_copy_path is 'last_write_wins: path of the conflict copy holding the loser, if made.';
comment on column sandsync.conflicts.resolved_by is 'User that resolved it (null for automatic or service).';
comment on column sandsync.conflicts.created_at is 'When it arose.';
comment on column sandsync.conflicts.resolved_at is 'When it was resolved.';

alter table sandsync.conflicts enable row level security;
create policy "Users can see conflicts in their workspaces" on sandsync.conflicts
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can record conflicts in their workspaces" on sandsync.conflicts
  for insert to authenticated with check (owner_id = (select auth.uid()));
create policy "Users can resolve conflicts in their workspaces" on sandsync.conflicts
  for update to authenticated
  using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
grant select, insert, update on sandsync.conflicts to authenticated;
grant all on sandsync.conflicts to service_role;
