-- Schema-wide security properties: RLS on every internal table, comments everywhere, functions
-- invoker unless listed as definer, search_path pinned, execute granted per role.
begin;
select plan(14);

select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class as c
   join pg_namespace as n on n.oid = c.relnamespace
   where n.nspname = 'sandsync' and c.relkind = 'r' and not c.relrowsecurity),
  null, 'every table in sandsync has RLS enabled');

select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class as c
   join pg_namespace as n on n.oid = c.relnamespace
   where n.nspname = 'sandsync' and c.relkind = 'r' and obj_description(c.oid, 'pg_class') is null),
  null, 'every table in sandsync has a comment');

select is(
  (select array_agg(c.relname || '.' || a.attname order by 1) from pg_class as c
   join pg_namespace as n on n.oid = c.relnamespace
   join pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
   where n.nspname = 'sandsync' and c.relkind = 'r' and col_description(c.oid, a.attnum) is null),
  null, 'every column in sandsync has a comment');

select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc as p
   join pg_namespace as n on n.oid = p.pronamespace
   where n.nspname in ('sandsync', 'public') and p.prosecdef),
  array['on_sync_object_change', 'on_sync_object_removed', 'release_quota', 'reserve_for',
    'reserve_quota', 'versions_need_stored_blobs'],
  'only the documented functions are security definer');

select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc as p
   join pg_namespace as n on n.oid = p.pronamespace
   where n.nspname in ('sandsync', 'public')
     and not coalesce(p.proconfig @> array['search_path=""'], false)),
  null, 'every function in sandsync and public pins search_path to empty');

select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc as p
   join pg_namespace as n on n.oid = p.pronamespace
   where n.nspname in ('sandsync', 'public') and has_function_privilege('anon', p.oid, 'execute')),
  null, 'anon can execute no Sandsync function');

select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc as p
   join pg_namespace as n on n.oid = p.pronamespace
   where n.nspname = 'public' and p.proname like 'service\_%'
     and has_function_privilege('authenticated', p.oid, 'execute')),
  null, 'authenticated can execute no service_ function');

select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc as p
   join pg_namespace as n on n.oid = p.pronamespace
   where n.nspname = 'public' and p.proname like 'service\_%'
     and not has_function_privilege('service_role', p.oid, 'execute')),
  null, 'service_role can execute every service_ function');

select ok(not has_function_privilege('authenticated', 'sandsync.reserve_for(uuid, jsonb, uuid)', 'execute'),
  'clients cannot call the definer sandsync.reserve_for directly');

select ok(not has_schema_privilege('anon', 'sandsync', 'usage'), 'anon has no usage on schema sandsync');

select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class as c
   join pg_namespace as n on n.oid = c.relnamespace
   where n.nspname = 'sandsync' and c.relkind = 'r'
     and has_table_privilege('anon', c.oid, 'select,insert,update,delete')),
  null, 'anon has no privilege on any sandsync table');

select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class as c
   join pg_namespace as n on n.oid = c.relnamespace
   where n.nspname = 'sandsync' and c.relkind = 'r'
     and (has_table_privilege('authenticated', c.oid, 'insert') or has_table_privilege('authenticated', c.oid, 'update')
       or has_table_privilege('authenticated', c.oid, 'delete'))
     and c.relname in ('blobs', 'quotas', 'reservations', 'settings', 'error_codes')),
  null, 'clients cannot write blobs, quotas, reservations, settings or error codes');

-- Every policy is for one command and one role, and uses (select auth.uid()) when it checks a user.
select is(
  (select array_agg(policyname::text order by policyname) from pg_policies
   where schemaname = 'sandsync' and (cmd = 'ALL' or cardinality(roles) <> 1
     or (coalesce(qual, '') || coalesce(with_check, '')) ~ 'auth\.uid\(\)'
        and (coalesce(qual, '') || coalesce(with_check, '')) !~ 'SELECT auth\.uid\(\)')),
  null, 'policies are per operation and role, with (select auth.uid())');

select is(
  (select array_agg(policyname::text order by policyname) from pg_policies
   where schemaname = 'storage' and policyname like '%blobs%'),
  array['Users can read blobs under their own prefix', 'Users can upload blobs under their own prefix'],
  'the sync bucket has exactly an insert and a select policy for users');

select * from finish();
rollback;
