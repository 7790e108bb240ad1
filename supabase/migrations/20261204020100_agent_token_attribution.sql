-- Tenancy: record the agent token behind every version and change set.
--
-- Purpose: a change made with an agent token used to record only the owner (`committed_by`), so
-- nobody could tell which sandbox agent wrote what, or what a leaked token changed. Both tables
-- get a nullable `agent_token_id`, filled from the `sandsync_token_id` claim the functions set
-- for agent-token callers (`request.jwt.claims`), null for user sessions and the service role.
-- The column default does it, so every existing insert path (commit, resolution, conflict copy)
-- records it without a change. A deleted token keeps its versions (set null).
-- Objects: sandsync.current_agent_token_id(), sandsync.versions.agent_token_id,
-- sandsync.change_sets.agent_token_id.

-- Security invoker: reads only the transaction's own settings.
create function sandsync.current_agent_token_id()
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
  select case
    when (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sandsync_token_id')
      ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sandsync_token_id')::uuid
  end
$$;
comment on function sandsync.current_agent_token_id() is
  'The agent token id of the current request (claim sandsync_token_id), or null.';
revoke all on function sandsync.current_agent_token_id() from public;
grant execute on function sandsync.current_agent_token_id() to authenticated, service_role;

alter table sandsync.versions
  add column agent_token_id uuid default sandsync.current_agent_token_id()
    references sandsync.agent_tokens (id) on delete set null;
create index versions_agent_token_id_idx on sandsync.versions (agent_token_id)
  where agent_token_id is not null;
comment on column sandsync.versions.agent_token_id is
  'Agent token that wrote this version; null for a user session or the service role.';

alter table sandsync.change_sets
  add column agent_token_id uuid default sandsync.current_agent_token_id()
    references sandsync.agent_tokens (id) on delete set null;
create index change_sets_agent_token_id_idx on sandsync.change_sets (agent_token_id)
  where agent_token_id is not null;
comment on column sandsync.change_sets.agent_token_id is
  'Agent token that committed this batch; null for a user session or the service role.';
