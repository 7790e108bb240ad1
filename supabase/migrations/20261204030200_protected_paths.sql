-- Protected paths (issue 10 §2): `.sandsync/` and `.sandsync-tmp-*` everywhere, `.git/` unless
-- the workspace opted in (`sync_git`).
--
-- Purpose: a replica's own state (`.sandsync/`), its temp files and a repository's `.git/`
-- (config with tokens, executable hooks) must never travel between replicas, whatever an ignore
-- file says. sandsync.protected_path_problem() mirrors shared/protected_paths.ts (both tested
-- against the "protected" cases of shared/testdata/paths.json); a trigger on sandsync.files
-- refuses a live row at such a path, whichever route wrote it (commit, files API, bridge,
-- conflict copy), with the commit function's invalid-path error (SSI02, hint invalid_path, 400).
-- Deleting such a path stays possible (cleaning up what was synced before).
-- Objects: sandsync.protected_path_problem(text, boolean), sandsync.refuse_protected_path(),
-- trigger files_refuse_protected_path.

create function sandsync.protected_path_problem(p_path text, p_sync_git boolean)
returns text
language sql
immutable
parallel safe
security invoker
set search_path = ''
as $$
  select case
    when exists (
      select 1 from unnest(string_to_array(p_path, '/')) as s
      where s = '.sandsync' or starts_with(s, '.sandsync-tmp-')
    ) then 'path_reserved'
    when not coalesce(p_sync_git, false)
      and '.git' = any (string_to_array(p_path, '/')) then 'path_git'
  end
$$;
comment on function sandsync.protected_path_problem(text, boolean) is
  'Null when the path may be synced, else path_reserved (.sandsync/, .sandsync-tmp-*) or path_git (.git/ without sync_git); same as shared/protected_paths.ts.';
grant execute on function sandsync.protected_path_problem(text, boolean) to authenticated, service_role;

-- Security invoker: the writer can read its own workspace's row (RLS), the service role any.
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
