-- pgTAP helpers shared by every test file (runs first; pg_prove takes files in name order).
-- Installs pgTAP and the `tests` schema outside a transaction so later files can use them:
--   tests.create_user(email) -> uuid           a row in auth.users
--   tests.authenticate_as(email)                role authenticated + JWT claims for that user
--   tests.authenticate_as_service_role()        role service_role + its claims
--   tests.clear_authentication()                back to the session user, no claims
--   tests.sha(text) -> text                     hex SHA-256 of a string
--   tests.stored_blob(owner, content) -> text   a verified blob row, returns its hash
--   tests.outcome(role, user, sql) -> text      runs sql as role/user in a subtransaction that is
--                                               always rolled back: 'allowed' (rows > 0),
--                                               'denied' (no rows or 42501) or 'error: ...'
set client_min_messages = warning;
create extension if not exists pgtap with schema extensions;
-- The migrations revoke execute on new functions from PUBLIC by default (grants are explicit);
-- pgTAP's assertions must stay callable while a test acts as another role.
grant execute on all functions in schema extensions to anon, authenticated, service_role;
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

create or replace function tests.create_user(p_email text)
returns uuid
language sql
as $$
  insert into auth.users (id, email, aud, role)
  values (gen_random_uuid(), p_email, 'authenticated', 'authenticated')
  on conflict (email) where is_sso_user = false do update set email = excluded.email
  returning id
$$;

-- why definer: switching users while acting as one must still read auth.users.
create or replace function tests.get_user_id(p_email text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select id from auth.users where email = p_email
$$;

create or replace function tests.authenticate_as(p_email text)
returns void
language plpgsql
as $$
declare
  v_id uuid := tests.get_user_id(p_email);
begin
  if v_id is null then
    raise exception 'tests.authenticate_as: no user "%"', p_email;
  end if;
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims',
    json_build_object('sub', v_id, 'role', 'authenticated', 'email', p_email)::text, true);
end
$$;

create or replace function tests.authenticate_as_service_role()
returns void
language plpgsql
as $$
begin
  perform set_config('role', 'service_role', true);
  perform set_config('request.jwt.claims', json_build_object('role', 'service_role')::text, true);
end
$$;

create or replace function tests.clear_authentication()
returns void
language plpgsql
as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
end
$$;

create or replace function tests.sha(p_text text)
returns text
language sql
immutable
as $$
  select encode(sha256(convert_to(p_text, 'UTF8')), 'hex')
$$;

create or replace function tests.stored_blob(p_owner uuid, p_content text)
returns text
language sql
as $$
  insert into sandsync.blobs (owner_id, sha256, size, state, stored_at)
  values (p_owner, tests.sha(p_content), octet_length(p_content), 'stored', now())
  on conflict (owner_id, sha256) do update set state = 'stored'
  returning sha256
$$;

-- One change item as jsonb for commit_changes.
create or replace function tests.item(p_path text, p_content text, p_base jsonb default '{}')
returns jsonb
language sql
immutable
as $$
  select case when p_content is null
    then jsonb_build_object('path', p_path, 'deleted', true, 'base', p_base)
    else jsonb_build_object('path', p_path, 'sha256', tests.sha(p_content), 'size', octet_length(p_content),
      'base', p_base, 'mtime', '2026-11-25T08:00:00Z')
  end
$$;

create or replace function tests.outcome(p_role text, p_user uuid, p_sql text)
returns text
language plpgsql
as $$
declare
  v_rows bigint;
begin
  begin
    perform set_config('role', p_role, true);
    perform set_config('request.jwt.claims',
      json_build_object('sub', p_user, 'role', p_role)::text, true);
    execute p_sql into v_rows;
    -- Always roll the probe back (its writes and the role switch) by leaving with an error.
    raise exception using errcode = 'TSTOK', message = coalesce(v_rows, 0)::text;
  exception
    when sqlstate 'TSTOK' then
      return case when sqlerrm::bigint > 0 then 'allowed' else 'denied' end;
    -- Denials: no privilege or RLS (42501), or the RPC's "not found / not yours" codes.
    when insufficient_privilege or sqlstate 'SSN01' or sqlstate 'SSN02' or sqlstate 'SSN03'
      or sqlstate 'SSA01' then
      return 'denied';
    when others then
      return 'error: ' || sqlstate || ' ' || sqlerrm;
  end;
end
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

begin;
select plan(1);
select has_function('tests', 'outcome', array['text', 'uuid', 'text'], 'the test helpers are installed');
select * from finish();
rollback;
