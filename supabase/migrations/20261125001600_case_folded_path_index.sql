-- Sandsync sync core, part 16: an RLS-friendly index for case-only collisions.
--
-- Purpose: performance, no behaviour change. Under RLS, a user's query may use an index only
-- through leakproof operators on the row's columns; `lower(path) = ...` applies the non-leakproof
-- lower() to each row, so as `authenticated` the expression index files_live_path_ci_idx was
-- never used and every new path in a batch scanned the workspace's files. A stored generated
-- column `path_folded` compares with plain (leakproof) text equality instead.
-- Objects: sandsync.files.path_folded, index files_live_path_folded_idx (replaces
-- files_live_path_ci_idx), sandsync.case_conflict (replaced).

alter table sandsync.files add column path_folded text generated always as (lower(path)) stored;
comment on column sandsync.files.path_folded is
  'lower(path): two live paths of a workspace may not share it (case-only collisions).';
create unique index files_live_path_folded_idx on sandsync.files (workspace_id, path_folded) where not deleted;
drop index sandsync.files_live_path_ci_idx;

create or replace function sandsync.case_conflict(p_workspace_id uuid, p_path text)
returns boolean
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return exists (
    select 1 from sandsync.files
    where workspace_id = p_workspace_id and path_folded = lower(p_path) and path <> p_path and not deleted
  );
end
$$;
