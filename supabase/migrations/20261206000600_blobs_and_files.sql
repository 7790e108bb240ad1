-- Sandsync sync core: content-addressed blobs, change sets, files (current state per path) and
-- versions (history), with the triggers that guard them and the read RPCs over them.
--
-- Purpose: file bytes live in the private `sandsync` bucket under `<owner>/<sha[0:2]>/<sha>`
-- (docs/decisions/0002-content-addressed-blobs.md); `blobs` records, per owner and SHA-256,
-- the size, the storage key and the state (`pending` -> `stored`, `collecting` while
-- housekeeping removes the object). Users can only read blob rows: the quota reservation
-- (definer) creates them and the service role marks them `stored` after it verified the bytes,
-- so a client cannot vouch for bytes it never uploaded. `blob_grants` lists the blobs a
-- workspace proved it holds (the server hashed bytes it sent): for a caller confined to a
-- workspace (an agent token), a blob counts only if the workspace can already read it (a version
-- of the workspace holds it, or a grant), so a token learns nothing about, and gains nothing
-- from, bytes outside its workspace.
-- `files` holds one row per workspace and path with the current version's fields denormalised
-- (manifest reads need no join); `versions` keeps every committed version, including losers,
-- conflict sides and tombstones, with the change set, the replica, the agent token, the author's
-- kind and advisory diff statistics. `change_sets` records each commit batch under its
-- idempotency key with the result, so a retry answers the same without applying twice.
-- Paths must satisfy sandsync.path_problem() and, while live, not be protected; two live paths
-- differing only in case are refused (a unique index on the stored `path_folded`, leakproof
-- under RLS where `lower(path)` is not, backs the commit function's per-item check).
-- Objects: sandsync.blobs, sandsync.blob_grants, sandsync.change_sets, sandsync.files,
-- sandsync.versions (RLS: owner only); helper sandsync.readable_blob; triggers
-- blobs_keep_collecting, files_refuse_protected_path, versions_vector_keys_check,
-- versions_need_stored_blobs; RPCs service_mark_blob_stored, service_grant_blobs,
-- workspace_manifest, file_history, get_version.
-- Why composite foreign keys: each reference to a file, version, change set or replica is
-- `(x_id, workspace_id)` against a `unique (id, workspace_id)` of its parent, so a row can only
-- ever point into its own workspace, whoever writes it (RLS checks only the new row's owner_id).
-- `on delete set null (column)` (PostgreSQL 15) keeps workspace_id when only the id is cleared.
-- Why column grants: `authenticated` holds only the columns the security-invoker RPCs update.

create table sandsync.blobs (
  owner_id uuid not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint not null check (size >= 0),
  storage_key text generated always as (
    owner_id::text || '/' || substr(sha256, 1, 2) || '/' || sha256
  ) stored,
  state text not null default 'pending'
    constraint blobs_state_check check (state in ('pending', 'stored', 'collecting')),
  created_at timestamptz not null default now(),
  stored_at timestamptz,
  primary key (owner_id, sha256)
);
comment on table sandsync.blobs is
  'Content-addressed file bytes per owner: size, storage key in the sync bucket, verification state.';
comment on column sandsync.blobs.owner_id is 'Owner whose quota pays for the bytes (first segment of the key).';
comment on column sandsync.blobs.sha256 is 'Lowercase hex SHA-256 of the content.';
comment on column sandsync.blobs.size is 'Content length in bytes.';
comment on column sandsync.blobs.storage_key is 'Object name in the sandsync bucket: <owner>/<sha[0:2]>/<sha>.';
comment on column sandsync.blobs.state is
  'pending until the service verified the stored bytes, then stored; collecting while housekeeping removes the object. Only stored blobs can be committed.';
comment on column sandsync.blobs.created_at is 'When the blob was first announced (reserved).';
comment on column sandsync.blobs.stored_at is 'When the bytes were verified.';
alter table sandsync.blobs enable row level security;
create policy "Users can see their own blobs" on sandsync.blobs
  for select to authenticated using (owner_id = (select auth.uid()));
grant select on sandsync.blobs to authenticated;
grant all on sandsync.blobs to service_role;

create table sandsync.blob_grants (
  workspace_id uuid not null references sandsync.workspaces (id) on delete cascade,
  owner_id uuid not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  granted_at timestamptz not null default now(),
  primary key (workspace_id, sha256)
);
create index blob_grants_owner_id_sha256_idx on sandsync.blob_grants (owner_id, sha256);
comment on table sandsync.blob_grants is
  'Blobs a workspace proved it holds (the server hashed bytes it sent): committable by its agent tokens.';
comment on column sandsync.blob_grants.workspace_id is 'The workspace that sent the bytes.';
comment on column sandsync.blob_grants.owner_id is 'Owner of the workspace and of the blob.';
comment on column sandsync.blob_grants.sha256 is 'The blob.';
comment on column sandsync.blob_grants.granted_at is 'When the server verified the bytes.';
alter table sandsync.blob_grants enable row level security;
create policy "Users can see the grants of their workspaces" on sandsync.blob_grants
  for select to authenticated using (owner_id = (select auth.uid()));
grant select on sandsync.blob_grants to authenticated;
grant select, insert, delete on sandsync.blob_grants to service_role;

create table sandsync.change_sets (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  owner_id uuid not null,
  replica_id uuid not null,
  idempotency_key text not null check (length(idempotency_key) between 1 and 200),
  items_hash text not null,
  item_count integer not null,
  result jsonb,
  committed_by uuid,
  created_at timestamptz not null default now(),
  agent_token_id uuid default sandsync.current_agent_token_id()
    references sandsync.agent_tokens (id) on delete set null,
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade,
  constraint change_sets_replica_id_fkey foreign key (replica_id, workspace_id)
    references sandsync.replicas (id, workspace_id) on delete cascade,
  unique (workspace_id, idempotency_key),
  constraint change_sets_id_workspace_id_key unique (id, workspace_id)
);
create index change_sets_owner_id_idx on sandsync.change_sets (owner_id);
create index change_sets_replica_id_idx on sandsync.change_sets (replica_id);
create index change_sets_agent_token_id_idx on sandsync.change_sets (agent_token_id)
  where agent_token_id is not null;
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
comment on column sandsync.change_sets.agent_token_id is
  'Agent token that committed this batch; null for a user session or the service role.';
alter table sandsync.change_sets enable row level security;
create policy "Users can see change sets of their workspaces" on sandsync.change_sets
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can record change sets in their workspaces" on sandsync.change_sets
  for insert to authenticated with check (owner_id = (select auth.uid()));
create policy "Users can update change sets of their workspaces" on sandsync.change_sets
  for update to authenticated
  using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
grant select, insert on sandsync.change_sets to authenticated;
grant update (result) on sandsync.change_sets to authenticated;
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
  path_folded text generated always as (lower(path)) stored,
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade,
  unique (workspace_id, path),
  constraint files_id_workspace_id_key unique (id, workspace_id),
  check (deleted or sha256 is not null)
);
create index files_owner_id_idx on sandsync.files (owner_id);
-- Case-only collisions: no two live paths of a workspace may differ only in case.
create unique index files_live_path_folded_idx on sandsync.files (workspace_id, path_folded) where not deleted;
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
comment on column sandsync.files.path_folded is
  'lower(path): two live paths of a workspace may not share it (case-only collisions).';
alter table sandsync.files enable row level security;
create policy "Users can see files of their workspaces" on sandsync.files
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can add files to their workspaces" on sandsync.files
  for insert to authenticated with check (owner_id = (select auth.uid()));
create policy "Users can update files of their workspaces" on sandsync.files
  for update to authenticated
  using (owner_id = (select auth.uid())) with check (owner_id = (select auth.uid()));
grant select, insert on sandsync.files to authenticated;
grant update (current_version_id, sha256, size, mode, mtime, deleted, vector, replica_id,
  committed_by, committed_at, seq) on sandsync.files to authenticated;
grant all on sandsync.files to service_role;

create table sandsync.versions (
  id uuid primary key default gen_random_uuid(),
  file_id uuid not null,
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
  change_set_id uuid,
  lines_added integer check (lines_added >= 0),
  lines_removed integer check (lines_removed >= 0),
  outcome text not null check (outcome in ('applied', 'merged', 'superseded', 'conflict', 'resolution', 'conflict_copy')),
  agent_token_id uuid default sandsync.current_agent_token_id()
    references sandsync.agent_tokens (id) on delete set null,
  constraint versions_file_id_fkey foreign key (file_id, workspace_id)
    references sandsync.files (id, workspace_id) on delete cascade,
  constraint versions_change_set_id_fkey foreign key (change_set_id, workspace_id)
    references sandsync.change_sets (id, workspace_id) on delete set null (change_set_id),
  foreign key (workspace_id, owner_id) references sandsync.workspaces (id, owner_id) on delete cascade,
  -- A version keeps its bytes alive: a referenced blob cannot be collected.
  foreign key (owner_id, sha256) references sandsync.blobs (owner_id, sha256),
  constraint versions_id_workspace_id_key unique (id, workspace_id),
  check (deleted or sha256 is not null)
);
create index versions_file_id_idx on sandsync.versions (file_id, committed_at desc);
create index versions_owner_id_sha256_idx on sandsync.versions (owner_id, sha256);
create index versions_workspace_id_idx on sandsync.versions (workspace_id);
create index versions_change_set_id_idx on sandsync.versions (change_set_id);
create index versions_agent_token_id_idx on sandsync.versions (agent_token_id)
  where agent_token_id is not null;
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
comment on column sandsync.versions.agent_token_id is
  'Agent token that wrote this version; null for a user session or the service role.';
alter table sandsync.versions enable row level security;
create policy "Users can see versions in their workspaces" on sandsync.versions
  for select to authenticated using (owner_id = (select auth.uid()));
create policy "Users can add versions to their workspaces" on sandsync.versions
  for insert to authenticated with check (owner_id = (select auth.uid()));
grant select, insert on sandsync.versions to authenticated;
grant all on sandsync.versions to service_role;

-- files and versions reference each other: the current version's key comes once both exist.
alter table sandsync.files
  add constraint files_current_version_id_fkey foreign key (current_version_id, workspace_id)
    references sandsync.versions (id, workspace_id);
create index files_current_version_id_idx on sandsync.files (current_version_id);

-- Helpers and triggers ---------------------------------------------------------------------------

-- Security invoker: called from sandsync.reserve_for (definer) and by the sync function as the
-- service role (the commit's check of staged blobs); clients cannot call it.
create function sandsync.readable_blob(p_workspace_id uuid, p_owner_id uuid, p_sha256 text)
returns boolean
language sql
stable
security invoker
set search_path = ''
as $$
  select exists (
    select 1 from sandsync.versions
    where owner_id = p_owner_id and sha256 = p_sha256 and workspace_id = p_workspace_id
  ) or exists (
    select 1 from sandsync.blob_grants
    where workspace_id = p_workspace_id and sha256 = p_sha256
  )
$$;
comment on function sandsync.readable_blob(uuid, uuid, text) is
  'Whether the workspace can already read the blob: a version of it holds the hash, or it was granted.';
revoke all on function sandsync.readable_blob(uuid, uuid, text) from public;
grant execute on function sandsync.readable_blob(uuid, uuid, text) to service_role;

-- A `collecting` blob is never committable: its object may vanish at any moment, so it cannot be
-- marked `stored` again (a fresh upload after the removal makes it `pending` first).
create function sandsync.keep_collecting()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
begin
  -- Marking a collecting blob stored would let a commit reference bytes about to be removed;
  -- only the object's removal (pending) or the collector may move it on.
  if old.state = 'collecting' and new.state = 'stored' then
    new.state := 'collecting';
    new.stored_at := old.stored_at;
  end if;
  return new;
end
$$;
comment on function sandsync.keep_collecting() is
  'Trigger on blobs: a collecting blob is never marked stored (its object may be removed at any moment).';
create trigger blobs_keep_collecting
  before update of state on sandsync.blobs
  for each row when (old.state = 'collecting')
  execute function sandsync.keep_collecting();

-- Security invoker: the writer can read its own workspace's row (RLS), the service role any.
-- Refuses a live row at a protected path, whichever route wrote it (commit, files API, bridge,
-- conflict copy), with the commit function's invalid-path error; deleting one stays possible.
create function sandsync.refuse_protected_path()
returns trigger
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_problem text;
begin
  -- The common case (no `.sandsync` or `.git` anywhere in the path) costs two strpos calls; the
  -- workspace row is read only for a `.git` segment.
  if new.deleted or (strpos(new.path, '.sandsync') = 0 and strpos(new.path, '.git') = 0) then
    return new;
  end if;
  v_problem := sandsync.protected_path_problem(new.path, true);
  if v_problem is null and sandsync.protected_path_problem(new.path, false) is not null
    and not coalesce((select w.sync_git from sandsync.workspaces as w where w.id = new.workspace_id), false)
  then
    v_problem := 'path_git';
  end if;
  if v_problem is not null then
    raise exception 'Cannot commit "%": protected path: %', new.path, v_problem
      using errcode = 'SSI02', hint = 'invalid_path', detail = format('rule=%s', v_problem);
  end if;
  return new;
end
$$;
comment on function sandsync.refuse_protected_path() is
  'Trigger: refuses a live file row at a protected path (see sandsync.protected_path_problem).';
create trigger files_refuse_protected_path
  before insert or update of path, deleted, sha256 on sandsync.files
  for each row execute function sandsync.refuse_protected_path();

-- Every key of a new version's vector is a replica of the version's workspace, or the workspace
-- id itself (the one key of a conflict copy's vector, see commit_changes).
create function sandsync.versions_vector_keys_check()
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
comment on function sandsync.versions_vector_keys_check() is
  'Trigger: refuses a version whose vector names a replica that is not in its workspace.';
grant execute on function sandsync.versions_vector_keys_check() to authenticated, service_role;
create trigger versions_vector_keys_check
  before insert on sandsync.versions
  for each row execute function sandsync.versions_vector_keys_check();

-- why definer: locking blob rows FOR SHARE needs UPDATE rights on sandsync.blobs, which users
-- do not hold; the function only locks and reads the rows the inserted versions reference.
-- FOR SHARE waits for a collector's FOR UPDATE, so a commit either finishes first and keeps the
-- blob, or sees `collecting` and is refused; a scoped caller's blob must also be readable.
create function sandsync.versions_need_stored_blobs()
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
comment on function sandsync.versions_need_stored_blobs() is
  'Statement trigger on versions: every referenced blob is stored (locked FOR SHARE against a concurrent collector).';
create trigger versions_need_stored_blobs
  after insert on sandsync.versions
  referencing new table as new_versions
  for each statement
  execute function sandsync.versions_need_stored_blobs();

-- RPCs -----------------------------------------------------------------------------------------

create function public.service_mark_blob_stored(p_owner_id uuid, p_sha256 text, p_size bigint)
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
comment on function public.service_mark_blob_stored(uuid, text, bigint) is
  'Service only: records that the bytes of (owner, sha256) were verified in Storage; commits may now reference them.';
grant execute on function public.service_mark_blob_stored(uuid, text, bigint) to service_role;

create function public.service_grant_blobs(p_workspace_id uuid, p_sha256s text[])
returns integer
language sql
security invoker
set search_path = ''
as $$
  with granted as (
    insert into sandsync.blob_grants (workspace_id, owner_id, sha256)
    select w.id, w.owner_id, h.sha256
    from sandsync.workspaces as w, unnest(p_sha256s) as h (sha256)
    where w.id = p_workspace_id and h.sha256 ~ '^[0-9a-f]{64}$'
    on conflict (workspace_id, sha256) do nothing
    returning 1
  )
  select count(*)::integer from granted
$$;
comment on function public.service_grant_blobs(uuid, text[]) is
  'Service only: records that the workspace sent these blobs'' bytes (the server hashed them).';
revoke execute on function public.service_grant_blobs(uuid, text[]) from public;
grant execute on function public.service_grant_blobs(uuid, text[]) to service_role;

-- Reads besides the journal (RLS applies: callers see their own workspaces only): a workspace's
-- current state paged by path (first sync and reconciliation), the history of one path, and one
-- version by id (the API's opaque version_id: ETag, If-Match, history ids).
create function public.workspace_manifest(
  p_workspace_id uuid,
  p_after_path text default null,
  p_limit integer default 1000,
  p_include_deleted boolean default false
)
returns table (
  path text,
  version_id uuid,
  sha256 text,
  size bigint,
  mode integer,
  mtime timestamptz,
  deleted boolean,
  vector jsonb,
  replica_id uuid,
  committed_at timestamptz,
  seq bigint
)
language sql
stable
security invoker
set search_path = ''
as $$
  select f.path, f.current_version_id, f.sha256, f.size, f.mode, f.mtime, f.deleted, f.vector,
    f.replica_id, f.committed_at, f.seq
  from sandsync.files as f
  where f.workspace_id = p_workspace_id
    and (p_after_path is null or f.path > p_after_path)
    and (p_include_deleted or not f.deleted)
    and f.current_version_id is not null
  order by f.path
  limit greatest(1, least(coalesce(p_limit, 1000), 10000))
$$;
comment on function public.workspace_manifest(uuid, text, integer, boolean) is
  'Current state of a workspace in path order, after p_after_path (keyset paging), at most p_limit rows; tombstones on request.';
grant execute on function public.workspace_manifest(uuid, text, integer, boolean) to authenticated, service_role;

create function public.file_history(p_workspace_id uuid, p_path text, p_limit integer default 100)
returns setof sandsync.versions
language sql
stable
security invoker
set search_path = ''
as $$
  select v.* from sandsync.versions as v
  join sandsync.files as f on f.id = v.file_id
  where f.workspace_id = p_workspace_id and f.path = p_path
  order by v.committed_at desc, v.id desc
  limit greatest(1, least(coalesce(p_limit, 100), 10000))
$$;
comment on function public.file_history(uuid, text, integer) is
  'Versions of one path, newest first (winners, losers, conflict sides, tombstones).';
grant execute on function public.file_history(uuid, text, integer) to authenticated, service_role;

create function public.get_version(p_version_id uuid)
returns setof sandsync.versions
language sql
stable
security invoker
set search_path = ''
as $$
  select * from sandsync.versions where id = p_version_id
$$;
comment on function public.get_version(uuid) is 'One version by id (no row when unknown or not visible).';
grant execute on function public.get_version(uuid) to authenticated, service_role;
