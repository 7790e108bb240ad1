-- Sandsync sync core, part 1: the private schema and the privilege baseline.
--
-- Purpose: internal tables live in `sandsync`, a schema PostgREST does not expose (config.toml
-- lists only `public` and `graphql_public`); deliberate RPCs live in `public`. Execute on new
-- functions is revoked by default, so every function is granted explicitly, per role, right
-- after it is created (STYLE rules 10 and 11).
-- Objects: schema `sandsync`, default privileges, the error-code table `sandsync.error_codes`.

alter default privileges revoke execute on functions from public;
alter default privileges for role postgres revoke execute on functions from public;
alter default privileges for role postgres in schema public
  revoke execute on functions from anon, authenticated, service_role;

create schema if not exists sandsync;
comment on schema sandsync is
  'Sandsync internal tables and helpers. Not exposed through the Data API; reached through RPCs in public.';

-- Clients act as `authenticated` through security-invoker RPCs, so they need usage on the
-- schema; RLS (not grants) decides which rows they touch. `anon` gets nothing.
revoke all on schema sandsync from public;
grant usage on schema sandsync to authenticated, service_role;

alter default privileges in schema sandsync revoke execute on functions from public;
alter default privileges for role postgres in schema sandsync
  revoke execute on functions from public;

-- The closed list of errors the RPCs raise: one SQLSTATE per code, the code itself in HINT.
create table sandsync.error_codes (
  code text primary key,
  sqlstate text not null unique check (sqlstate ~ '^[0-9A-Z]{5}$'),
  http_status integer not null,
  description text not null
);
comment on table sandsync.error_codes is
  'Closed list of Sandsync RPC errors: raised with this SQLSTATE and the code as HINT; the API maps them to HTTP.';
comment on column sandsync.error_codes.code is 'Stable snake_case code, also the HINT of the raised error.';
comment on column sandsync.error_codes.sqlstate is 'SQLSTATE the RPC raises for this code.';
comment on column sandsync.error_codes.http_status is 'Suggested HTTP status for the API.';
comment on column sandsync.error_codes.description is 'When the error is raised.';

alter table sandsync.error_codes enable row level security;
create policy "Authenticated users can read the error codes" on sandsync.error_codes
  for select to authenticated using (true);
grant select on sandsync.error_codes to authenticated, service_role;

insert into sandsync.error_codes (code, sqlstate, http_status, description) values
  ('invalid_input', 'SSI01', 400, 'A malformed argument or batch item; nothing was changed.'),
  ('invalid_path', 'SSI02', 400, 'A path breaks the shared path rules; DETAIL names the rule.'),
  ('duplicate_path', 'SSI03', 400, 'The same path appears twice in one batch.'),
  ('not_authenticated', 'SSA01', 401, 'The RPC needs a user (auth.uid() is null).'),
  ('workspace_not_found', 'SSN01', 404, 'No such workspace, or not visible to the caller.'),
  ('replica_not_found', 'SSN02', 404, 'The replica is not registered in this workspace.'),
  ('conflict_not_found', 'SSN03', 404, 'No such conflict, or not visible to the caller.'),
  ('blob_not_stored', 'SSN04', 409, 'A referenced blob is not verified (state stored) with that size.'),
  ('stale_resolution', 'SSC01', 409, 'The resolution was based on a version that is no longer current.'),
  ('change_set_mismatch', 'SSC02', 409, 'An idempotency key was reused for a different batch.'),
  ('conflict_closed', 'SSC03', 409, 'The conflict is already resolved.'),
  ('quota_exceeded', 'SSQ01', 413, 'A reservation would put the owner over the quota limit.');
