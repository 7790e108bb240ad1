-- Sandsync sync core: the change journal.
--
-- Purpose: every change of a workspace's current state (and every conflict opened) gets a
-- per-workspace sequence number; replicas pull "changes after cursor N"
-- (docs/decisions/0006-change-journal.md).
-- After each commit the RPCs send NOTIFY on channel `sandsync_changes` with payload
-- {"workspace_id": "<uuid>", "seq": <last seq>}.
-- Objects: sandsync.changes (RLS: owner only), RPCs changes_since, workspace_cursor.
-- Why gap-free for readers: seqs are allocated from sandsync.workspaces.last_seq while the
-- commit holds that row's lock until it commits, so seqs become visible in order and a reader at
-- cursor N never later finds a committed change <= N it has not seen. Rows carry the version
-- fields, so a reader needs no join and pruned history does not break the journal.

create table sandsync.changes (
  workspace_id uuid not null,
  seq bigint not null check (seq > 0),
  owner_id uuid not null,
  kind text not null check (kind in ('file', 'conflict')),
  file_id uuid not null,
  path text not null,
  version_id uuid,
  conflict_id uuid,
  sha256 text,
  size bigint not null default 0,
  mode integer not null default 420,
  mtime timestamptz,
  deleted boolean not null default false,
  vector jsonb not null,
  replica_id uuid,
  change_set_id uuid,
  committed_at timestamptz not null default clock_timestamp(),
  primary key (workspace_id, seq),
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade
);
create index changes_owner_id_idx on sandsync.changes (owner_id);
comment on table sandsync.changes is
  'The change journal: per-workspace gap-free seq of every current-state change and opened conflict.';
comment on column sandsync.changes.workspace_id is 'Workspace.';
comment on column sandsync.changes.seq is 'Per-workspace sequence number, allocated under the workspace row lock.';
comment on column sandsync.changes.owner_id is 'Owner of the workspace (denormalised for RLS).';
comment on column sandsync.changes.kind is 'file: the path now has this version; conflict: a conflict was opened on the path.';
comment on column sandsync.changes.file_id is 'The file changed.';
comment on column sandsync.changes.path is 'Its path.';
comment on column sandsync.changes.version_id is 'The version now current (kind file) or the incoming side (kind conflict).';
comment on column sandsync.changes.conflict_id is 'The conflict opened or resolved by this change, if any.';
comment on column sandsync.changes.sha256 is 'Content hash (null for a delete).';
comment on column sandsync.changes.size is 'Content length.';
comment on column sandsync.changes.mode is 'Unix mode bits.';
comment on column sandsync.changes.mtime is 'Client-reported modification time.';
comment on column sandsync.changes.deleted is 'The change is a delete (tombstone).';
comment on column sandsync.changes.vector is 'Version vector of the version.';
comment on column sandsync.changes.replica_id is 'Replica that wrote the change (replicas skip their own echoes).';
comment on column sandsync.changes.change_set_id is 'Change set it belongs to.';
comment on column sandsync.changes.committed_at is 'Server time.';
alter table sandsync.changes enable row level security;
create policy "Users can read the journal of their workspaces" on sandsync.changes
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can append to the journal of their workspaces" on sandsync.changes
  for insert to authenticated with check (owner_id = (select auth.uid()));
grant select, insert on sandsync.changes to authenticated;
grant all on sandsync.changes to service_role;

create function public.changes_since(
  p_workspace_id uuid,
  p_cursor bigint default 0,
  p_limit integer default 1000
)
returns setof sandsync.changes
language sql
stable
security invoker
set search_path = ''
as $$
  select * from sandsync.changes
  where workspace_id = p_workspace_id and seq > coalesce(p_cursor, 0)
  order by seq
  limit greatest(1, least(coalesce(p_limit, 1000), 10000))
$$;
comment on function public.changes_since(uuid, bigint, integer) is
  'Journal entries after the cursor, in seq order, at most p_limit (1..10000). The next cursor is the last seq returned.';
grant execute on function public.changes_since(uuid, bigint, integer) to authenticated, service_role;

create function public.workspace_cursor(p_workspace_id uuid)
returns bigint
language sql
stable
security invoker
set search_path = ''
as $$
  select last_seq from sandsync.workspaces where id = p_workspace_id
$$;
comment on function public.workspace_cursor(uuid) is
  'The last committed seq of the workspace (null if not visible): start a fresh replica here after a manifest read.';
grant execute on function public.workspace_cursor(uuid) to authenticated, service_role;
