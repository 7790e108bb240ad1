-- Sandsync sync core: the private schema, the privilege baseline and the error vocabulary.
--
-- Purpose: internal tables live in `sandsync`, a schema PostgREST does not expose (config.toml
-- lists only `public` and `graphql_public`); deliberate RPCs live in `public`. Execute on new
-- functions is revoked by default, so every function is granted explicitly, per role, right
-- after it is created: no function is callable by accident. The RPCs and triggers raise the
-- API's own error codes (shared/protocol/errors.ts, `ERROR_STATUS`) as HINT, and
-- `sandsync.error_codes` lists exactly those codes with the API's HTTP status, so SQL, the Edge
-- Functions and clients share one list.
-- Objects: schema `sandsync`, default privileges, the error-code table `sandsync.error_codes`.
-- Why one row per SQLSTATE: each SQLSTATE means one code, but `validation_failed` has two (SSI01
-- a malformed argument, SSI03 a path twice in one batch). 42501 (insufficient_privilege: RLS, a
-- missing grant, the sync-bucket trigger) is listed as `forbidden`, the code the API gives it
-- when no hint names another (the trigger's over-quota refusal says `quota_exceeded`).

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

-- The closed list of errors the functions raise: one code per SQLSTATE, the code itself in HINT.
create table sandsync.error_codes (
  code text not null,
  sqlstate text not null primary key check (sqlstate ~ '^[0-9A-Z]{5}$'),
  http_status integer not null,
  description text not null
);
comment on table sandsync.error_codes is
  'Closed list of Sandsync SQL errors, one row per SQLSTATE: raised with that SQLSTATE and the API error code as HINT; the API answers with the code and its HTTP status.';
comment on column sandsync.error_codes.code is 'API error code (shared/protocol/errors.ts), also the HINT of the raised error.';
comment on column sandsync.error_codes.sqlstate is 'SQLSTATE the function raises for this code (primary key: one code per SQLSTATE).';
comment on column sandsync.error_codes.http_status is 'The HTTP status the API sends for the code (ERROR_STATUS).';
comment on column sandsync.error_codes.description is 'When the error is raised.';

alter table sandsync.error_codes enable row level security;
create policy "Authenticated users can read the error codes" on sandsync.error_codes
  for select to authenticated using (true);
grant select on sandsync.error_codes to authenticated, service_role;

insert into sandsync.error_codes (code, sqlstate, http_status, description) values
  ('validation_failed', 'SSI01', 400, 'A malformed argument or batch item; nothing was changed.'),
  ('invalid_path', 'SSI02', 400, 'A path breaks the shared path rules; DETAIL names the rule.'),
  ('validation_failed', 'SSI03', 400, 'The same path appears twice in one batch.'),
  ('unauthorized', 'SSA01', 401, 'The RPC needs a user (auth.uid() is null).'),
  ('forbidden', '42501', 403, 'A role lacks the privilege or RLS refuses; the sync-bucket trigger refuses an object key without an owner id.'),
  ('workspace_not_found', 'SSN01', 404, 'No such workspace, or not visible to the caller.'),
  ('replica_not_found', 'SSN02', 404, 'The replica is not registered in this workspace.'),
  ('conflict_not_found', 'SSN03', 404, 'No such conflict, or not visible to the caller.'),
  ('blob_missing', 'SSN04', 409, 'A referenced blob is not verified (state stored) with that size.'),
  ('precondition_failed', 'SSC01', 412, 'The resolution was based on a version that is no longer current.'),
  ('idempotency_conflict', 'SSC02', 409, 'An idempotency key was reused for a different batch.'),
  ('conflict_closed', 'SSC03', 409, 'The conflict is already resolved.'),
  ('quota_exceeded', 'SSQ01', 507, 'A reservation would put the owner over the quota limit.'),
  ('checkpoint_exists', 'SSK01', 409, 'A checkpoint with this name already exists in the workspace.'),
  ('restore_point_not_found', 'SSK02', 404, 'No checkpoint with this name, no version with this id, or an unreadable time.');
