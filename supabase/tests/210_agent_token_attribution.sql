-- Agent token attribution: versions and change sets take the agent token id from the request's
-- claims (sandsync_token_id), null without one or when the claim is not a uuid.
begin;
select plan(6);

select has_column('sandsync', 'versions', 'agent_token_id', 'versions record the agent token');
select has_column('sandsync', 'change_sets', 'agent_token_id', 'change sets record the agent token');

select set_config('request.jwt.claims', '', true);
select is(sandsync.current_agent_token_id(), null, 'no claims: no token');

select set_config('request.jwt.claims',
  '{"role":"authenticated","sandsync_token_id":"2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"}', true);
select is(sandsync.current_agent_token_id(), '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b'::uuid,
  'the claim names the token');

select set_config('request.jwt.claims', '{"sandsync_token_id":"not-a-uuid"}', true);
select is(sandsync.current_agent_token_id(), null, 'a malformed claim records nothing (no error)');

select function_privs_are('sandsync', 'current_agent_token_id', array[]::text[], 'anon',
  array[]::text[], 'anon cannot call it');

select * from finish();
rollback;
