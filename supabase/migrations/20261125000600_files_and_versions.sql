-- Sandsync sync core, part 6: files (current state per path) and versions (history).
--
-- Purpose: `files` holds one row per workspace and path with the current version's fields
-- denormalised (manifest reads need no join); `versions` keeps every committed version, including
-- losers, conflict sides and tombstones, with the change set, the replica, the author's kind and
-- advisory diff statistics. `change_sets` records each commit batch under its idempotency key
-- with the result, so a retry answers the same without applying twice.
-- Paths must satisfy sandsync.path_problem(); two live paths differing only in case are refused
-- (a unique index backs the commit function's per-item check).
-- Objects: sandsync.change_sets, sandsync.files, sandsync.versions (RLS: owner only).

create table sandsync.change_sets (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  owner_id uuid not null,
  replica_id uuid not null references sandsync.replicas (id) on delete cascade,
  idempotency_key text not null check (length(idempotency_key) between 1 and 200),
  items_hash text not null,
  item_count integer not null,
  result jsonb,
  committed_by uuid,
  created_at timestamptz not null default now(),
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade,
  unique (workspace_id, idempotency_key)
);
create index change_sets_owner_id_idx on sandsync.change_sets (owner_id);
create index change_sets_replica_id_idx on sandsync.change_sets (replica_id);
comment on table sandsync.change_sets is
  'One row per committed batch, keyed by its idempotency key; holds the result a retry gets back.';
comment on column sandsync.change_sets.id is 'Change set id, recorded on every version it created.';
comment on column sandsync.change_sets.workspace_id is 'Workspace committed to.';
comment on column sandsync.change_sets.owner_id is 'Owner of the workspace (denormalised for RLS).';
comment on column sandsync.change_sets.replica_id is 'Committing replica.';
comment on column sandsync.change_sets.idempotency_key is 'Client-chosen key; a retry with the same key and items applies once.';
comment on column sandsync.change_sets.items_hash is 'SHA-256 of the items as sent, to refuse a reused key with other items.';
comment on column sandsync.change_sets.item_count is 'Number of items in the batch.';
comment on column sandsync.change_sets.result is 'The commit result returned to the caller (replayed on retry).';
comment on column sandsync.change_sets.committed_by is 'auth.uid() of the caller (null for the service role).';
comment on column sandsync.change_sets.created_at is 'Commit time.';

alter table sandsync.change_sets enable row level security;
create policy "Users can see change sets of their workspaces" on sandsync.change_sets
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can record change sets in their workspaces" on sandsync.change_sets
  for insert to authenticated with check (owner_id = (select auth.uid()));
create policy "Users can update change sets of their workspaces" on sandsync.change_sets
  for update to authenticated
  using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
grant select, insert, update on sandsync.change_sets to authenticated;
grant all on sandsync.change_sets to service_role;

create table sandsync.files (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  owner_id uuid not null,
  path text not null constraint files_path_valid check (sandsync.path_problem(path) is null),
  current_version_id uuid,
  sha256 text check (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint not null default 0 check (size >= 0),
  mode integer not null default 420 check (mode between 0 and 4095),
  mtime timestamptz,
  deleted boolean not null default false,
  vector jsonb not null default '{}',
  replica_id uuid,
  committed_by uuid,
  committed_at timestamptz not null default now(),
  seq bigint not null default 0,
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade,
  unique (workspace_id, path),
  check (deleted or sha256 is not null)
);
create index files_owner_id_idx on sandsync.files (owner_id);
-- Case-only collisions: no two live paths of a workspace may differ only in case.
create unique index files_live_path_ci_idx on sandsync.files (workspace_id, lower(path)) where not deleted;
comment on table sandsync.files is
  'Current state per workspace and path (the current version denormalised); tombstones keep deleted paths.';
comment on column sandsync.files.id is 'File id, stable across versions of the path.';
comment on column sandsync.files.workspace_id is 'Workspace holding the path.';
comment on column sandsync.files.owner_id is 'Owner of the workspace (denormalised for RLS).';
comment on column sandsync.files.path is 'Relative /-separated NFC path (see sandsync.path_problem).';
comment on column sandsync.files.current_version_id is 'The current version (null only inside the creating transaction).';
comment on column sandsync.files.sha256 is 'Content hash of the current version (null for a tombstone).';
comment on column sandsync.files.size is 'Content length of the current version.';
comment on column sandsync.files.mode is 'Unix mode bits (permissions) of the current version.';
comment on column sandsync.files.mtime is 'Client-reported modification time (recorded, never used for ordering).';
comment on column sandsync.files.deleted is 'Tombstone: the path was deleted.';
comment on column sandsync.files.vector is 'Version vector {replica_id: counter} of the current version.';
comment on column sandsync.files.replica_id is 'Replica that committed the current version.';
comment on column sandsync.files.committed_by is 'User that committed the current version (null for the service role).';
comment on column sandsync.files.committed_at is 'Server time of the commit of the current version.';
comment on column sandsync.files.seq is 'Journal seq of the last change of this path.';

alter table sandsync.files enable row level security;
create policy "Users can see files of their workspaces" on sandsync.files
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can add files to their workspaces" on sandsync.files
  for insert to authenticated with check (owner_id = (select auth.uid()));
create policy "Users can update files of their workspaces" on sandsync.files
  for update to authenticated
  using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
grant select, insert, update on sandsync.files to authenticated;
grant all on sandsync.files to service_role;

create table sandsync.versions (
  id uuid primary key default gen_random_uuid(),
  file_id uuid not null references sandsync.files (id) on delete cascade,
  workspace_id uuid not null,
  owner_id uuid not null,
  path text not null,
  sha256 text,
  size bigint not null default 0 check (size >= 0),
  mode integer not null default 420 check (mode between 0 and 4095),
  mtime timestamptz,
  deleted boolean not null default false,
  vector jsonb not null,
  replica_id uuid,
  author_kind text not null check (author_kind in ('agent', 'mobile', 'bridge', 'cli', 'web', 'server')),
  committed_by uuid,
  committed_at timestamptz not null default clock_timestamp(),
  change_set_id uuid references sandsync.change_sets (id) on delete set null,
  lines_added integer check (lines_added >= 0),
  lines_removed integer check (lines_removed >= 0),
  outcome text not null check (outcome in ('applied', 'merged', 'superseded', 'conflict', 'resolution', 'conflict_copy')),
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade,
  -- A version keeps its bytes alive: a referenced blob cannot be collected.
  foreign key (owner_id, sha256) references sandsync.blobs (owner_id, sha256),
  check (deleted or sha256 is not null)
);
create index versions_file_id_idx on sandsync.versions (file_id, committed_at desc);
create index versions_owner_id_sha256_idx on sandsync.versions (owner_id, sha256);
create index versions_workspace_id_idx on sandsync.versions (workspace_id);
create index versions_change_set_id_idx on sandsync.versions (change_set_id);
comment on table sandsync.versions is
  'Every committed version of every path, winners and losers alike: nothing a replica wrote is lost.';
comment on column sandsync.versions.id is 'Version id: the opaque version_id of the API (ETag, If-Match, history ids).';
comment on column sandsync.versions.file_id is 'The file (path) this is a version of.';
comment on column sandsync.versions.workspace_id is 'Workspace.';
comment on column sandsync.versions.owner_id is 'Owner of the workspace (denormalised for RLS and blob references).';
comment on column sandsync.versions.path is 'Path at commit time.';
comment on column sandsync.versions.sha256 is 'Content hash (null for a tombstone); references sandsync.blobs.';
comment on column sandsync.versions.size is 'Content length.';
comment on column sandsync.versions.mode is 'Unix mode bits.';
comment on column sandsync.versions.mtime is 'Client-reported modification time (not trusted for ordering).';
comment on column sandsync.versions.deleted is 'Tombstone version (a delete).';
comment on column sandsync.versions.vector is 'Version vector {replica_id: counter}.';
comment on column sandsync.versions.replica_id is 'Replica that wrote it.';
comment on column sandsync.versions.author_kind is 'Kind of the writing replica (agent, mobile, bridge, cli, web) or server.';
comment on column sandsync.versions.committed_by is 'User that committed it (null for the service role).';
comment on column sandsync.versions.committed_at is 'Server commit time (orders last-write-wins).';
comment on column sandsync.versions.change_set_id is 'The change set (batch) it arrived in.';
comment on column sandsync.versions.lines_added is 'Lines added against its base, as reported by the client (advisory).';
comment on column sandsync.versions.lines_removed is 'Lines removed against its base, as reported by the client (advisory).';
comment on column sandsync.versions.outcome is
  'How it entered history: applied, merged, superseded (lost), conflict (open side), resolution, conflict_copy.';

alter table sandsync.versions enable row level security;
create policy "Users can see versions in their workspaces" on sandsync.versions
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can add versions to their workspaces" on sandsync.versions
  for insert to authenticated with check (owner_id = (select auth.uid()));
grant select, insert on sandsync.versions to authenticated;
grant all on sandsync.versions to service_role;

alter table sandsync.files
  add constraint files_current_version_id_fkey
  foreign key (current_version_id) references sandsync.versions (id);
create index files_current_version_id_idx on sandsync.files (current_version_id);
