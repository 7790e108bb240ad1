-- Path rules: refuse invisible format characters (issue 10, display spoofing).
--
-- Purpose: a path segment holding a bidi control (U+202A-U+202E, U+2066-U+2069), a zero-width
-- character (U+200B-U+200D, U+2060, U+FEFF) or a line/paragraph separator (U+2028/9) displays as
-- another name ("invoice\u202Etxt.exe" shows as "invoiceexe.txt"). sandsync.path_problem() now
-- answers 'path_format_char' for them, right after 'path_control_char', in the same order as
-- shared/path_rules.ts; both are tested against shared/testdata/paths.json.
-- Objects: sandsync.path_problem(text) (replaced; signature, grants and callers unchanged).
-- Existing rows are not re-checked (a check constraint is only evaluated on write): a row that
-- already holds such a path keeps it but can no longer be changed, deletion included.

create or replace function sandsync.path_problem(p_path text)
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
