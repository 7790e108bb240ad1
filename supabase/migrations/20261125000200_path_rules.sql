-- Sandsync sync core, part 2: the path rules in SQL, mirroring shared/path_rules.ts.
--
-- Purpose: a path is stored only if the same rules the TypeScript validator applies accept it;
-- both are tested against one table of cases (shared/testdata/paths.json). Non-NFC paths are
-- rejected, not normalised: a sandbox may hold NFC and NFD names as two different files, so
-- silently rewriting one would merge them.
-- Objects: sandsync.path_problem(text), sandsync.conflict_copy_path(text, timestamptz, uuid).

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

-- `name.ext` -> `name.sync-conflict-<YYYYMMDD-HHMMSS>-<replica>.ext` (Syncthing's shape), with
-- the first 8 hex digits of the losing replica's id; the stem is shortened so the last segment
-- stays within 255 bytes.
create function sandsync.conflict_copy_path(p_path text, p_at timestamptz, p_replica_id uuid)
returns text
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_dir text := coalesce(substring(p_path from '^(.*/)[^/]*$'), '');
  v_name text := substring(p_path from '([^/]*)$');
  v_stem text;
  v_ext text;
  v_tag text := '.sync-conflict-' || to_char(p_at at time zone 'UTC', 'YYYYMMDD-HH24MISS') || '-'
    || left(replace(p_replica_id::text, '-', ''), 8);
begin
  -- A leading dot (".env") is part of the stem, not an extension.
  if v_name ~ '^.+\.[^.]+$' then
    v_stem := substring(v_name from '^(.+)\.[^.]+$');
    v_ext := substring(v_name from '(\.[^.]+)$');
  else
    v_stem := v_name;
    v_ext := '';
  end if;
  while octet_length(v_stem || v_tag || v_ext) > 255 and length(v_stem) > 1 loop
    v_stem := left(v_stem, length(v_stem) - 1);
  end loop;
  return v_dir || v_stem || v_tag || v_ext;
end
$$;
comment on function sandsync.conflict_copy_path(text, timestamptz, uuid) is
  'The path of a conflict copy: name.sync-conflict-<YYYYMMDD-HHMMSS>-<replica8>.ext, in UTC.';
grant execute on function sandsync.conflict_copy_path(text, timestamptz, uuid)
  to authenticated, service_role;
