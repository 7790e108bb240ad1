-- Sandsync sync core: the path rules in SQL, mirroring shared/paths/.
--
-- Purpose: a path is stored only if the same rules the TypeScript validator applies accept it;
-- both are tested against one table of cases (shared/testdata/paths.json). Non-NFC paths are
-- rejected, not normalised: a sandbox may hold NFC and NFD names as two different files, so
-- silently rewriting one would merge them. A path segment holding a bidi control, a zero-width
-- character or a line/paragraph separator is refused (it displays as another name). Protected
-- paths: a replica's own state (`.sandsync/`), its temp files (`.sandsync-tmp-*`) and a
-- repository's `.git/` (config with tokens, executable hooks; unless the workspace opted in with
-- `sync_git`) must never travel between replicas, whatever an ignore file says.
-- Objects: sandsync.path_problem(text), sandsync.protected_path_problem(text, boolean). The
-- trigger that applies the protected-path rule to sandsync.files lives with that table.
-- Why immutable SQL/PL/pgSQL: the table checks and the commit call them per row; they read no
-- table, so they come first and everything later may use them.

-- The first failing rule names the code, in the same order as the TypeScript validator.
create function sandsync.path_problem(p_path text)
returns text
language plpgsql
immutable
parallel safe
security invoker
set search_path = ''
as $$
declare
  v_segment text;
begin
  -- The order of the checks is part of the contract: the first failing rule names the code.
  if p_path is null or p_path = '' then
    return 'path_empty';
  end if;
  if p_path ~ '[\x01-\x1f\x7f-\x9f]' then
    return 'path_control_char';
  end if;
  -- Bidi controls, zero-width characters, BOM, line/paragraph separators (display spoofing).
  if p_path ~ '[\u200b-\u200d\u2028-\u202e\u2060\u2066-\u2069\ufeff]' then
    return 'path_format_char';
  end if;
  if strpos(p_path, '\') > 0 then
    return 'path_backslash';
  end if;
  if left(p_path, 1) = '/' then
    return 'path_absolute';
  end if;
  if p_path ~ '^[A-Za-z]:' then
    return 'path_drive_letter';
  end if;
  if not (p_path is nfc normalized) then
    return 'path_not_nfc';
  end if;
  if octet_length(p_path) > 1024 then
    return 'path_too_long';
  end if;
  foreach v_segment in array string_to_array(p_path, '/') loop
    if v_segment = '' then
      return 'path_empty_segment';
    end if;
    if v_segment in ('.', '..') then
      return 'path_dot_segment';
    end if;
    if octet_length(v_segment) > 255 then
      return 'path_segment_too_long';
    end if;
  end loop;
  return null;
end
$$;
comment on function sandsync.path_problem(text) is
  'Null when the path is valid, else the code of the first rule it breaks (same codes and order as shared/path_rules.ts).';
grant execute on function sandsync.path_problem(text) to authenticated, service_role;

-- Mirrors shared/paths' protected set; 'path_reserved' everywhere, 'path_git' unless sync_git.
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
