-- Workspaces: the `sync_git` setting (issue 10 §2).
--
-- Purpose: `.git/` is protected by default: the server refuses `.git/...` paths and every
-- replica's ignore rules keep them out, whatever a synced ignore file says. The workspace's
-- owner may opt in with `sync_git = true`. Only configuration no replica can change by syncing a
-- file may lift a protection, so the setting lives here, and the functions let only the owner's
-- user session change it (never an agent token: `workspace_service.ts`).
-- Objects: sandsync.workspaces.sync_git (new column), public.update_workspace(uuid, jsonb)
-- (replaced: also accepts 'sync_git').

alter table sandsync.workspaces add column sync_git boolean not null default false;
comment on column sandsync.workspaces.sync_git is
  'Sync .git/ directories (refused by the path rules otherwise); changed only by the owner''s user session.';

create or replace function public.update_workspace(
  p_workspace_id uuid,
  p_settings jsonb
)
returns sandsync.workspaces
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_row sandsync.workspaces;
begin
  if jsonb_typeof(p_settings) is distinct from 'object' or exists (
    select 1 from jsonb_object_keys(p_settings) as k
    where k not in ('name', 'sandbox_id', 'strategy', 'merge_fallback', 'conflict_copies',
      'retention_versions', 'retention_age', 'sync_git')
  ) then
    raise exception 'Cannot update workspace "%": unknown setting', p_workspace_id
      using errcode = 'SSI01', hint = 'invalid_input';
  end if;
  begin
    update sandsync.workspaces set
      name = coalesce(p_settings ->> 'name', name),
      sandbox_id = case when p_settings ? 'sandbox_id' then p_settings ->> 'sandbox_id' else sandbox_id end,
      strategy = coalesce(p_settings ->> 'strategy', strategy),
      merge_fallback = coalesce(p_settings ->> 'merge_fallback', merge_fallback),
      conflict_copies = coalesce((p_settings ->> 'conflict_copies')::boolean, conflict_copies),
      retention_versions = coalesce((p_settings ->> 'retention_versions')::integer, retention_versions),
      retention_age = coalesce((p_settings ->> 'retention_age')::interval, retention_age),
      sync_git = coalesce((p_settings ->> 'sync_git')::boolean, sync_git),
      updated_at = now()
    where id = p_workspace_id
    returning * into v_row;
  exception
    when check_violation or invalid_text_representation or invalid_datetime_format
      or datetime_field_overflow or numeric_value_out_of_range then
      raise exception 'Cannot update workspace "%": invalid setting value', p_workspace_id
        using errcode = 'SSI01', hint = 'invalid_input';
  end;
  if v_row.id is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  return v_row;
end
$$;
comment on function public.update_workspace(uuid, jsonb) is
  'Changes workspace settings (name, sandbox_id, strategy, merge_fallback, conflict_copies, retention_versions, retention_age, sync_git).';
