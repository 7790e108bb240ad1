-- The live schema the migrations build: generated, do not edit.
-- Regenerate with `deno task schema` after changing supabase/migrations;
-- tests/db/schema_snapshot_test.ts fails while this file is stale.
-- Contents: schemas sandsync and public (pg_dump --schema-only --no-owner), the rows the
-- migrations insert into sandsync, and the policies, triggers and bucket the project adds to
-- Supabase's storage schema.

--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: public; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA public;

--
-- Name: SCHEMA public; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA public IS 'standard public schema';

--
-- Name: sandsync; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA sandsync;

--
-- Name: SCHEMA sandsync; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA sandsync IS 'Sandsync internal tables and helpers. Not exposed through the Data API; reached through RPCs in public.';

--
-- Name: commit_decision; Type: TYPE; Schema: sandsync; Owner: -
--

CREATE TYPE sandsync.commit_decision AS (
	outcome text,
	code text,
	version_outcome text,
	vector jsonb,
	make_current boolean,
	supersedes_current boolean,
	conflict text,
	merge_required boolean,
	conflict_copy boolean,
	report_ancestor boolean
);

--
-- Name: TYPE commit_decision; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TYPE sandsync.commit_decision IS 'The decision of sandsync.commit_outcome for one item; public.commit_changes performs it.';

--
-- Name: commit_item; Type: TYPE; Schema: sandsync; Owner: -
--

CREATE TYPE sandsync.commit_item AS (
	ord integer,
	path text,
	deleted boolean,
	sha256 text,
	size bigint,
	mode integer,
	mtime timestamp with time zone,
	base jsonb,
	lines_added integer,
	lines_removed integer
);

--
-- Name: TYPE commit_item; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TYPE sandsync.commit_item IS 'One validated item of a change set.';

--
-- Name: commit_step; Type: TYPE; Schema: sandsync; Owner: -
--

CREATE TYPE sandsync.commit_step AS (
	item sandsync.commit_item,
	file_id uuid,
	file_exists boolean,
	current_version_id uuid,
	current_vector jsonb,
	ancestor_version_id uuid,
	decision sandsync.commit_decision,
	version_id uuid,
	conflict_id uuid,
	seq bigint
);

--
-- Name: TYPE commit_step; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TYPE sandsync.commit_step IS 'One item of a batch in sandsync.commit_changes_set: its facts, the decision, and the ids and journal seq of what it writes.';

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: changes; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.changes (
    workspace_id uuid NOT NULL,
    seq bigint NOT NULL,
    owner_id uuid NOT NULL,
    kind text NOT NULL,
    file_id uuid NOT NULL,
    path text NOT NULL,
    version_id uuid,
    conflict_id uuid,
    sha256 text,
    size bigint DEFAULT 0 NOT NULL,
    mode integer DEFAULT 420 NOT NULL,
    mtime timestamp with time zone,
    deleted boolean DEFAULT false NOT NULL,
    vector jsonb NOT NULL,
    replica_id uuid,
    change_set_id uuid,
    committed_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT changes_kind_check CHECK ((kind = ANY (ARRAY['file'::text, 'conflict'::text]))),
    CONSTRAINT changes_seq_check CHECK ((seq > 0))
);

--
-- Name: TABLE changes; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.changes IS 'The change journal: per-workspace gap-free seq of every current-state change and opened conflict.';

--
-- Name: COLUMN changes.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.workspace_id IS 'Workspace.';

--
-- Name: COLUMN changes.seq; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.seq IS 'Per-workspace sequence number, allocated under the workspace row lock.';

--
-- Name: COLUMN changes.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.owner_id IS 'Owner of the workspace (denormalised for RLS).';

--
-- Name: COLUMN changes.kind; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.kind IS 'file: the path now has this version; conflict: a conflict was opened on the path.';

--
-- Name: COLUMN changes.file_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.file_id IS 'The file changed.';

--
-- Name: COLUMN changes.path; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.path IS 'Its path.';

--
-- Name: COLUMN changes.version_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.version_id IS 'The version now current (kind file) or the incoming side (kind conflict).';

--
-- Name: COLUMN changes.conflict_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.conflict_id IS 'The conflict opened or resolved by this change, if any.';

--
-- Name: COLUMN changes.sha256; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.sha256 IS 'Content hash (null for a delete).';

--
-- Name: COLUMN changes.size; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.size IS 'Content length.';

--
-- Name: COLUMN changes.mode; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.mode IS 'Unix mode bits.';

--
-- Name: COLUMN changes.mtime; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.mtime IS 'Client-reported modification time.';

--
-- Name: COLUMN changes.deleted; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.deleted IS 'The change is a delete (tombstone).';

--
-- Name: COLUMN changes.vector; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.vector IS 'Version vector of the version.';

--
-- Name: COLUMN changes.replica_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.replica_id IS 'Replica that wrote the change (replicas skip their own echoes).';

--
-- Name: COLUMN changes.change_set_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.change_set_id IS 'Change set it belongs to.';

--
-- Name: COLUMN changes.committed_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.changes.committed_at IS 'Server time.';

--
-- Name: changes_since(uuid, bigint, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.changes_since(p_workspace_id uuid, p_cursor bigint DEFAULT 0, p_limit integer DEFAULT 1000) RETURNS SETOF sandsync.changes
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select * from sandsync.changes
  where workspace_id = p_workspace_id and seq > coalesce(p_cursor, 0)
  order by seq
  limit greatest(1, least(coalesce(p_limit, 1000), 10000))
$$;

--
-- Name: FUNCTION changes_since(p_workspace_id uuid, p_cursor bigint, p_limit integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.changes_since(p_workspace_id uuid, p_cursor bigint, p_limit integer) IS 'Journal entries after the cursor, in seq order, at most p_limit (1..10000). The next cursor is the last seq returned.';

--
-- Name: commit_changes(uuid, uuid, text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.commit_changes(p_workspace_id uuid, p_replica_id uuid, p_idempotency_key text, p_items jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_ws sandsync.workspaces;
  v_replica sandsync.replicas;
  v_prior sandsync.change_sets;
  v_hash text;
  v_items sandsync.commit_item[];
  v_cs uuid;
  v_seq bigint;
  v_items_result jsonb;
  v_result jsonb;
  v_bad record;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' or jsonb_array_length(p_items) not between 1 and 10000 then
    raise exception 'Cannot commit: items must be an array of 1 to 10000 changes'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  if p_idempotency_key is null or length(p_idempotency_key) not between 1 and 200 then
    raise exception 'Cannot commit: an idempotency key of 1 to 200 characters is required'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;

  -- The serialisation point (see 20261206000800_commit.sql): held until this transaction ends.
  select * into v_ws from sandsync.workspaces where id = p_workspace_id for no key update;
  if not found then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  select * into v_replica from sandsync.replicas where id = p_replica_id and workspace_id = p_workspace_id;
  if not found then
    raise exception 'Cannot commit to workspace "%": replica "%" is not registered there', p_workspace_id, p_replica_id
      using errcode = 'SSN02', hint = 'replica_not_found';
  end if;

  v_hash := encode(sha256(convert_to(p_items::text, 'UTF8')), 'hex');
  select * into v_prior from sandsync.change_sets
  where workspace_id = p_workspace_id and idempotency_key = p_idempotency_key;
  if found then
    if v_prior.items_hash <> v_hash or v_prior.replica_id <> p_replica_id then
      raise exception 'Cannot commit: idempotency key "%" was used for a different change set', p_idempotency_key
        using errcode = 'SSC02', hint = 'idempotency_conflict';
    end if;
    return v_prior.result || jsonb_build_object('replayed', true);
  end if;

  v_items := sandsync.parse_commit_items(p_items);
  select i.path into v_bad from unnest(v_items) as i group by i.path having count(*) > 1 limit 1;
  if found then
    raise exception 'Cannot commit: path "%" appears twice in one change set', v_bad.path
      using errcode = 'SSI03', hint = 'validation_failed';
  end if;
  -- A probe per item by primary key (a lateral subquery with limit is never flattened into a
  -- join a plan made with stale statistics could run as a scan of the owner's blobs per item).
  select i.ord, i.path, i.sha256, i.size into v_bad from unnest(v_items) as i
  left join lateral (
    select true as stored from sandsync.blobs as b
    where b.owner_id = v_ws.owner_id and b.sha256 = i.sha256 and b.state = 'stored' and b.size = i.size
    limit 1
  ) as b on true
  where not i.deleted and b.stored is null
  order by i.ord limit 1;
  if found then
    raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
      using errcode = 'SSN04', hint = 'blob_missing', detail = format('item=%s', v_bad.ord - 1);
  end if;

  insert into sandsync.change_sets (workspace_id, owner_id, replica_id, idempotency_key, items_hash, item_count, committed_by)
  values (p_workspace_id, v_ws.owner_id, p_replica_id, p_idempotency_key, v_hash, cardinality(v_items), auth.uid())
  returning id into v_cs;

  -- The set path, or the row path where it declines or meets an error (then the loop's error is
  -- the answer) and for a single item (see the header).
  if cardinality(v_items) > 1 then
    begin
      select s.o_cursor, s.o_items into v_seq, v_items_result
      from sandsync.commit_changes_set(v_ws, v_replica, v_cs, v_items) as s;
    exception when others then
      v_items_result := null;
    end;
  end if;
  if v_items_result is null then
    select r.o_cursor, r.o_items into v_seq, v_items_result
    from sandsync.commit_changes_rows(v_ws, v_replica, v_cs, v_items) as r;
  end if;

  if v_seq > v_ws.last_seq then
    update sandsync.workspaces set last_seq = v_seq where id = p_workspace_id;
  end if;
  update sandsync.replicas set last_seen_at = now() where id = p_replica_id;
  v_result := jsonb_build_object(
    'change_set_id', v_cs,
    'workspace_id', p_workspace_id,
    'replayed', false,
    'cursor', v_seq,
    'items', v_items_result
  );
  update sandsync.change_sets set result = v_result where id = v_cs;
  if v_seq > v_ws.last_seq then
    perform pg_notify('sandsync_changes', json_build_object('workspace_id', p_workspace_id, 'seq', v_seq)::text);
  end if;
  return v_result;
end
$$;

--
-- Name: FUNCTION commit_changes(p_workspace_id uuid, p_replica_id uuid, p_idempotency_key text, p_items jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.commit_changes(p_workspace_id uuid, p_replica_id uuid, p_idempotency_key text, p_items jsonb) IS 'Applies a change set atomically; per item: applied, merged, superseded, conflict or rejected (path_case_conflict). See docs/schema.md.';

--
-- Name: create_agent_token(uuid, text, text, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.create_agent_token(p_workspace_id uuid, p_name text, p_token_hash text, p_token_prefix text, p_expires_at timestamp with time zone) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_owner uuid;
  v_row sandsync.agent_tokens;
begin
  select owner_id into v_owner from sandsync.workspaces where id = p_workspace_id;
  if v_owner is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  if p_expires_at is null or p_expires_at <= now() or p_expires_at > now() + interval '366 days' then
    raise exception 'Cannot issue an agent token: expiry must be within a year from now'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  insert into sandsync.agent_tokens (workspace_id, owner_id, name, token_hash, token_prefix, expires_at)
  values (p_workspace_id, v_owner, p_name, p_token_hash, p_token_prefix, p_expires_at)
  returning * into v_row;
  return jsonb_build_object('id', v_row.id, 'workspace_id', v_row.workspace_id, 'name', v_row.name,
    'token_prefix', v_row.token_prefix, 'created_at', v_row.created_at, 'expires_at', v_row.expires_at);
end
$$;

--
-- Name: FUNCTION create_agent_token(p_workspace_id uuid, p_name text, p_token_hash text, p_token_prefix text, p_expires_at timestamp with time zone); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.create_agent_token(p_workspace_id uuid, p_name text, p_token_hash text, p_token_prefix text, p_expires_at timestamp with time zone) IS 'Stores a new agent token (its SHA-256 only) for a workspace the caller owns; the caller generated the secret.';

--
-- Name: checkpoints; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.checkpoints (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    workspace_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    name text NOT NULL,
    seq bigint NOT NULL,
    sandbox_id text,
    replica_id uuid,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT checkpoints_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT checkpoints_sandbox_id_check CHECK ((length(sandbox_id) <= 200)),
    CONSTRAINT checkpoints_seq_check CHECK ((seq >= 0))
);

--
-- Name: TABLE checkpoints; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.checkpoints IS 'Named checkpoints of a workspace (e2b-bridge snapshot): a journal position a restore can return to.';

--
-- Name: COLUMN checkpoints.id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.checkpoints.id IS 'Checkpoint id.';

--
-- Name: COLUMN checkpoints.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.checkpoints.workspace_id IS 'The workspace checkpointed.';

--
-- Name: COLUMN checkpoints.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.checkpoints.owner_id IS 'Owner of the workspace (denormalised for RLS).';

--
-- Name: COLUMN checkpoints.name; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.checkpoints.name IS 'Name, unique per workspace; restore takes it as `at`.';

--
-- Name: COLUMN checkpoints.seq; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.checkpoints.seq IS 'The workspace journal position (last seq) the checkpoint stands for.';

--
-- Name: COLUMN checkpoints.sandbox_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.checkpoints.sandbox_id IS 'The sandbox the snapshot pulled, if any.';

--
-- Name: COLUMN checkpoints.replica_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.checkpoints.replica_id IS 'The replica that pulled it (the bridge), if any.';

--
-- Name: COLUMN checkpoints.created_by; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.checkpoints.created_by IS 'The user who asked for it (null for the service role).';

--
-- Name: COLUMN checkpoints.created_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.checkpoints.created_at IS 'When it was recorded.';

--
-- Name: create_checkpoint(uuid, text, text, uuid, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.create_checkpoint(p_workspace_id uuid, p_name text, p_sandbox_id text DEFAULT NULL::text, p_replica_id uuid DEFAULT NULL::uuid, p_seq bigint DEFAULT NULL::bigint) RETURNS sandsync.checkpoints
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_workspace sandsync.workspaces;
  v_row sandsync.checkpoints;
begin
  select * into v_workspace from sandsync.workspaces where id = p_workspace_id;
  if v_workspace.id is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  if p_name is null or length(p_name) not between 1 and 200
    or (p_seq is not null and (p_seq < 0 or p_seq > v_workspace.last_seq)) then
    raise exception 'Cannot record checkpoint "%": invalid name or position', p_name
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  begin
    insert into sandsync.checkpoints (workspace_id, owner_id, name, seq, sandbox_id, replica_id, created_by)
    values (p_workspace_id, v_workspace.owner_id, p_name, coalesce(p_seq, v_workspace.last_seq),
      p_sandbox_id, p_replica_id, auth.uid())
    returning * into v_row;
  exception
    when unique_violation then
      raise exception 'Cannot record checkpoint "%": the name is taken', p_name
        using errcode = 'SSK01', hint = 'checkpoint_exists';
  end;
  return v_row;
end
$$;

--
-- Name: FUNCTION create_checkpoint(p_workspace_id uuid, p_name text, p_sandbox_id text, p_replica_id uuid, p_seq bigint); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.create_checkpoint(p_workspace_id uuid, p_name text, p_sandbox_id text, p_replica_id uuid, p_seq bigint) IS 'Records a named checkpoint at the workspace''s last seq (or p_seq); SSK01 when the name is taken.';

--
-- Name: workspaces; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.workspaces (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    owner_id uuid NOT NULL,
    name text NOT NULL,
    sandbox_id text,
    strategy text DEFAULT 'last_write_wins'::text NOT NULL,
    merge_fallback text DEFAULT 'user_intervention'::text NOT NULL,
    conflict_copies boolean DEFAULT true NOT NULL,
    retention_versions integer DEFAULT 100 NOT NULL,
    retention_age interval DEFAULT '90 days'::interval NOT NULL,
    last_seq bigint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    sync_git boolean DEFAULT false NOT NULL,
    CONSTRAINT workspaces_last_seq_check CHECK ((last_seq >= 0)),
    CONSTRAINT workspaces_merge_fallback_check CHECK ((merge_fallback = ANY (ARRAY['user_intervention'::text, 'last_write_wins'::text]))),
    CONSTRAINT workspaces_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT workspaces_retention_age_check CHECK ((retention_age > '00:00:00'::interval)),
    CONSTRAINT workspaces_retention_versions_check CHECK ((retention_versions >= 1)),
    CONSTRAINT workspaces_sandbox_id_check CHECK ((length(sandbox_id) <= 200)),
    CONSTRAINT workspaces_strategy_check CHECK ((strategy = ANY (ARRAY['last_write_wins'::text, 'user_intervention'::text, 'auto_merge'::text])))
);

--
-- Name: TABLE workspaces; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.workspaces IS 'One synced file tree (a coding session) owned by one user; its row lock serialises commits.';

--
-- Name: COLUMN workspaces.id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.id IS 'Workspace id.';

--
-- Name: COLUMN workspaces.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.owner_id IS 'The owning Supabase user.';

--
-- Name: COLUMN workspaces.name; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.name IS 'Display name.';

--
-- Name: COLUMN workspaces.sandbox_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.sandbox_id IS 'The sandbox (E2B or other) this workspace mirrors, if any.';

--
-- Name: COLUMN workspaces.strategy; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.strategy IS 'Conflict strategy for concurrent edits: last_write_wins, user_intervention or auto_merge.';

--
-- Name: COLUMN workspaces.merge_fallback; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.merge_fallback IS 'What auto_merge falls back to when no common ancestor exists or the caller cannot merge.';

--
-- Name: COLUMN workspaces.conflict_copies; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.conflict_copies IS 'Under last_write_wins, keep the loser also as a conflict-copy file.';

--
-- Name: COLUMN workspaces.retention_versions; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.retention_versions IS 'History kept per file: at most this many versions.';

--
-- Name: COLUMN workspaces.retention_age; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.retention_age IS 'History kept per file: versions younger than this.';

--
-- Name: COLUMN workspaces.last_seq; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.last_seq IS 'Last journal sequence number allocated in this workspace.';

--
-- Name: COLUMN workspaces.created_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.created_at IS 'Creation time.';

--
-- Name: COLUMN workspaces.updated_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.updated_at IS 'Last settings change.';

--
-- Name: COLUMN workspaces.sync_git; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.workspaces.sync_git IS 'Sync .git/ directories (refused by the path rules otherwise); changed only by the owner''s user session.';

--
-- Name: create_workspace(text, text, text, text, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.create_workspace(p_name text, p_strategy text DEFAULT 'last_write_wins'::text, p_sandbox_id text DEFAULT NULL::text, p_merge_fallback text DEFAULT 'user_intervention'::text, p_conflict_copies boolean DEFAULT true) RETURNS sandsync.workspaces
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_row sandsync.workspaces;
begin
  if auth.uid() is null then
    raise exception 'Cannot create a workspace: no user' using errcode = 'SSA01', hint = 'unauthorized';
  end if;
  if p_strategy is null or p_strategy not in ('last_write_wins', 'user_intervention', 'auto_merge')
    or p_merge_fallback is null or p_merge_fallback not in ('user_intervention', 'last_write_wins')
    or p_name is null or length(p_name) not between 1 and 200 then
    raise exception 'Cannot create workspace "%": invalid name, strategy or merge fallback', p_name
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  insert into sandsync.workspaces (owner_id, name, sandbox_id, strategy, merge_fallback, conflict_copies)
  values (auth.uid(), p_name, p_sandbox_id, p_strategy, p_merge_fallback, coalesce(p_conflict_copies, true))
  returning * into v_row;
  return v_row;
end
$$;

--
-- Name: FUNCTION create_workspace(p_name text, p_strategy text, p_sandbox_id text, p_merge_fallback text, p_conflict_copies boolean); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.create_workspace(p_name text, p_strategy text, p_sandbox_id text, p_merge_fallback text, p_conflict_copies boolean) IS 'Creates a workspace owned by the caller with a conflict strategy; returns the row.';

--
-- Name: delete_checkpoint(uuid, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.delete_checkpoint(p_workspace_id uuid, p_name text) RETURNS boolean
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  with deleted as (
    delete from sandsync.checkpoints where workspace_id = p_workspace_id and name = p_name returning 1
  )
  select exists (select 1 from deleted)
$$;

--
-- Name: FUNCTION delete_checkpoint(p_workspace_id uuid, p_name text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.delete_checkpoint(p_workspace_id uuid, p_name text) IS 'Deletes a checkpoint by name; true when one was deleted.';

--
-- Name: delete_workspace(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.delete_workspace(p_workspace_id uuid) RETURNS boolean
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  with deleted as (delete from sandsync.workspaces where id = p_workspace_id returning 1)
  select exists (select 1 from deleted)
$$;

--
-- Name: FUNCTION delete_workspace(p_workspace_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.delete_workspace(p_workspace_id uuid) IS 'Deletes a workspace with its files, history, journal and conflicts; blobs become collectable.';

--
-- Name: current_agent_token_id(); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.current_agent_token_id() RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select sandsync.claim_uuid('sandsync_token_id')
$$;

--
-- Name: FUNCTION current_agent_token_id(); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.current_agent_token_id() IS 'The agent token id of the current request (claim sandsync_token_id), or null.';

--
-- Name: versions; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.versions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    file_id uuid NOT NULL,
    workspace_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    path text NOT NULL,
    sha256 text,
    size bigint DEFAULT 0 NOT NULL,
    mode integer DEFAULT 420 NOT NULL,
    mtime timestamp with time zone,
    deleted boolean DEFAULT false NOT NULL,
    vector jsonb NOT NULL,
    replica_id uuid,
    author_kind text NOT NULL,
    committed_by uuid,
    committed_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    change_set_id uuid,
    lines_added integer,
    lines_removed integer,
    outcome text NOT NULL,
    agent_token_id uuid DEFAULT sandsync.current_agent_token_id(),
    CONSTRAINT versions_author_kind_check CHECK ((author_kind = ANY (ARRAY['agent'::text, 'mobile'::text, 'bridge'::text, 'cli'::text, 'web'::text, 'server'::text]))),
    CONSTRAINT versions_check CHECK ((deleted OR (sha256 IS NOT NULL))),
    CONSTRAINT versions_lines_added_check CHECK ((lines_added >= 0)),
    CONSTRAINT versions_lines_removed_check CHECK ((lines_removed >= 0)),
    CONSTRAINT versions_mode_check CHECK (((mode >= 0) AND (mode <= 4095))),
    CONSTRAINT versions_outcome_check CHECK ((outcome = ANY (ARRAY['applied'::text, 'merged'::text, 'superseded'::text, 'conflict'::text, 'resolution'::text, 'conflict_copy'::text]))),
    CONSTRAINT versions_size_check CHECK ((size >= 0))
);

--
-- Name: TABLE versions; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.versions IS 'Every committed version of every path, winners and losers alike: nothing a replica wrote is lost.';

--
-- Name: COLUMN versions.id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.id IS 'Version id: the opaque version_id of the API (ETag, If-Match, history ids).';

--
-- Name: COLUMN versions.file_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.file_id IS 'The file (path) this is a version of.';

--
-- Name: COLUMN versions.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.workspace_id IS 'Workspace.';

--
-- Name: COLUMN versions.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.owner_id IS 'Owner of the workspace (denormalised for RLS and blob references).';

--
-- Name: COLUMN versions.path; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.path IS 'Path at commit time.';

--
-- Name: COLUMN versions.sha256; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.sha256 IS 'Content hash (null for a tombstone); references sandsync.blobs.';

--
-- Name: COLUMN versions.size; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.size IS 'Content length.';

--
-- Name: COLUMN versions.mode; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.mode IS 'Unix mode bits.';

--
-- Name: COLUMN versions.mtime; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.mtime IS 'Client-reported modification time (not trusted for ordering).';

--
-- Name: COLUMN versions.deleted; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.deleted IS 'Tombstone version (a delete).';

--
-- Name: COLUMN versions.vector; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.vector IS 'Version vector {replica_id: counter}.';

--
-- Name: COLUMN versions.replica_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.replica_id IS 'Replica that wrote it.';

--
-- Name: COLUMN versions.author_kind; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.author_kind IS 'Kind of the writing replica (agent, mobile, bridge, cli, web) or server.';

--
-- Name: COLUMN versions.committed_by; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.committed_by IS 'User that committed it (null for the service role).';

--
-- Name: COLUMN versions.committed_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.committed_at IS 'Server commit time (orders last-write-wins).';

--
-- Name: COLUMN versions.change_set_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.change_set_id IS 'The change set (batch) it arrived in.';

--
-- Name: COLUMN versions.lines_added; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.lines_added IS 'Lines added against its base, as reported by the client (advisory).';

--
-- Name: COLUMN versions.lines_removed; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.lines_removed IS 'Lines removed against its base, as reported by the client (advisory).';

--
-- Name: COLUMN versions.outcome; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.outcome IS 'How it entered history: applied, merged, superseded (lost), conflict (open side), resolution, conflict_copy.';

--
-- Name: COLUMN versions.agent_token_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.versions.agent_token_id IS 'Agent token that wrote this version; null for a user session or the service role.';

--
-- Name: file_history(uuid, text, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.file_history(p_workspace_id uuid, p_path text, p_limit integer DEFAULT 100) RETURNS SETOF sandsync.versions
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select v.* from sandsync.versions as v
  join sandsync.files as f on f.id = v.file_id
  where f.workspace_id = p_workspace_id and f.path = p_path
  order by v.committed_at desc, v.id desc
  limit greatest(1, least(coalesce(p_limit, 100), 10000))
$$;

--
-- Name: FUNCTION file_history(p_workspace_id uuid, p_path text, p_limit integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.file_history(p_workspace_id uuid, p_path text, p_limit integer) IS 'Versions of one path, newest first (winners, losers, conflict sides, tombstones).';

--
-- Name: get_version(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.get_version(p_version_id uuid) RETURNS SETOF sandsync.versions
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select * from sandsync.versions where id = p_version_id
$$;

--
-- Name: FUNCTION get_version(p_version_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.get_version(p_version_id uuid) IS 'One version by id (no row when unknown or not visible).';

--
-- Name: list_agent_tokens(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.list_agent_tokens(p_workspace_id uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select coalesce(jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name,
    'token_prefix', t.token_prefix, 'created_at', t.created_at, 'expires_at', t.expires_at,
    'revoked_at', t.revoked_at, 'last_used_at', t.last_used_at,
    'active', t.revoked_at is null and t.expires_at > now()) order by t.created_at), '[]'::jsonb)
  from sandsync.agent_tokens as t
  where t.workspace_id = p_workspace_id
$$;

--
-- Name: FUNCTION list_agent_tokens(p_workspace_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.list_agent_tokens(p_workspace_id uuid) IS 'Agent tokens of a workspace (never their secrets).';

--
-- Name: list_checkpoints(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.list_checkpoints(p_workspace_id uuid) RETURNS SETOF sandsync.checkpoints
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select * from sandsync.checkpoints where workspace_id = p_workspace_id order by created_at, name
$$;

--
-- Name: FUNCTION list_checkpoints(p_workspace_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.list_checkpoints(p_workspace_id uuid) IS 'The checkpoints of a workspace, oldest first.';

--
-- Name: list_conflicts(uuid, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.list_conflicts(p_workspace_id uuid, p_status text DEFAULT 'open'::text) RETURNS TABLE(conflict_id uuid, file_id uuid, path text, strategy text, merge_required boolean, status text, resolution text, created_at timestamp with time zone, file_current_version_id uuid, current_version_id uuid, current_sha256 text, current_size bigint, current_deleted boolean, current_replica_id uuid, incoming_version_id uuid, incoming_sha256 text, incoming_size bigint, incoming_deleted boolean, incoming_replica_id uuid, ancestor_version_id uuid, ancestor_sha256 text, conflict_copy_path text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select c.id, c.file_id, c.path, c.strategy, c.merge_required, c.status, c.resolution, c.created_at,
    f.current_version_id,
    c.current_version_id, cv.sha256, cv.size, cv.deleted, cv.replica_id,
    c.incoming_version_id, iv.sha256, iv.size, iv.deleted, iv.replica_id,
    c.ancestor_version_id, av.sha256, c.conflict_copy_path
  from sandsync.conflicts as c
  join sandsync.files as f on f.id = c.file_id
  left join sandsync.versions as cv on cv.id = c.current_version_id
  left join sandsync.versions as iv on iv.id = c.incoming_version_id
  left join sandsync.versions as av on av.id = c.ancestor_version_id
  where c.workspace_id = p_workspace_id and (p_status is null or c.status = p_status)
  order by c.created_at, c.id
$$;

--
-- Name: FUNCTION list_conflicts(p_workspace_id uuid, p_status text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.list_conflicts(p_workspace_id uuid, p_status text) IS 'Conflicts of a workspace (open by default; null for all) with both sides, the ancestor and the file''s current version.';

--
-- Name: list_workspaces(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.list_workspaces() RETURNS SETOF sandsync.workspaces
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select * from sandsync.workspaces order by created_at, id
$$;

--
-- Name: FUNCTION list_workspaces(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.list_workspaces() IS 'The workspaces the caller can see (RLS: their own).';

--
-- Name: quota_usage(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.quota_usage() RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select jsonb_build_object(
    'owner_id', auth.uid(),
    'limit_bytes', sandsync.effective_limit(q.limit_bytes),
    'used_bytes', coalesce(q.used_bytes, 0),
    'reserved_bytes', coalesce(q.reserved_bytes, 0),
    'workspaces', coalesce((
      select jsonb_agg(jsonb_build_object('workspace_id', w.id, 'name', w.name,
        'logical_bytes', coalesce((select sum(f.size) from sandsync.files as f where f.workspace_id = w.id and not f.deleted), 0),
        'files', (select count(*) from sandsync.files as f where f.workspace_id = w.id and not f.deleted))
        order by w.created_at)
      from sandsync.workspaces as w where w.owner_id = auth.uid()
    ), '[]'::jsonb)
  )
  from (select 1) as one
  left join sandsync.quotas as q on q.owner_id = auth.uid()
$$;

--
-- Name: FUNCTION quota_usage(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.quota_usage() IS 'The caller''s limit, used and reserved bytes, and per workspace the logical size of its current versions.';

--
-- Name: replicas; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.replicas (
    id uuid NOT NULL,
    workspace_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    kind text NOT NULL,
    name text,
    sandbox_instance text,
    last_cursor bigint DEFAULT 0 NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    daemon_state text,
    last_run_at timestamp with time zone,
    last_success_at timestamp with time zone,
    last_error text,
    pending_changes integer,
    held_deletes integer,
    health_reported_at timestamp with time zone,
    CONSTRAINT replicas_daemon_state_check CHECK ((daemon_state = ANY (ARRAY['starting'::text, 'idle'::text, 'running'::text, 'backoff'::text, 'stopping'::text]))),
    CONSTRAINT replicas_held_deletes_check CHECK ((held_deletes >= 0)),
    CONSTRAINT replicas_kind_check CHECK ((kind = ANY (ARRAY['agent'::text, 'mobile'::text, 'bridge'::text, 'cli'::text, 'web'::text]))),
    CONSTRAINT replicas_last_cursor_check CHECK ((last_cursor >= 0)),
    CONSTRAINT replicas_last_error_check CHECK ((length(last_error) <= 1000)),
    CONSTRAINT replicas_name_check CHECK ((length(name) <= 200)),
    CONSTRAINT replicas_pending_changes_check CHECK ((pending_changes >= 0)),
    CONSTRAINT replicas_sandbox_instance_check CHECK ((length(sandbox_instance) <= 200))
);

--
-- Name: TABLE replicas; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.replicas IS 'Participants of a workspace (agent, mobile, bridge...); their ids key the version vectors.';

--
-- Name: COLUMN replicas.id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.id IS 'Replica id chosen by the client (a uuid), unique within its workspace; a version-vector key.';

--
-- Name: COLUMN replicas.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.workspace_id IS 'The workspace it syncs.';

--
-- Name: COLUMN replicas.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.owner_id IS 'Owner of the workspace (denormalised for RLS).';

--
-- Name: COLUMN replicas.kind; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.kind IS 'What the replica is: agent, mobile, bridge, cli or web; recorded as author kind.';

--
-- Name: COLUMN replicas.name; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.name IS 'Display name.';

--
-- Name: COLUMN replicas.sandbox_instance; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.sandbox_instance IS 'The sandbox instance the replica last saw (detects a new, empty sandbox).';

--
-- Name: COLUMN replicas.last_cursor; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.last_cursor IS 'Last journal seq the replica reported as applied.';

--
-- Name: COLUMN replicas.last_seen_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.last_seen_at IS 'Last time the replica committed or reported.';

--
-- Name: COLUMN replicas.created_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.created_at IS 'Registration time.';

--
-- Name: COLUMN replicas.daemon_state; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.daemon_state IS 'What the replica''s daemon last reported doing: starting, idle, running, backoff (retrying after a failure) or stopping.';

--
-- Name: COLUMN replicas.last_run_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.last_run_at IS 'When the daemon last started a sync run.';

--
-- Name: COLUMN replicas.last_success_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.last_success_at IS 'When a sync run of the daemon last succeeded.';

--
-- Name: COLUMN replicas.last_error; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.last_error IS 'The last failure of the daemon (null after a success), with its error code.';

--
-- Name: COLUMN replicas.pending_changes; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.pending_changes IS 'Local changes the daemon had not committed yet, when reported.';

--
-- Name: COLUMN replicas.held_deletes; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.held_deletes IS 'Deletions the daemon holds for confirmation (--max-delete).';

--
-- Name: COLUMN replicas.health_reported_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replicas.health_reported_at IS 'When the daemon last reported its health.';

--
-- Name: register_replica(uuid, uuid, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.register_replica(p_workspace_id uuid, p_replica_id uuid, p_kind text, p_name text DEFAULT NULL::text, p_sandbox_instance text DEFAULT NULL::text) RETURNS sandsync.replicas
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_owner uuid;
  v_row sandsync.replicas;
begin
  select owner_id into v_owner from sandsync.workspaces where id = p_workspace_id;
  if v_owner is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  if p_replica_id is null or p_kind is null or p_kind not in ('agent', 'mobile', 'bridge', 'cli', 'web') then
    raise exception 'Cannot register replica "%": invalid id or kind "%"', p_replica_id, p_kind
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  insert into sandsync.replicas as r (id, workspace_id, owner_id, kind, name, sandbox_instance)
  values (p_replica_id, p_workspace_id, v_owner, p_kind, p_name, p_sandbox_instance)
  on conflict (workspace_id, id) do update set
    kind = excluded.kind,
    name = coalesce(excluded.name, r.name),
    sandbox_instance = coalesce(excluded.sandbox_instance, r.sandbox_instance),
    last_seen_at = now()
  returning * into v_row;
  return v_row;
end
$$;

--
-- Name: FUNCTION register_replica(p_workspace_id uuid, p_replica_id uuid, p_kind text, p_name text, p_sandbox_instance text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.register_replica(p_workspace_id uuid, p_replica_id uuid, p_kind text, p_name text, p_sandbox_instance text) IS 'Registers (or refreshes) a replica of a workspace; idempotent for the same id and workspace; ids are per workspace.';

--
-- Name: release_quota(text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.release_quota(p_sha256s text[]) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_owner uuid := auth.uid();
  v_released bigint;
begin
  if v_owner is null then
    raise exception 'Cannot release quota: no user' using errcode = 'SSA01', hint = 'unauthorized';
  end if;
  perform 1 from sandsync.quotas where owner_id = v_owner for update;
  with gone as (
    delete from sandsync.reservations where owner_id = v_owner and sha256 = any (p_sha256s) returning size
  )
  select coalesce(sum(size), 0) into v_released from gone;
  update sandsync.quotas set reserved_bytes = reserved_bytes - v_released, updated_at = now()
  where owner_id = v_owner and v_released > 0;
  return v_released;
end
$$;

--
-- Name: FUNCTION release_quota(p_sha256s text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.release_quota(p_sha256s text[]) IS 'Releases the caller''s reservations for these hashes (an upload given up); returns the bytes released.';

--
-- Name: replica_heartbeat(uuid, uuid, bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.replica_heartbeat(p_workspace_id uuid, p_replica_id uuid, p_last_cursor bigint DEFAULT NULL::bigint, p_sandbox_instance text DEFAULT NULL::text) RETURNS sandsync.replicas
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_row sandsync.replicas;
begin
  update sandsync.replicas set
    last_cursor = greatest(last_cursor, coalesce(p_last_cursor, last_cursor)),
    sandbox_instance = coalesce(p_sandbox_instance, sandbox_instance),
    last_seen_at = now()
  where workspace_id = p_workspace_id and id = p_replica_id
  returning * into v_row;
  if v_row.id is null then
    raise exception 'Cannot find replica "%"', p_replica_id
      using errcode = 'SSN02', hint = 'replica_not_found';
  end if;
  return v_row;
end
$$;

--
-- Name: FUNCTION replica_heartbeat(p_workspace_id uuid, p_replica_id uuid, p_last_cursor bigint, p_sandbox_instance text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.replica_heartbeat(p_workspace_id uuid, p_replica_id uuid, p_last_cursor bigint, p_sandbox_instance text) IS 'Records that a replica is alive, the journal cursor it has applied and the sandbox instance it sees.';

--
-- Name: replica_files; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.replica_files (
    replica_id uuid NOT NULL,
    path text NOT NULL,
    owner_id uuid NOT NULL,
    size bigint NOT NULL,
    mtime timestamp with time zone,
    sha256 text,
    reported_at timestamp with time zone DEFAULT now() NOT NULL,
    workspace_id uuid NOT NULL,
    CONSTRAINT replica_files_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT replica_files_size_check CHECK ((size >= 0))
);

--
-- Name: TABLE replica_files; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.replica_files IS 'Last reported state per replica and path (size, mtime, hash): change detection without downloads.';

--
-- Name: COLUMN replica_files.replica_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replica_files.replica_id IS 'Reporting replica.';

--
-- Name: COLUMN replica_files.path; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replica_files.path IS 'Path as the replica holds it.';

--
-- Name: COLUMN replica_files.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replica_files.owner_id IS 'Owner of the replica''s workspace (denormalised for RLS).';

--
-- Name: COLUMN replica_files.size; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replica_files.size IS 'Reported size.';

--
-- Name: COLUMN replica_files.mtime; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replica_files.mtime IS 'Reported modification time.';

--
-- Name: COLUMN replica_files.sha256; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replica_files.sha256 IS 'Reported content hash, if known.';

--
-- Name: COLUMN replica_files.reported_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replica_files.reported_at IS 'When it was reported.';

--
-- Name: COLUMN replica_files.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.replica_files.workspace_id IS 'The workspace of the reporting replica.';

--
-- Name: replica_state(uuid, uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.replica_state(p_workspace_id uuid, p_replica_id uuid) RETURNS SETOF sandsync.replica_files
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select * from sandsync.replica_files
  where workspace_id = p_workspace_id and replica_id = p_replica_id order by path
$$;

--
-- Name: FUNCTION replica_state(p_workspace_id uuid, p_replica_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.replica_state(p_workspace_id uuid, p_replica_id uuid) IS 'The last reported state of a replica, by path.';

--
-- Name: report_replica_health(uuid, uuid, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.report_replica_health(p_workspace_id uuid, p_replica_id uuid, p_health jsonb) RETURNS sandsync.replicas
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
declare
  v_row sandsync.replicas;
begin
  if jsonb_typeof(p_health) is distinct from 'object'
    or coalesce(p_health ->> 'state', 'idle') not in ('starting', 'idle', 'running', 'backoff', 'stopping')
    or coalesce(p_health ->> 'pending', '0') !~ '^[0-9]{1,9}$'
    or coalesce(p_health ->> 'heldDeletes', '0') !~ '^[0-9]{1,9}$'
    or coalesce(p_health ->> 'cursor', '0') !~ '^[0-9]{1,18}$'
    or length(p_health ->> 'lastError') > 1000
  then
    raise exception 'Cannot record replica health: expected {state, lastRunAt?, lastSuccessAt?, lastError?, pending?, heldDeletes?, cursor?}'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  update sandsync.replicas set
    daemon_state = p_health ->> 'state',
    last_run_at = (p_health ->> 'lastRunAt')::timestamptz,
    last_success_at = (p_health ->> 'lastSuccessAt')::timestamptz,
    last_error = p_health ->> 'lastError',
    pending_changes = (p_health ->> 'pending')::integer,
    held_deletes = (p_health ->> 'heldDeletes')::integer,
    last_cursor = greatest(last_cursor, coalesce((p_health ->> 'cursor')::bigint, last_cursor)),
    health_reported_at = now(),
    last_seen_at = now()
  where id = p_replica_id and workspace_id = p_workspace_id
  returning * into v_row;
  if v_row.id is null then
    raise exception 'Cannot find replica "%"', p_replica_id
      using errcode = 'SSN02', hint = 'replica_not_found';
  end if;
  return v_row;
end
$_$;

--
-- Name: FUNCTION report_replica_health(p_workspace_id uuid, p_replica_id uuid, p_health jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.report_replica_health(p_workspace_id uuid, p_replica_id uuid, p_health jsonb) IS 'Records a daemon''s health on its replica: {state, lastRunAt, lastSuccessAt, lastError, pending, heldDeletes, cursor}.';

--
-- Name: report_replica_state(uuid, uuid, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.report_replica_state(p_workspace_id uuid, p_replica_id uuid, p_entries jsonb) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
declare
  v_owner uuid;
  v_count integer;
begin
  select owner_id into v_owner from sandsync.replicas
  where workspace_id = p_workspace_id and id = p_replica_id;
  if v_owner is null then
    raise exception 'Cannot find replica "%"', p_replica_id using errcode = 'SSN02', hint = 'replica_not_found';
  end if;
  if jsonb_typeof(p_entries) is distinct from 'array' or exists (
    select 1 from jsonb_array_elements(p_entries) as e
    where jsonb_typeof(e -> 'path') is distinct from 'string'
      or (not coalesce((e ->> 'deleted')::boolean, false)
        and (jsonb_typeof(e -> 'size') is distinct from 'number' or (e ->> 'size') !~ '^[0-9]{1,18}$'
          or coalesce(e ->> 'sha256', repeat('0', 64)) !~ '^[0-9a-f]{64}$'))
  ) then
    raise exception 'Cannot record replica state: entries must be [{path, size, mtime?, sha256?, deleted?}]'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  delete from sandsync.replica_files as r
  using jsonb_array_elements(p_entries) as e
  where r.workspace_id = p_workspace_id and r.replica_id = p_replica_id and r.path = e ->> 'path'
    and coalesce((e ->> 'deleted')::boolean, false);
  insert into sandsync.replica_files as r (workspace_id, replica_id, path, owner_id, size, mtime, sha256)
  select p_workspace_id, p_replica_id, e ->> 'path', v_owner, (e ->> 'size')::bigint,
    (e ->> 'mtime')::timestamptz, e ->> 'sha256'
  from jsonb_array_elements(p_entries) as e
  where not coalesce((e ->> 'deleted')::boolean, false)
  on conflict (workspace_id, replica_id, path) do update set
    size = excluded.size, mtime = excluded.mtime, sha256 = excluded.sha256, reported_at = now();
  get diagnostics v_count = row_count;
  update sandsync.replicas set last_seen_at = now()
  where workspace_id = p_workspace_id and id = p_replica_id;
  return v_count;
end
$_$;

--
-- Name: FUNCTION report_replica_state(p_workspace_id uuid, p_replica_id uuid, p_entries jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.report_replica_state(p_workspace_id uuid, p_replica_id uuid, p_entries jsonb) IS 'Records what a replica holds: entries [{path, size, mtime?, sha256?}] upserted, {path, deleted: true} forgotten.';

--
-- Name: reserve_quota(jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.reserve_quota(p_items jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if auth.uid() is null then
    raise exception 'Cannot reserve quota: no user' using errcode = 'SSA01', hint = 'unauthorized';
  end if;
  return sandsync.reserve_for(auth.uid(), p_items, sandsync.current_workspace_scope());
end
$$;

--
-- Name: FUNCTION reserve_quota(p_items jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.reserve_quota(p_items jsonb) IS 'Reserves upload bytes for the caller: items [{sha256,size}] -> per item present|reserved|staged with storage_key; all or nothing (SSQ01 quota_exceeded).';

--
-- Name: resolve_conflict(uuid, uuid, text, uuid, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.resolve_conflict(p_conflict_id uuid, p_replica_id uuid, p_choice text, p_seen_current_version_id uuid, p_merged jsonb DEFAULT NULL::jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
declare
  v_ws_id uuid;
  v_ws sandsync.workspaces;
  v_conflict sandsync.conflicts;
  v_replica sandsync.replicas;
  v_file sandsync.files;
  v_incoming sandsync.versions;
  v_item sandsync.commit_item;
  v_ver sandsync.versions;
  v_seq bigint;
begin
  if p_choice is null or p_choice not in ('current', 'incoming', 'merged')
    or (p_choice = 'merged') <> (p_merged is not null) then
    raise exception 'Cannot resolve conflict "%": choice must be current, incoming, or merged with content', p_conflict_id
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  select workspace_id into v_ws_id from sandsync.conflicts where id = p_conflict_id;
  if v_ws_id is null then
    raise exception 'Cannot find conflict "%"', p_conflict_id
      using errcode = 'SSN03', hint = 'conflict_not_found';
  end if;
  -- Same lock order as commit_changes: the workspace row first.
  select * into v_ws from sandsync.workspaces where id = v_ws_id for no key update;
  select * into v_conflict from sandsync.conflicts where id = p_conflict_id for update;
  if v_conflict.status <> 'open' then
    raise exception 'Cannot resolve conflict "%": already resolved', p_conflict_id
      using errcode = 'SSC03', hint = 'conflict_closed';
  end if;
  select * into v_replica from sandsync.replicas where id = p_replica_id and workspace_id = v_ws_id;
  if not found then
    raise exception 'Cannot resolve conflict "%": replica "%" is not registered in its workspace', p_conflict_id, p_replica_id
      using errcode = 'SSN02', hint = 'replica_not_found';
  end if;
  select * into v_file from sandsync.files where id = v_conflict.file_id for update;
  if p_seen_current_version_id is distinct from v_file.current_version_id then
    raise exception 'Cannot resolve conflict "%": "%" changed since version "%"', p_conflict_id, v_file.path, p_seen_current_version_id
      using errcode = 'SSC01', hint = 'precondition_failed',
        detail = format('current_version_id=%s', v_file.current_version_id);
  end if;
  select * into v_incoming from sandsync.versions where id = v_conflict.incoming_version_id;

  v_item.ord := 1;
  v_item.path := v_file.path;
  v_item.base := '{}';
  if p_choice = 'current' then
    v_item.deleted := v_file.deleted;
    v_item.sha256 := v_file.sha256;
    v_item.size := v_file.size;
    v_item.mode := v_file.mode;
    v_item.mtime := v_file.mtime;
  elsif p_choice = 'incoming' then
    v_item.deleted := v_incoming.deleted;
    v_item.sha256 := v_incoming.sha256;
    v_item.size := v_incoming.size;
    v_item.mode := v_incoming.mode;
    v_item.mtime := v_incoming.mtime;
  else
    if jsonb_typeof(p_merged) <> 'object'
      or jsonb_typeof(p_merged -> 'sha256') is distinct from 'string' or (p_merged ->> 'sha256') !~ '^[0-9a-f]{64}$'
      or jsonb_typeof(p_merged -> 'size') is distinct from 'number' or (p_merged ->> 'size') !~ '^[0-9]{1,18}$'
      or coalesce(p_merged ->> 'mode', '0') !~ '^[0-9]{1,4}$' or coalesce((p_merged ->> 'mode')::integer, 0) > 4095 then
      raise exception 'Cannot resolve conflict "%": merged content needs "sha256", "size" and optionally "mode"', p_conflict_id
        using errcode = 'SSI01', hint = 'validation_failed';
    end if;
    v_item.deleted := false;
    v_item.sha256 := p_merged ->> 'sha256';
    v_item.size := (p_merged ->> 'size')::bigint;
    v_item.mode := coalesce((p_merged ->> 'mode')::integer, v_file.mode);
    v_item.mtime := null;
    v_item.lines_added := case when p_merged ->> 'lines_added' ~ '^[0-9]{1,9}$' then (p_merged ->> 'lines_added')::integer end;
    v_item.lines_removed := case when p_merged ->> 'lines_removed' ~ '^[0-9]{1,9}$' then (p_merged ->> 'lines_removed')::integer end;
    if not exists (
      select 1 from sandsync.blobs
      where owner_id = v_ws.owner_id and sha256 = v_item.sha256 and size = v_item.size and state = 'stored'
    ) then
      raise exception 'Cannot resolve conflict "%": blob "%" of size % is not stored', p_conflict_id, v_item.sha256, v_item.size
        using errcode = 'SSN04', hint = 'blob_missing';
    end if;
  end if;

  v_ver := sandsync.add_version(v_ws, v_file.id, v_item,
    sandsync.vv_bump(sandsync.vv_merge(v_file.vector, coalesce(v_incoming.vector, '{}')), p_replica_id),
    v_replica, null, 'resolution');
  v_seq := v_ws.last_seq + 1;
  perform sandsync.make_current(v_ver, v_seq, p_conflict_id);
  update sandsync.workspaces set last_seq = v_seq where id = v_ws_id;
  update sandsync.conflicts set status = 'resolved', resolution = p_choice, resolved_version_id = v_ver.id,
    resolved_by = auth.uid(), resolved_at = now()
  where id = p_conflict_id;
  perform pg_notify('sandsync_changes', json_build_object('workspace_id', v_ws_id, 'seq', v_seq)::text);
  return jsonb_build_object('conflict_id', p_conflict_id, 'version_id', v_ver.id, 'vector', v_ver.vector,
    'seq', v_seq, 'resolution', p_choice);
end
$_$;

--
-- Name: FUNCTION resolve_conflict(p_conflict_id uuid, p_replica_id uuid, p_choice text, p_seen_current_version_id uuid, p_merged jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.resolve_conflict(p_conflict_id uuid, p_replica_id uuid, p_choice text, p_seen_current_version_id uuid, p_merged jsonb) IS 'Resolves an open conflict with current, incoming or merged {sha256,size[,mode]} content as a new version dominating both sides; refuses a stale view.';

--
-- Name: restore_point(uuid, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.restore_point(p_workspace_id uuid, p_at text DEFAULT NULL::text) RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $_$
declare
  v_last bigint;
  v_seq bigint;
  v_time timestamptz;
begin
  select last_seq into v_last from sandsync.workspaces where id = p_workspace_id;
  if v_last is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  if p_at is null then
    return v_last;
  end if;
  select seq into v_seq from sandsync.checkpoints where workspace_id = p_workspace_id and name = p_at;
  if v_seq is not null then
    return v_seq;
  end if;
  if p_at ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    -- A version: the journal entry that made it current, else the state at its commit time.
    select c.seq into v_seq from sandsync.changes as c
    where c.workspace_id = p_workspace_id and c.kind = 'file' and c.version_id = p_at::uuid
    order by c.seq desc limit 1;
    if v_seq is not null then
      return v_seq;
    end if;
    select v.committed_at into v_time from sandsync.versions as v
    where v.workspace_id = p_workspace_id and v.id = p_at::uuid;
  elsif p_at ~ '^\d{4}-\d{2}-\d{2}([T ][0-9:.]+)?(Z|[+-]\d{2}(:?\d{2})?)?$' then
    begin
      v_time := p_at::timestamptz;
    exception
      when invalid_datetime_format or datetime_field_overflow then
        v_time := null;
    end;
  end if;
  if v_time is null then
    raise exception 'Cannot find restore point "%" in workspace "%"', p_at, p_workspace_id
      using errcode = 'SSK02', hint = 'restore_point_not_found';
  end if;
  select coalesce(max(c.seq), 0) into v_seq from sandsync.changes as c
  where c.workspace_id = p_workspace_id and c.committed_at <= v_time;
  return v_seq;
end
$_$;

--
-- Name: FUNCTION restore_point(p_workspace_id uuid, p_at text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.restore_point(p_workspace_id uuid, p_at text) IS 'The journal position of a restore target: a checkpoint name, a version id, an ISO time, or null (now).';

--
-- Name: revoke_agent_token(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.revoke_agent_token(p_token_id uuid) RETURNS boolean
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  with revoked as (
    update sandsync.agent_tokens set revoked_at = coalesce(revoked_at, now())
    where id = p_token_id returning 1
  )
  select exists (select 1 from revoked)
$$;

--
-- Name: FUNCTION revoke_agent_token(p_token_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.revoke_agent_token(p_token_id uuid) IS 'Revokes an agent token; false when the caller cannot see it.';

--
-- Name: service_begin_pack(uuid, uuid, text, bigint, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_begin_pack(p_owner_id uuid, p_workspace_id uuid, p_sha256 text, p_size bigint, p_entries jsonb) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
declare
  v_state text;
begin
  if p_sha256 is null or p_sha256 !~ '^[0-9a-f]{64}$' or p_size is null or p_size <= 0
    or p_entries is null or jsonb_typeof(p_entries) <> 'array' or jsonb_array_length(p_entries) = 0
    or p_size <> (select coalesce(sum((e ->> 'size')::bigint), -1) from jsonb_array_elements(p_entries) as e)
  then
    raise exception 'Cannot record pack "%": invalid hash, size or entries', p_sha256
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  if not exists (select 1 from sandsync.workspaces where id = p_workspace_id and owner_id = p_owner_id) then
    raise exception 'Cannot record pack "%": workspace % of owner % not found', p_sha256, p_workspace_id, p_owner_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  insert into sandsync.packs (workspace_id, sha256, owner_id, size)
  values (p_workspace_id, p_sha256, p_owner_id, p_size)
  on conflict (workspace_id, sha256) do nothing;
  select state into v_state from sandsync.packs where workspace_id = p_workspace_id and sha256 = p_sha256;
  insert into sandsync.pack_entries (workspace_id, pack_sha256, sha256, owner_id, pack_offset, size)
  select p_workspace_id, p_sha256, e ->> 'sha256', p_owner_id, (e ->> 'offset')::bigint, (e ->> 'size')::bigint
  from jsonb_array_elements(p_entries) as e
  on conflict do nothing;
  return v_state;
end
$_$;

--
-- Name: FUNCTION service_begin_pack(p_owner_id uuid, p_workspace_id uuid, p_sha256 text, p_size bigint, p_entries jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_begin_pack(p_owner_id uuid, p_workspace_id uuid, p_sha256 text, p_size bigint, p_entries jsonb) IS 'Service only: records a pack about to be written (pending) with its entries [{sha256, offset, size}], before the object lands (its landing settles the entries'' reservations); returns the pack''s state.';

--
-- Name: service_collect_blobs(interval, uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_collect_blobs(p_grace interval DEFAULT '01:00:00'::interval, p_owner_id uuid DEFAULT NULL::uuid) RETURNS TABLE(owner_id uuid, sha256 text, storage_key text)
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_grace interval := coalesce(p_grace, interval '1 hour');
begin
  -- The owners' quota rows first (the order every path uses), then the candidate blob rows:
  -- FOR UPDATE waits for commits holding them (FK key-share or the versions trigger).
  perform 1 from sandsync.quotas as q
  where (p_owner_id is null or q.owner_id = p_owner_id)
    and exists (select 1 from sandsync.blobs as b where b.owner_id = q.owner_id
      and (b.state = 'collecting' or b.created_at < now() - v_grace))
  order by q.owner_id for update;
  perform 1 from sandsync.blobs as b
  where (p_owner_id is null or b.owner_id = p_owner_id)
    and (b.state = 'collecting' or b.created_at < now() - v_grace)
    and not exists (select 1 from sandsync.versions as v where v.owner_id = b.owner_id and v.sha256 = b.sha256)
    and not exists (select 1 from sandsync.reservations as r where r.owner_id = b.owner_id and r.sha256 = b.sha256)
  order by b.owner_id, b.sha256
  for update;
  -- A fresh snapshot: a commit that held a row and committed meanwhile is seen here.
  return query
  update sandsync.blobs as b set state = 'collecting'
  where (p_owner_id is null or b.owner_id = p_owner_id)
    and (b.state = 'collecting' or b.created_at < now() - v_grace)
    and not exists (select 1 from sandsync.versions as v where v.owner_id = b.owner_id and v.sha256 = b.sha256)
    and not exists (select 1 from sandsync.reservations as r where r.owner_id = b.owner_id and r.sha256 = b.sha256)
  returning b.owner_id, b.sha256, b.storage_key;
end
$$;

--
-- Name: FUNCTION service_collect_blobs(p_grace interval, p_owner_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_collect_blobs(p_grace interval, p_owner_id uuid) IS 'Service only: marks blobs nothing references (past the grace; of one owner when given) collecting and returns their keys; remove the objects through Storage, then call service_finish_collect.';

--
-- Name: service_collect_pack(uuid, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_collect_pack(p_workspace_id uuid, p_sha256 text) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_key text;
begin
  -- Lock first (waits for commits holding the pack FOR SHARE), then decide in a fresh snapshot.
  perform 1 from sandsync.packs where workspace_id = p_workspace_id and sha256 = p_sha256 for update;
  update sandsync.packs as p set state = 'collecting'
    where p.workspace_id = p_workspace_id and p.sha256 = p_sha256
      and (p.state <> 'pending' or p.created_at < now() - interval '1 hour')
      and not exists (
        select 1 from sandsync.pack_entries as e
        where e.workspace_id = p.workspace_id and e.pack_sha256 = p.sha256
          and exists (select 1 from sandsync.versions as v
            where v.workspace_id = e.workspace_id and v.sha256 = e.sha256)
          and not exists (
            select 1 from sandsync.pack_entries as o
            join sandsync.packs as q on q.workspace_id = o.workspace_id and q.sha256 = o.pack_sha256
            where o.workspace_id = e.workspace_id and o.sha256 = e.sha256
              and q.sha256 <> p.sha256 and q.state = 'stored')
      )
    returning p.storage_key into v_key;
  return v_key;
end
$$;

--
-- Name: FUNCTION service_collect_pack(p_workspace_id uuid, p_sha256 text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_collect_pack(p_workspace_id uuid, p_sha256 text) IS 'Service only: marks a pack collecting when none of its live entries depends on it (each is dead or held by another stored pack); returns its key to remove, or null.';

--
-- Name: service_expire_reservations(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_expire_reservations() RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_count integer;
begin
  -- Lock the owners' quota rows first (the order every path uses), then release.
  perform 1 from sandsync.quotas
  where owner_id in (select owner_id from sandsync.reservations where expires_at < now())
  order by owner_id for update;
  with gone as (
    delete from sandsync.reservations where expires_at < now() returning owner_id, size
  ), per_owner as (
    select owner_id, sum(size) as bytes, count(*) as n from gone group by owner_id
  ), upd as (
    update sandsync.quotas as q set reserved_bytes = q.reserved_bytes - p.bytes, updated_at = now()
    from per_owner as p where q.owner_id = p.owner_id
    returning p.n
  )
  select coalesce(sum(n), 0) into v_count from upd;
  return v_count;
end
$$;

--
-- Name: FUNCTION service_expire_reservations(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_expire_reservations() IS 'Service only: releases expired upload reservations; returns how many.';

--
-- Name: service_finish_collect(uuid, text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_finish_collect(p_owner_id uuid, p_sha256s text[]) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_count integer;
begin
  perform 1 from sandsync.quotas where owner_id = p_owner_id for update;
  -- The removal is done: an object under the key now was uploaded afresh after it.
  update sandsync.blobs as b set state = 'pending', stored_at = null
  where b.owner_id = p_owner_id and b.sha256 = any (p_sha256s) and b.state = 'collecting'
    and (exists (select 1 from storage.objects as o where o.bucket_id = 'sandsync' and o.name = b.storage_key)
      or exists (select 1 from sandsync.reservations as r where r.owner_id = b.owner_id and r.sha256 = b.sha256));
  with gone as (
    delete from sandsync.blobs as b
    where b.owner_id = p_owner_id and b.sha256 = any (p_sha256s) and b.state in ('collecting', 'pending')
      and not exists (select 1 from storage.objects as o where o.bucket_id = 'sandsync' and o.name = b.storage_key)
      and not exists (select 1 from sandsync.versions as v where v.owner_id = b.owner_id and v.sha256 = b.sha256)
      and not exists (select 1 from sandsync.reservations as r where r.owner_id = b.owner_id and r.sha256 = b.sha256)
    returning 1
  )
  select count(*)::integer into v_count from gone;
  return v_count;
end
$$;

--
-- Name: FUNCTION service_finish_collect(p_owner_id uuid, p_sha256s text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_finish_collect(p_owner_id uuid, p_sha256s text[]) IS 'Service only: after the objects were removed, deletes the collected rows that still have no object, reservation or version; returns how many.';

--
-- Name: service_finish_pack(uuid, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_finish_pack(p_workspace_id uuid, p_sha256 text) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_pack sandsync.packs;
begin
  select * into v_pack from sandsync.packs
  where workspace_id = p_workspace_id and sha256 = p_sha256 for update;
  if v_pack.sha256 is null then
    raise exception 'Cannot finish pack "%": not recorded', p_sha256
      using errcode = 'SSN04', hint = 'blob_missing';
  end if;
  if v_pack.state = 'collecting' then
    return v_pack.state;
  end if;
  if not exists (select 1 from storage.objects as o where o.bucket_id = 'sandsync'
      and o.name = v_pack.storage_key and (o.metadata ->> 'size')::bigint = v_pack.size) then
    raise exception 'Cannot finish pack "%": its object is missing or of another size', p_sha256
      using errcode = 'SSN04', hint = 'blob_missing';
  end if;
  update sandsync.packs set state = 'stored', stored_at = coalesce(stored_at, now())
  where workspace_id = p_workspace_id and sha256 = p_sha256;
  -- The entries' blobs are verified bytes now; a blob with an object of its own stays loose.
  update sandsync.blobs as b set state = 'stored', stored_at = coalesce(b.stored_at, now()),
    packed = case when b.state = 'stored' then b.packed else true end
  from sandsync.pack_entries as e
  where e.workspace_id = p_workspace_id and e.pack_sha256 = p_sha256
    and b.owner_id = e.owner_id and b.sha256 = e.sha256 and b.size = e.size
    and b.state <> 'collecting';
  return 'stored';
end
$$;

--
-- Name: FUNCTION service_finish_pack(p_workspace_id uuid, p_sha256 text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_finish_pack(p_workspace_id uuid, p_sha256 text) IS 'Service only: after the pack object landed (its size checked here, its bytes hashed by the caller), marks the pack and its entries'' blobs stored.';

--
-- Name: service_finish_pack_collect(text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_finish_pack_collect(p_keys text[]) RETURNS integer
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  with gone as (
    delete from sandsync.packs as p
    where p.storage_key = any (p_keys) and p.state = 'collecting'
      and not exists (select 1 from storage.objects as o where o.bucket_id = 'sandsync' and o.name = p.storage_key)
    returning 1
  )
  select count(*)::integer from gone
$$;

--
-- Name: FUNCTION service_finish_pack_collect(p_keys text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_finish_pack_collect(p_keys text[]) IS 'Service only: forgets collecting packs whose objects are gone; returns how many.';

--
-- Name: service_grant_blobs(uuid, text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_grant_blobs(p_workspace_id uuid, p_sha256s text[]) RETURNS integer
    LANGUAGE sql
    SET search_path TO ''
    AS $_$
  with granted as (
    insert into sandsync.blob_grants (workspace_id, owner_id, sha256)
    select w.id, w.owner_id, h.sha256
    from sandsync.workspaces as w, unnest(p_sha256s) as h (sha256)
    where w.id = p_workspace_id and h.sha256 ~ '^[0-9a-f]{64}$'
    on conflict (workspace_id, sha256) do nothing
    returning 1
  )
  select count(*)::integer from granted
$_$;

--
-- Name: FUNCTION service_grant_blobs(p_workspace_id uuid, p_sha256s text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_grant_blobs(p_workspace_id uuid, p_sha256s text[]) IS 'Service only: records that the workspace sent these blobs'' bytes (the server hashed them).';

--
-- Name: blobs; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.blobs (
    owner_id uuid NOT NULL,
    sha256 text NOT NULL,
    size bigint NOT NULL,
    storage_key text GENERATED ALWAYS AS ((((((owner_id)::text || '/'::text) || substr(sha256, 1, 2)) || '/'::text) || sha256)) STORED,
    state text DEFAULT 'pending'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    stored_at timestamp with time zone,
    packed boolean DEFAULT false NOT NULL,
    CONSTRAINT blobs_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT blobs_size_check CHECK ((size >= 0)),
    CONSTRAINT blobs_state_check CHECK ((state = ANY (ARRAY['pending'::text, 'stored'::text, 'collecting'::text])))
);

--
-- Name: TABLE blobs; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.blobs IS 'Content-addressed file bytes per owner: size, storage key in the sync bucket, verification state.';

--
-- Name: COLUMN blobs.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blobs.owner_id IS 'Owner whose quota pays for the bytes (first segment of the key).';

--
-- Name: COLUMN blobs.sha256; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blobs.sha256 IS 'Lowercase hex SHA-256 of the content.';

--
-- Name: COLUMN blobs.size; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blobs.size IS 'Content length in bytes.';

--
-- Name: COLUMN blobs.storage_key; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blobs.storage_key IS 'Object name in the sandsync bucket: <owner>/<sha[0:2]>/<sha>.';

--
-- Name: COLUMN blobs.state; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blobs.state IS 'pending until the service verified the stored bytes, then stored; collecting while housekeeping removes the object. Only stored blobs can be committed.';

--
-- Name: COLUMN blobs.created_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blobs.created_at IS 'When the blob was first announced (reserved).';

--
-- Name: COLUMN blobs.stored_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blobs.stored_at IS 'When the bytes were verified.';

--
-- Name: COLUMN blobs.packed; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blobs.packed IS 'true when the bytes live only in packs (no object at storage_key): a workspace can use the blob only where one of its stored packs holds it.';

--
-- Name: service_mark_blob_stored(uuid, text, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_mark_blob_stored(p_owner_id uuid, p_sha256 text, p_size bigint) RETURNS sandsync.blobs
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
declare
  v_row sandsync.blobs;
begin
  if p_owner_id is null or p_sha256 is null or p_sha256 !~ '^[0-9a-f]{64}$'
    or p_size is null or p_size < 0 then
    raise exception 'Cannot mark blob "%" stored: invalid owner, hash or size', p_sha256
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  -- Called once the blob's own object was verified: the blob is loose (packed = false).
  insert into sandsync.blobs as b (owner_id, sha256, size, state, stored_at)
  values (p_owner_id, p_sha256, p_size, 'stored', now())
  on conflict (owner_id, sha256) do update
    set state = 'stored', stored_at = coalesce(b.stored_at, now()), packed = false
    where b.size = excluded.size
  returning * into v_row;
  if v_row.sha256 is null then
    raise exception 'Cannot mark blob "%" stored: size % differs from the recorded size', p_sha256, p_size
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  return v_row;
end
$_$;

--
-- Name: FUNCTION service_mark_blob_stored(p_owner_id uuid, p_sha256 text, p_size bigint); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_mark_blob_stored(p_owner_id uuid, p_sha256 text, p_size bigint) IS 'Service only: records that the bytes of (owner, sha256) were verified in Storage; commits may now reference them.';

--
-- Name: service_pack_usage(interval, uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_pack_usage(p_grace interval DEFAULT '01:00:00'::interval, p_owner_id uuid DEFAULT NULL::uuid) RETURNS TABLE(owner_id uuid, workspace_id uuid, sha256 text, storage_key text, state text, size bigint, live_bytes bigint)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select p.owner_id, p.workspace_id, p.sha256, p.storage_key, p.state, p.size,
    coalesce((
      select sum(e.size) from sandsync.pack_entries as e
      where e.workspace_id = p.workspace_id and e.pack_sha256 = p.sha256
        and exists (select 1 from sandsync.versions as v
          where v.workspace_id = e.workspace_id and v.sha256 = e.sha256)
    ), 0)::bigint
  from sandsync.packs as p
  where (p_owner_id is null or p.owner_id = p_owner_id)
    and (p.state = 'collecting' or p.created_at < now() - coalesce(p_grace, interval '1 hour'))
    -- A pending pack may be in the middle of its upload: only an abandoned one (an hour) goes.
    and (p.state <> 'pending' or p.created_at < now() - interval '1 hour')
  order by p.owner_id, p.workspace_id, p.sha256
$$;

--
-- Name: FUNCTION service_pack_usage(p_grace interval, p_owner_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_pack_usage(p_grace interval, p_owner_id uuid) IS 'Service only: packs past the grace with the bytes of their live entries (a version of the workspace holds the blob): candidates for repacking or collection.';

--
-- Name: service_prune_history(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_prune_history(p_workspace_id uuid DEFAULT NULL::uuid) RETURNS integer
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  with ranked as (
    select v.id, v.committed_at, w.retention_versions, w.retention_age,
      row_number() over (partition by v.file_id order by v.committed_at desc, v.id desc) as rn
    from sandsync.versions as v
    join sandsync.workspaces as w on w.id = v.workspace_id
    where p_workspace_id is null or v.workspace_id = p_workspace_id
  ), doomed as (
    select r.id from ranked as r
    where (r.rn > r.retention_versions or r.committed_at < now() - r.retention_age)
      and not exists (select 1 from sandsync.files as f where f.current_version_id = r.id)
      and not exists (
        select 1 from sandsync.conflicts as c
        where c.status = 'open' and r.id in (c.current_version_id, c.incoming_version_id, c.ancestor_version_id)
      )
  ), gone as (
    delete from sandsync.versions as v using doomed as d where v.id = d.id returning 1
  )
  select count(*)::integer from gone
$$;

--
-- Name: FUNCTION service_prune_history(p_workspace_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_prune_history(p_workspace_id uuid) IS 'Service only: deletes versions beyond retention_versions per file or older than retention_age (never current ones or open conflicts'' sides); returns how many.';

--
-- Name: service_recompute_usage(uuid, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_recompute_usage(p_owner_id uuid DEFAULT NULL::uuid, p_fix boolean DEFAULT false) RETURNS TABLE(owner_id uuid, limit_bytes bigint, used_bytes bigint, actual_used_bytes bigint, reserved_bytes bigint, actual_reserved_bytes bigint, consistent boolean)
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
begin
  if p_fix then
    with actual as (
      select split_part(o.name, '/', 1)::uuid as owner_id, sum(coalesce((o.metadata ->> 'size')::bigint, 0)) as bytes
      from storage.objects as o
      where o.bucket_id = 'sandsync' and split_part(o.name, '/', 1) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      group by 1
    )
    update sandsync.quotas as q set
      used_bytes = coalesce((select a.bytes from actual as a where a.owner_id = q.owner_id), 0),
      reserved_bytes = coalesce((select sum(r.size) from sandsync.reservations as r where r.owner_id = q.owner_id), 0),
      updated_at = now()
    where p_owner_id is null or q.owner_id = p_owner_id;
  end if;
  return query
    with actual as (
      select split_part(o.name, '/', 1)::uuid as owner_id, sum(coalesce((o.metadata ->> 'size')::bigint, 0))::bigint as bytes
      from storage.objects as o
      where o.bucket_id = 'sandsync' and split_part(o.name, '/', 1) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      group by 1
    ), owners as (
      select q.owner_id from sandsync.quotas as q union select a.owner_id from actual as a
    )
    select o.owner_id, sandsync.effective_limit(q.limit_bytes),
      coalesce(q.used_bytes, 0), coalesce(a.bytes, 0),
      coalesce(q.reserved_bytes, 0),
      coalesce((select sum(r.size) from sandsync.reservations as r where r.owner_id = o.owner_id), 0)::bigint,
      coalesce(q.used_bytes, 0) = coalesce(a.bytes, 0)
        and coalesce(q.reserved_bytes, 0) = coalesce((select sum(r.size) from sandsync.reservations as r where r.owner_id = o.owner_id), 0)
    from owners as o
    left join sandsync.quotas as q on q.owner_id = o.owner_id
    left join actual as a on a.owner_id = o.owner_id
    where p_owner_id is null or o.owner_id = p_owner_id
    order by o.owner_id;
end
$_$;

--
-- Name: FUNCTION service_recompute_usage(p_owner_id uuid, p_fix boolean); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_recompute_usage(p_owner_id uuid, p_fix boolean) IS 'Service only: recomputes used bytes from storage.objects and reserved from reservations, compares with the counters, optionally fixes them.';

--
-- Name: service_reserve_quota(uuid, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_reserve_quota(p_owner_id uuid, p_items jsonb) RETURNS jsonb
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  select sandsync.reserve_for(p_owner_id, p_items)
$$;

--
-- Name: FUNCTION service_reserve_quota(p_owner_id uuid, p_items jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_reserve_quota(p_owner_id uuid, p_items jsonb) IS 'Service only: reserve_quota on behalf of an owner.';

--
-- Name: service_resolve_agent_token(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_resolve_agent_token(p_token_hash text) RETURNS TABLE(token_id uuid, workspace_id uuid, owner_id uuid)
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  update sandsync.agent_tokens as t set last_used_at = now()
  where t.token_hash = p_token_hash and t.revoked_at is null and t.expires_at > now()
  returning t.id, t.workspace_id, t.owner_id
$$;

--
-- Name: FUNCTION service_resolve_agent_token(p_token_hash text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_resolve_agent_token(p_token_hash text) IS 'Service only: the grant of a live agent token, by the SHA-256 of the token presented.';

--
-- Name: settings; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.settings (
    id boolean DEFAULT true NOT NULL,
    default_quota_bytes bigint DEFAULT '10737418240'::bigint NOT NULL,
    reservation_ttl interval DEFAULT '01:00:00'::interval NOT NULL,
    sync_bucket text DEFAULT 'sandsync'::text NOT NULL,
    CONSTRAINT settings_default_quota_bytes_check CHECK ((default_quota_bytes >= 0)),
    CONSTRAINT settings_id_check CHECK (id),
    CONSTRAINT settings_reservation_ttl_check CHECK ((reservation_ttl > '00:00:00'::interval))
);

--
-- Name: TABLE settings; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.settings IS 'Service-wide settings (a single row).';

--
-- Name: COLUMN settings.id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.settings.id IS 'Always true: there is one row.';

--
-- Name: COLUMN settings.default_quota_bytes; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.settings.default_quota_bytes IS 'Limit for owners without a per-owner limit (default 10 GiB).';

--
-- Name: COLUMN settings.reservation_ttl; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.settings.reservation_ttl IS 'How long an upload reservation holds its bytes.';

--
-- Name: COLUMN settings.sync_bucket; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.settings.sync_bucket IS 'The Storage bucket holding blobs (informational; the trigger and policies name it).';

--
-- Name: service_set_default_quota(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_set_default_quota(p_limit_bytes bigint) RETURNS sandsync.settings
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  update sandsync.settings set default_quota_bytes = p_limit_bytes returning *
$$;

--
-- Name: FUNCTION service_set_default_quota(p_limit_bytes bigint); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_set_default_quota(p_limit_bytes bigint) IS 'Service only: sets the default per-owner limit.';

--
-- Name: quotas; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.quotas (
    owner_id uuid NOT NULL,
    limit_bytes bigint,
    used_bytes bigint DEFAULT 0 NOT NULL,
    reserved_bytes bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT quotas_limit_bytes_check CHECK ((limit_bytes >= 0)),
    CONSTRAINT quotas_reserved_bytes_check CHECK ((reserved_bytes >= 0))
);

--
-- Name: TABLE quotas; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.quotas IS 'Per-owner byte limit and counters; used moves only through the storage.objects trigger.';

--
-- Name: COLUMN quotas.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.quotas.owner_id IS 'Owner (a user id; the first segment of their object keys).';

--
-- Name: COLUMN quotas.limit_bytes; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.quotas.limit_bytes IS 'Per-owner limit; null means settings.default_quota_bytes.';

--
-- Name: COLUMN quotas.used_bytes; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.quotas.used_bytes IS 'Bytes of the owner''s objects in the sync bucket (trigger-maintained).';

--
-- Name: COLUMN quotas.reserved_bytes; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.quotas.reserved_bytes IS 'Sum of the owner''s open reservations.';

--
-- Name: COLUMN quotas.updated_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.quotas.updated_at IS 'Last counter change.';

--
-- Name: service_set_quota_limit(uuid, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_set_quota_limit(p_owner_id uuid, p_limit_bytes bigint) RETURNS sandsync.quotas
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  insert into sandsync.quotas as q (owner_id, limit_bytes) values (p_owner_id, p_limit_bytes)
  on conflict (owner_id) do update set limit_bytes = excluded.limit_bytes, updated_at = now()
  returning *
$$;

--
-- Name: FUNCTION service_set_quota_limit(p_owner_id uuid, p_limit_bytes bigint); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_set_quota_limit(p_owner_id uuid, p_limit_bytes bigint) IS 'Service only: sets an owner''s limit in bytes (null: back to the default).';

--
-- Name: service_stray_objects(interval, uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.service_stray_objects(p_grace interval DEFAULT '01:00:00'::interval, p_owner_id uuid DEFAULT NULL::uuid) RETURNS TABLE(name text)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $_$
  select o.name from storage.objects as o
  where o.bucket_id = 'sandsync'
    and (p_owner_id is null or o.name like p_owner_id::text || '/%')
    and o.created_at < now() - coalesce(p_grace, interval '1 hour')
    and not exists (select 1 from sandsync.packs as p where p.storage_key = o.name)
    and (
      o.name !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[0-9a-f]{2}/[0-9a-f]{64}$'
      or substr(split_part(o.name, '/', 3), 1, 2) <> split_part(o.name, '/', 2)
      or not exists (select 1 from sandsync.blobs as b
        where b.owner_id = sandsync.object_owner(o.name) and b.sha256 = split_part(o.name, '/', 3))
    )
  order by o.name
$_$;

--
-- Name: FUNCTION service_stray_objects(p_grace interval, p_owner_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.service_stray_objects(p_grace interval, p_owner_id uuid) IS 'Service only: sync-bucket objects (past the grace) that are neither a known blob''s key nor a known pack''s: to remove through Storage.';

--
-- Name: update_workspace(uuid, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.update_workspace(p_workspace_id uuid, p_settings jsonb) RETURNS sandsync.workspaces
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_row sandsync.workspaces;
begin
  if jsonb_typeof(p_settings) is distinct from 'object' or exists (
    select 1 from jsonb_object_keys(p_settings) as k
    where k not in ('name', 'sandbox_id', 'strategy', 'merge_fallback', 'conflict_copies',
      'retention_versions', 'retention_age', 'sync_git')
  ) then
    raise exception 'Cannot update workspace "%": unknown setting', p_workspace_id
      using errcode = 'SSI01', hint = 'validation_failed';
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
        using errcode = 'SSI01', hint = 'validation_failed';
  end;
  if v_row.id is null then
    raise exception 'Cannot find workspace "%"', p_workspace_id
      using errcode = 'SSN01', hint = 'workspace_not_found';
  end if;
  return v_row;
end
$$;

--
-- Name: FUNCTION update_workspace(p_workspace_id uuid, p_settings jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.update_workspace(p_workspace_id uuid, p_settings jsonb) IS 'Changes workspace settings (name, sandbox_id, strategy, merge_fallback, conflict_copies, retention_versions, retention_age, sync_git).';

--
-- Name: workspace_cursor(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.workspace_cursor(p_workspace_id uuid) RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select last_seq from sandsync.workspaces where id = p_workspace_id
$$;

--
-- Name: FUNCTION workspace_cursor(p_workspace_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.workspace_cursor(p_workspace_id uuid) IS 'The last committed seq of the workspace (null if not visible): start a fresh replica here after a manifest read.';

--
-- Name: workspace_manifest(uuid, text, integer, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.workspace_manifest(p_workspace_id uuid, p_after_path text DEFAULT NULL::text, p_limit integer DEFAULT 1000, p_include_deleted boolean DEFAULT false) RETURNS TABLE(path text, version_id uuid, sha256 text, size bigint, mode integer, mtime timestamp with time zone, deleted boolean, vector jsonb, replica_id uuid, committed_at timestamp with time zone, seq bigint)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select f.path, f.current_version_id, f.sha256, f.size, f.mode, f.mtime, f.deleted, f.vector,
    f.replica_id, f.committed_at, f.seq
  from sandsync.files as f
  where f.workspace_id = p_workspace_id
    and (p_after_path is null or f.path > p_after_path)
    and (p_include_deleted or not f.deleted)
    and f.current_version_id is not null
  order by f.path
  limit greatest(1, least(coalesce(p_limit, 1000), 10000))
$$;

--
-- Name: FUNCTION workspace_manifest(p_workspace_id uuid, p_after_path text, p_limit integer, p_include_deleted boolean); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.workspace_manifest(p_workspace_id uuid, p_after_path text, p_limit integer, p_include_deleted boolean) IS 'Current state of a workspace in path order, after p_after_path (keyset paging), at most p_limit rows; tombstones on request.';

--
-- Name: workspace_state_at(uuid, bigint, text, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.workspace_state_at(p_workspace_id uuid, p_seq bigint, p_after_path text DEFAULT NULL::text, p_limit integer DEFAULT 1000) RETURNS TABLE(path text, version_id uuid, sha256 text, size bigint, mode integer, mtime timestamp with time zone, seq bigint)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select s.path, s.version_id, s.sha256, s.size, s.mode, s.mtime, s.seq
  from (
    select distinct on (c.file_id) c.path, c.version_id, c.sha256, c.size, c.mode, c.mtime, c.seq,
      c.deleted
    from sandsync.changes as c
    where c.workspace_id = p_workspace_id and c.kind = 'file' and c.seq <= p_seq
    order by c.file_id, c.seq desc
  ) as s
  where not s.deleted and (p_after_path is null or s.path > p_after_path)
  order by s.path
  limit greatest(1, least(coalesce(p_limit, 1000), 10000))
$$;

--
-- Name: FUNCTION workspace_state_at(p_workspace_id uuid, p_seq bigint, p_after_path text, p_limit integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.workspace_state_at(p_workspace_id uuid, p_seq bigint, p_after_path text, p_limit integer) IS 'The live files of a workspace as of journal position p_seq, in path order after p_after_path (keyset paging).';

--
-- Name: add_version(sandsync.workspaces, uuid, sandsync.commit_item, jsonb, sandsync.replicas, uuid, text); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.add_version(p_ws sandsync.workspaces, p_file_id uuid, p_item sandsync.commit_item, p_vector jsonb, p_replica sandsync.replicas, p_change_set_id uuid, p_outcome text) RETURNS sandsync.versions
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_row sandsync.versions;
begin
  insert into sandsync.versions (
    file_id, workspace_id, owner_id, path, sha256, size, mode, mtime, deleted, vector, replica_id,
    author_kind, committed_by, change_set_id, lines_added, lines_removed, outcome
  ) values (
    p_file_id, p_ws.id, p_ws.owner_id, p_item.path, p_item.sha256, p_item.size, p_item.mode,
    p_item.mtime, p_item.deleted, p_vector, p_replica.id, coalesce(p_replica.kind, 'server'),
    auth.uid(), p_change_set_id, p_item.lines_added, p_item.lines_removed, p_outcome
  )
  returning * into v_row;
  return v_row;
end
$$;

--
-- Name: FUNCTION add_version(p_ws sandsync.workspaces, p_file_id uuid, p_item sandsync.commit_item, p_vector jsonb, p_replica sandsync.replicas, p_change_set_id uuid, p_outcome text); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.add_version(p_ws sandsync.workspaces, p_file_id uuid, p_item sandsync.commit_item, p_vector jsonb, p_replica sandsync.replicas, p_change_set_id uuid, p_outcome text) IS 'Appends a version to history (a null replica records a server-made version).';

--
-- Name: case_conflict(uuid, text); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.case_conflict(p_workspace_id uuid, p_path text) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
begin
  return exists (
    select 1 from sandsync.files
    where workspace_id = p_workspace_id and path_folded = lower(p_path) and path <> p_path and not deleted
  );
end
$$;

--
-- Name: FUNCTION case_conflict(p_workspace_id uuid, p_path text); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.case_conflict(p_workspace_id uuid, p_path text) IS 'True when another live path of the workspace differs from this one only in case.';

--
-- Name: claim_uuid(text); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.claim_uuid(p_name text) RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $_$
  select case
    when (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> p_name)
      ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> p_name)::uuid
  end
$_$;

--
-- Name: FUNCTION claim_uuid(p_name text); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.claim_uuid(p_name text) IS 'The request claim p_name (request.jwt.claims) as a uuid; null when absent or not a uuid.';

--
-- Name: commit_changes_rows(sandsync.workspaces, sandsync.replicas, uuid, sandsync.commit_item[]); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.commit_changes_rows(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb) RETURNS record
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  -- The names the loop's body used in commit_changes, so the body below is the same text.
  p_workspace_id uuid := p_ws.id;
  p_replica_id uuid := p_replica.id;
  v_ws sandsync.workspaces := p_ws;
  v_replica sandsync.replicas := p_replica;
  v_cs uuid := p_change_set_id;
  v_it sandsync.commit_item;
  v_seq bigint := p_ws.last_seq;
  v_file sandsync.files;
  v_anc_id uuid;
  v_anc_sha text;
  v_anc_deleted boolean;
  v_anc_mode integer;
  v_case_clash boolean;
  v_d sandsync.commit_decision;
  v_ver sandsync.versions;
  v_copy sandsync.versions;
  v_copy_file uuid;
  v_copy_path text;
  v_conflict uuid;
  v_superseded uuid;
  v_results jsonb[] := '{}';
begin
  -- Deletes first, so a case-only rename (delete "A", create "a") passes the case check.
  for v_it in select * from unnest(p_items) as i order by i.deleted desc, i.path loop
    v_ver := null;
    v_conflict := null;
    v_copy_path := null;
    v_anc_id := null;
    v_anc_sha := null;
    v_anc_deleted := null;
    v_anc_mode := null;
    v_case_clash := false;

    select * into v_file from sandsync.files
    where workspace_id = p_workspace_id and path = v_it.path for update;

    -- The facts sandsync.commit_outcome decides on, read only where they can matter: the
    -- ancestor (the newest version of the path at the committer's base) for a base concurrent
    -- with the current vector, a case clash for a live change over an absent or deleted path.
    if v_file.id is not null and sandsync.vv_compare(v_it.base, v_file.vector) not in ('equal', 'after') then
      select v.id, v.sha256, v.deleted, v.mode into v_anc_id, v_anc_sha, v_anc_deleted, v_anc_mode
      from sandsync.versions as v
      where v.file_id = v_file.id and v.vector = v_it.base
      order by v.committed_at desc limit 1;
    end if;
    if not v_it.deleted and (v_file.id is null or v_file.deleted) then
      v_case_clash := sandsync.case_conflict(p_workspace_id, v_it.path);
    end if;

    v_d := sandsync.commit_outcome(v_ws.strategy, v_ws.merge_fallback, v_ws.conflict_copies,
      p_replica_id, v_it.deleted, v_it.sha256, v_it.mode, v_it.base,
      v_file.vector, v_file.deleted, v_file.sha256, v_file.mode,
      v_anc_deleted, v_anc_sha, v_anc_mode, v_case_clash);
    v_superseded := case when v_d.supersedes_current then v_file.current_version_id end;

    -- The effects of the decision, in this order: the new path's row, the version, then the
    -- conflict (with its copy) or the journal entry that makes the version current.
    if v_d.version_outcome is not null then
      if v_file.id is null then
        insert into sandsync.files (workspace_id, owner_id, path, sha256, size, mode, mtime, deleted, vector)
        values (p_workspace_id, v_ws.owner_id, v_it.path, v_it.sha256, v_it.size, v_it.mode, v_it.mtime, false, v_d.vector)
        returning * into v_file;
      end if;
      v_ver := sandsync.add_version(v_ws, v_file.id, v_it, v_d.vector, v_replica, v_cs, v_d.version_outcome);
    end if;
    if v_d.conflict = 'resolved' then
      if v_d.conflict_copy then
        v_copy_path := sandsync.conflict_copy_path(v_it.path, v_file.committed_at, coalesce(v_file.replica_id, p_replica_id));
        if sandsync.path_problem(v_copy_path) is not null
          or sandsync.case_conflict(p_workspace_id, v_copy_path)
          or exists (select 1 from sandsync.files where workspace_id = p_workspace_id and path = v_copy_path) then
          v_copy_path := null; -- cannot place a copy; the loser is still in history
        end if;
      end if;
      insert into sandsync.conflicts (workspace_id, owner_id, file_id, path, current_version_id, incoming_version_id,
        ancestor_version_id, strategy, status, resolution, resolved_version_id, conflict_copy_path, resolved_at)
      values (p_workspace_id, v_ws.owner_id, v_file.id, v_it.path, v_file.current_version_id, v_ver.id,
        v_anc_id, v_ws.strategy, 'resolved', 'last_write_wins', v_ver.id, v_copy_path, now())
      returning id into v_conflict;
      v_seq := v_seq + 1;
      perform sandsync.make_current(v_ver, v_seq, v_conflict);
      if v_copy_path is not null then
        insert into sandsync.files (workspace_id, owner_id, path, sha256, size, mode, mtime, deleted, vector)
        values (p_workspace_id, v_ws.owner_id, v_copy_path, v_file.sha256, v_file.size, v_file.mode, v_file.mtime, false, '{}')
        returning id into v_copy_file;
        -- Made by the server (no replica), so no replica drops it as its own echo.
        v_copy := sandsync.add_version(v_ws, v_copy_file,
          row(v_it.ord, v_copy_path, false, v_file.sha256, v_file.size, v_file.mode, v_file.mtime, '{}'::jsonb, null, null)::sandsync.commit_item,
          jsonb_build_object(p_workspace_id::text, 1), null::sandsync.replicas, v_cs, 'conflict_copy');
        v_seq := v_seq + 1;
        perform sandsync.make_current(v_copy, v_seq, v_conflict);
      end if;
    elsif v_d.conflict = 'open' then
      insert into sandsync.conflicts (workspace_id, owner_id, file_id, path, current_version_id, incoming_version_id,
        ancestor_version_id, strategy, merge_required)
      values (p_workspace_id, v_ws.owner_id, v_file.id, v_it.path, v_file.current_version_id, v_ver.id,
        v_anc_id, v_ws.strategy, v_d.merge_required)
      returning id into v_conflict;
      v_seq := v_seq + 1;
      perform sandsync.journal_conflict(v_ver, v_seq, v_conflict);
    elsif v_d.make_current then
      v_seq := v_seq + 1;
      perform sandsync.make_current(v_ver, v_seq, null);
    end if;

    select f.current_version_id, f.vector into v_file.current_version_id, v_file.vector
    from sandsync.files as f where f.workspace_id = p_workspace_id and f.path = v_it.path;
    -- An in-place append (PL/pgSQL expands the array once): linear in the batch size.
    v_results := v_results || jsonb_strip_nulls(jsonb_build_object(
      'index', v_it.ord - 1,
      'path', v_it.path,
      'outcome', v_d.outcome,
      'code', v_d.code,
      'version_id', coalesce(v_ver.id, case when v_d.outcome = 'merged' then v_file.current_version_id end),
      'current_version_id', v_file.current_version_id,
      'vector', case when v_file.current_version_id is not null then v_file.vector end,
      'conflict_id', v_conflict,
      'ancestor_version_id', case when v_d.report_ancestor then v_anc_id end,
      'superseded_version_id', v_superseded,
      'conflict_copy_path', v_copy_path
    ));
    v_file := null;
  end loop;

  o_cursor := v_seq;
  o_items := (select jsonb_agg(r order by (r ->> 'index')::integer) from unnest(v_results) as r);
end
$$;

--
-- Name: FUNCTION commit_changes_rows(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.commit_changes_rows(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb) IS 'public.commit_changes item by item (deletes first, then by path): any batch, including case-only renames and conflict copies. Returns the last seq and the result items.';

--
-- Name: commit_changes_set(sandsync.workspaces, sandsync.replicas, uuid, sandsync.commit_item[]); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.commit_changes_set(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb) RETURNS record
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_steps sandsync.commit_step[];
begin
  if exists (select 1 from unnest(p_items) as i group by lower(i.path) having count(*) > 1) then
    return;
  end if;

  v_steps := sandsync.commit_facts(p_ws, p_replica, p_items);

  if exists (select 1 from unnest(v_steps) as s where (s.decision).conflict_copy) then
    return;
  end if;

  perform sandsync.commit_effects(p_ws, p_replica, p_change_set_id, v_steps);

  -- The answer, as the loop builds it from the path's row after the item's effects.
  select coalesce(max(s.seq), p_ws.last_seq),
    jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
      'index', (s.item).ord - 1,
      'path', (s.item).path,
      'outcome', (s.decision).outcome,
      'code', (s.decision).code,
      'version_id', coalesce(s.version_id,
        case when (s.decision).outcome = 'merged' then s.current_version_id end),
      'current_version_id', case when (s.decision).make_current then s.version_id else s.current_version_id end,
      'vector', case when (s.decision).make_current then (s.decision).vector
        when s.current_version_id is not null then s.current_vector end,
      'conflict_id', s.conflict_id,
      'ancestor_version_id', case when (s.decision).report_ancestor then s.ancestor_version_id end,
      'superseded_version_id', case when (s.decision).supersedes_current then s.current_version_id end
    )) order by (s.item).ord)
  into o_cursor, o_items
  from unnest(v_steps) as s;
end
$$;

--
-- Name: FUNCTION commit_changes_set(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.commit_changes_set(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb) IS 'public.commit_changes for a batch without case-only pairs or conflict copies, in set-based statements; answers as sandsync.commit_changes_rows would, or declines (o_items null, nothing written).';

--
-- Name: commit_effects(sandsync.workspaces, sandsync.replicas, uuid, sandsync.commit_step[]); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.commit_effects(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_steps sandsync.commit_step[]) RETURNS void
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  with step as (
    select * from unnest(p_steps) as s
  ),
  ver as (
    insert into sandsync.versions as v (id, file_id, workspace_id, owner_id, path, sha256, size, mode, mtime,
      deleted, vector, replica_id, author_kind, committed_by, change_set_id, lines_added, lines_removed, outcome)
    select s.version_id, s.file_id, (p_ws).id, (p_ws).owner_id, (s.item).path, (s.item).sha256, (s.item).size,
      (s.item).mode, (s.item).mtime, (s.item).deleted, (s.decision).vector, (p_replica).id,
      coalesce((p_replica).kind, 'server'), auth.uid(), p_change_set_id, (s.item).lines_added,
      (s.item).lines_removed, (s.decision).version_outcome
    from step as s
    where s.version_id is not null
    returning v.*
  ),
  made_current as (
    select s.file_exists, s.seq, v.*
    from step as s
    join ver as v on v.id = s.version_id
    where (s.decision).make_current
  ),
  new_file as (
    insert into sandsync.files (id, workspace_id, owner_id, path, current_version_id, sha256, size, mode, mtime,
      deleted, vector, replica_id, committed_by, committed_at, seq)
    select m.file_id, m.workspace_id, m.owner_id, m.path, m.id, m.sha256, m.size, m.mode, m.mtime,
      m.deleted, m.vector, m.replica_id, m.committed_by, m.committed_at, m.seq
    from made_current as m
    where not m.file_exists
  ),
  current_file as (
    update sandsync.files as f set
      current_version_id = m.id,
      sha256 = m.sha256,
      size = m.size,
      mode = m.mode,
      mtime = m.mtime,
      deleted = m.deleted,
      vector = m.vector,
      replica_id = m.replica_id,
      committed_by = m.committed_by,
      committed_at = m.committed_at,
      seq = m.seq
    from made_current as m
    where m.file_exists and f.id = m.file_id
  ),
  conflict as (
    insert into sandsync.conflicts (id, workspace_id, owner_id, file_id, path, current_version_id,
      incoming_version_id, ancestor_version_id, strategy, merge_required, status, resolution,
      resolved_version_id, resolved_at)
    select s.conflict_id, (p_ws).id, (p_ws).owner_id, s.file_id, (s.item).path, s.current_version_id,
      s.version_id, s.ancestor_version_id, (p_ws).strategy, (s.decision).merge_required,
      (s.decision).conflict, case when (s.decision).conflict = 'resolved' then 'last_write_wins' end,
      case when (s.decision).conflict = 'resolved' then s.version_id end,
      case when (s.decision).conflict = 'resolved' then now() end
    from step as s
    where s.conflict_id is not null
  )
  insert into sandsync.changes (workspace_id, seq, owner_id, kind, file_id, path, version_id, conflict_id,
    sha256, size, mode, mtime, deleted, vector, replica_id, change_set_id, committed_at)
  select v.workspace_id, s.seq, v.owner_id, case when (s.decision).make_current then 'file' else 'conflict' end,
    v.file_id, v.path, v.id, s.conflict_id, v.sha256, v.size, v.mode, v.mtime, v.deleted, v.vector,
    v.replica_id, v.change_set_id, v.committed_at
  from step as s
  join ver as v on v.id = s.version_id
  where s.seq is not null;
$$;

--
-- Name: FUNCTION commit_effects(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_steps sandsync.commit_step[]); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.commit_effects(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_steps sandsync.commit_step[]) IS 'Step 2 of sandsync.commit_changes_set: writes the versions, files, conflicts and journal entries the steps say, in one statement.';

--
-- Name: commit_facts(sandsync.workspaces, sandsync.replicas, sandsync.commit_item[]); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.commit_facts(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_items sandsync.commit_item[]) RETURNS sandsync.commit_step[]
    LANGUAGE sql
    SET search_path TO ''
    AS $$
  with fact as (
    select i as item,
      case when f.id is not null then f.id when d.version_outcome is not null then gen_random_uuid() end as file_id,
      f.id is not null as file_exists,
      f.current_version_id,
      f.vector as current_vector,
      a.id as ancestor_version_id,
      d as decision,
      case when d.version_outcome is not null then gen_random_uuid() end as version_id,
      case when d.conflict is not null then gen_random_uuid() end as conflict_id,
      d.make_current or d.conflict = 'open' as journaled
    from unnest(p_items) as i
    -- The path's row, locked as the loop locks it (the workspace lock already serialises every
    -- writer of these rows, so the order of the row locks does not matter). Both lookups are
    -- lateral with a limit, so they stay probes by a unique key, whatever the statistics say.
    left join lateral (
      select f.id, f.current_version_id, f.vector, f.deleted, f.sha256, f.mode
      from sandsync.files as f
      where f.workspace_id = (p_ws).id and f.path = i.path
      limit 1
      for update
    ) as f on true
    -- A live path differing only in case (at most one: files_live_path_folded_idx).
    left join lateral (
      select c.id from sandsync.files as c
      where c.workspace_id = (p_ws).id and c.path_folded = lower(i.path) and c.path <> i.path
        and not c.deleted
      limit 1
    ) as c on true
    left join lateral (
      select v.id, v.sha256, v.deleted, v.mode
      from sandsync.versions as v
      where f.id is not null and sandsync.vv_compare(i.base, f.vector) not in ('equal', 'after')
        and v.file_id = f.id and v.vector = i.base
      order by v.committed_at desc limit 1
    ) as a on true
    cross join lateral sandsync.commit_outcome((p_ws).strategy, (p_ws).merge_fallback, (p_ws).conflict_copies,
      (p_replica).id, i.deleted, i.sha256, i.mode, i.base,
      f.vector, f.deleted, f.sha256, f.mode,
      a.deleted, a.sha256, a.mode,
      case when not i.deleted and (f.id is null or f.deleted) then c.id is not null else false end) as d
  ),
  numbered as (
    select x.*, case when x.journaled then (p_ws).last_seq + count(*) filter (where x.journaled)
      over (order by (x.item).deleted desc, (x.item).path) end as seq
    from fact as x
  )
  select array_agg(row(s.item, s.file_id, s.file_exists, s.current_version_id, s.current_vector,
      s.ancestor_version_id, s.decision, s.version_id, s.conflict_id, s.seq
    )::sandsync.commit_step order by (s.item).deleted desc, (s.item).path)
  from numbered as s
$$;

--
-- Name: FUNCTION commit_facts(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_items sandsync.commit_item[]); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.commit_facts(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_items sandsync.commit_item[]) IS 'Step 1 of sandsync.commit_changes_set: locks the batch''s file rows and answers each item''s facts, decision, new ids and journal seq, in the loop''s order.';

--
-- Name: commit_outcome(text, text, boolean, uuid, boolean, text, integer, jsonb, jsonb, boolean, text, integer, boolean, text, integer, boolean); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.commit_outcome(p_strategy text, p_merge_fallback text, p_conflict_copies boolean, p_replica_id uuid, p_deleted boolean, p_sha256 text, p_mode integer, p_base jsonb, p_current_vector jsonb, p_current_deleted boolean, p_current_sha256 text, p_current_mode integer, p_ancestor_deleted boolean, p_ancestor_sha256 text, p_ancestor_mode integer, p_case_clash boolean) RETURNS sandsync.commit_decision
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
declare
  v_incoming jsonb := sandsync.vv_bump(p_base, p_replica_id);
  v_vec jsonb;
  v_same boolean;
  v_strategy text;
  v_d sandsync.commit_decision;
begin
  v_d.make_current := false;
  v_d.supersedes_current := false;
  v_d.merge_required := false;
  v_d.conflict_copy := false;
  v_d.report_ancestor := false;

  if p_current_vector is null then
    if p_deleted then
      v_d.outcome := 'merged'; -- deleting what does not exist: both sides agree
    elsif p_case_clash then
      v_d.outcome := 'rejected';
    else
      v_d.outcome := 'applied';
      v_d.version_outcome := 'applied';
      v_d.vector := v_incoming;
      v_d.make_current := true;
    end if;
  elsif p_current_deleted and not p_deleted and p_case_clash then
    v_d.outcome := 'rejected';
  else
    v_same := (p_deleted and p_current_deleted) or (not p_deleted and not p_current_deleted
      and p_sha256 = p_current_sha256 and p_mode = p_current_mode);
    if sandsync.vv_compare(p_base, p_current_vector) in ('equal', 'after') then
      -- Fast-forward: the committer saw the current version.
      if v_same then
        v_d.outcome := 'merged';
      else
        v_d.outcome := 'applied';
        v_d.version_outcome := 'applied';
        v_d.vector := sandsync.vv_merge(p_current_vector, v_incoming);
        v_d.make_current := true;
      end if;
    elsif v_same then
      -- Identical content on both sides is never a conflict: merge the vectors.
      v_vec := sandsync.vv_merge(p_current_vector, v_incoming);
      v_d.outcome := 'merged';
      if v_vec <> p_current_vector then
        v_d.version_outcome := 'merged';
        v_d.vector := v_vec;
        v_d.make_current := true;
      end if;
    else
      v_d.report_ancestor := true;
      -- Strictly after the current version, whatever the committer's counter was there.
      v_vec := sandsync.vv_bump(sandsync.vv_merge(p_current_vector, p_base), p_replica_id);
      if (p_ancestor_deleted is not null and p_ancestor_deleted = p_current_deleted
          and p_ancestor_mode = p_current_mode and p_ancestor_sha256 is not distinct from p_current_sha256)
        or (p_current_deleted and not p_deleted) then
        -- The content did not change since the committer's base (only vectors moved), or an
        -- edit meets a concurrent delete: the edit wins under every strategy.
        v_d.outcome := 'applied';
        v_d.version_outcome := 'applied';
        v_d.vector := v_vec;
        v_d.make_current := true;
        v_d.supersedes_current := p_current_deleted;
      elsif p_deleted then
        -- A delete meets a concurrent edit: the delete is kept in history, the edit stays.
        v_d.outcome := 'superseded';
        v_d.version_outcome := 'superseded';
        v_d.vector := v_incoming;
      else
        v_strategy := p_strategy;
        if v_strategy = 'auto_merge' and (p_ancestor_deleted is null or p_ancestor_deleted) then
          v_strategy := p_merge_fallback; -- nothing to three-way merge against
        end if;
        if v_strategy = 'last_write_wins' then
          -- The later commit on the server wins; the loser (current) stays in history and,
          -- if the workspace says so, as a conflict copy made by the server.
          v_d.outcome := 'applied';
          v_d.version_outcome := 'applied';
          v_d.vector := v_vec;
          v_d.make_current := true;
          v_d.supersedes_current := true;
          v_d.conflict := 'resolved';
          v_d.conflict_copy := coalesce(p_conflict_copies, false);
        else
          -- user_intervention, or auto_merge with an ancestor: keep current, open a conflict.
          v_d.outcome := 'conflict';
          v_d.version_outcome := 'conflict';
          v_d.vector := v_incoming;
          v_d.conflict := 'open';
          v_d.merge_required := v_strategy = 'auto_merge';
        end if;
      end if;
    end if;
  end if;
  v_d.code := case when v_d.outcome = 'rejected' then 'path_case_conflict' end;
  return v_d;
end
$$;

--
-- Name: FUNCTION commit_outcome(p_strategy text, p_merge_fallback text, p_conflict_copies boolean, p_replica_id uuid, p_deleted boolean, p_sha256 text, p_mode integer, p_base jsonb, p_current_vector jsonb, p_current_deleted boolean, p_current_sha256 text, p_current_mode integer, p_ancestor_deleted boolean, p_ancestor_sha256 text, p_ancestor_mode integer, p_case_clash boolean); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.commit_outcome(p_strategy text, p_merge_fallback text, p_conflict_copies boolean, p_replica_id uuid, p_deleted boolean, p_sha256 text, p_mode integer, p_base jsonb, p_current_vector jsonb, p_current_deleted boolean, p_current_sha256 text, p_current_mode integer, p_ancestor_deleted boolean, p_ancestor_sha256 text, p_ancestor_mode integer, p_case_clash boolean) IS 'The decision of a commit for one item (no table access): outcome, the version to write, conflict and copy. public.commit_changes performs it.';

--
-- Name: conflict_copy_path(text, timestamp with time zone, uuid); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.conflict_copy_path(p_path text, p_at timestamp with time zone, p_replica_id uuid) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $_$
declare
  v_dir text := coalesce(substring(p_path from '^(.*/)[^/]*$'), '');
  v_name text := substring(p_path from '([^/]*)$');
  v_stem text := v_name;
  v_ext text := '';
  v_suffix text;
begin
  if v_name ~ '^.+\.[^.]+$' and octet_length(substring(v_name from '\.([^.]+)$')) <= 16 then
    v_stem := substring(v_name from '^(.+)\.[^.]+$');
    v_ext := substring(v_name from '(\.[^.]+)$');
  end if;
  v_suffix := '.sync-conflict-' || to_char(p_at at time zone 'UTC', 'YYYYMMDD-HH24MISS') || '-'
    || left(regexp_replace(p_replica_id::text, '[^A-Za-z0-9_-]', '_', 'g'), 64) || v_ext;
  while octet_length(v_stem) > 255 - octet_length(v_suffix) and v_stem <> '' loop
    v_stem := left(v_stem, -1);
  end loop;
  return v_dir || v_stem || v_suffix;
end
$_$;

--
-- Name: FUNCTION conflict_copy_path(p_path text, p_at timestamp with time zone, p_replica_id uuid); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.conflict_copy_path(p_path text, p_at timestamp with time zone, p_replica_id uuid) IS 'The path of a conflict copy: <stem>.sync-conflict-<YYYYMMDD-HHMMSS>-<replica>.<ext> (UTC), as shared/conflict_copy.ts names it.';

--
-- Name: current_workspace_scope(); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.current_workspace_scope() RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select sandsync.claim_uuid('sandsync_workspace_id')
$$;

--
-- Name: FUNCTION current_workspace_scope(); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.current_workspace_scope() IS 'The one workspace the current caller is confined to (claim sandsync_workspace_id of agent tokens), or null.';

--
-- Name: effective_limit(bigint); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.effective_limit(p_limit bigint) RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select coalesce(p_limit, (select default_quota_bytes from sandsync.settings))
$$;

--
-- Name: FUNCTION effective_limit(p_limit bigint); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.effective_limit(p_limit bigint) IS 'A per-owner limit, or the default when it is null.';

--
-- Name: journal_conflict(sandsync.versions, bigint, uuid); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.journal_conflict(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
  insert into sandsync.changes (
    workspace_id, seq, owner_id, kind, file_id, path, version_id, conflict_id, sha256, size, mode,
    mtime, deleted, vector, replica_id, change_set_id, committed_at
  ) values (
    p_version.workspace_id, p_seq, p_version.owner_id, 'conflict', p_version.file_id, p_version.path,
    p_version.id, p_conflict_id, p_version.sha256, p_version.size, p_version.mode, p_version.mtime,
    p_version.deleted, p_version.vector, p_version.replica_id, p_version.change_set_id,
    p_version.committed_at
  );
end
$$;

--
-- Name: FUNCTION journal_conflict(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.journal_conflict(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid) IS 'Journals an opened conflict (the incoming side) under the given seq.';

--
-- Name: keep_collecting(); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.keep_collecting() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
  -- Marking a collecting blob stored would let a commit reference bytes about to be removed;
  -- only the object's removal (pending) or the collector may move it on.
  if old.state = 'collecting' and new.state = 'stored' then
    new.state := 'collecting';
    new.stored_at := old.stored_at;
  end if;
  return new;
end
$$;

--
-- Name: FUNCTION keep_collecting(); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.keep_collecting() IS 'Trigger on blobs: a collecting blob is never marked stored (its object may be removed at any moment).';

--
-- Name: make_current(sandsync.versions, bigint, uuid); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.make_current(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
  update sandsync.files set
    current_version_id = p_version.id,
    sha256 = p_version.sha256,
    size = p_version.size,
    mode = p_version.mode,
    mtime = p_version.mtime,
    deleted = p_version.deleted,
    vector = p_version.vector,
    replica_id = p_version.replica_id,
    committed_by = p_version.committed_by,
    committed_at = p_version.committed_at,
    seq = p_seq
  where id = p_version.file_id;
  insert into sandsync.changes (
    workspace_id, seq, owner_id, kind, file_id, path, version_id, conflict_id, sha256, size, mode,
    mtime, deleted, vector, replica_id, change_set_id, committed_at
  ) values (
    p_version.workspace_id, p_seq, p_version.owner_id, 'file', p_version.file_id, p_version.path,
    p_version.id, p_conflict_id, p_version.sha256, p_version.size, p_version.mode, p_version.mtime,
    p_version.deleted, p_version.vector, p_version.replica_id, p_version.change_set_id,
    p_version.committed_at
  );
end
$$;

--
-- Name: FUNCTION make_current(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.make_current(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid) IS 'Makes a version the file''s current one and journals it under the given seq.';

--
-- Name: object_owner(text); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.object_owner(p_name text) RETURNS uuid
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $_$
  select case
    when split_part(p_name, '/', 1) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then split_part(p_name, '/', 1)::uuid
  end
$_$;

--
-- Name: FUNCTION object_owner(p_name text); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.object_owner(p_name text) IS 'The owner a sync-bucket object key belongs to (its first segment), or null.';

--
-- Name: on_sync_object_change(); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.on_sync_object_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_old_owner uuid;
  v_new_owner uuid;
  v_old_size bigint := 0;
  v_new_size bigint := 0;
  v_delta bigint;
  v_released bigint := 0;
  v_quota sandsync.quotas;
  v_sha256 text;
  v_pack_workspace uuid;
begin
  if tg_op in ('UPDATE', 'DELETE') and old.bucket_id = 'sandsync' then
    v_old_owner := sandsync.object_owner(old.name);
    v_old_size := coalesce((old.metadata ->> 'size')::bigint, 0);
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.bucket_id = 'sandsync' then
    v_new_owner := sandsync.object_owner(new.name);
    if v_new_owner is null then
      raise exception 'Sandsync: object key must start with an owner id'
        using errcode = '42501', hint = 'forbidden';
    end if;
    v_new_size := coalesce((new.metadata ->> 'size')::bigint, 0);
  end if;

  if v_old_owner is not null and v_old_owner is distinct from v_new_owner then
    update sandsync.quotas set used_bytes = used_bytes - v_old_size, updated_at = now()
    where owner_id = v_old_owner;
  end if;

  if v_new_owner is not null then
    v_delta := v_new_size - case when v_old_owner = v_new_owner then v_old_size else 0 end;
    insert into sandsync.quotas (owner_id) values (v_new_owner) on conflict (owner_id) do nothing;
    perform 1 from sandsync.quotas where owner_id = v_new_owner for update;
    -- The bytes landed: the reservation made for exactly this blob (or for the blobs of this
    -- pack) is settled.
    if new.name ~ '^[^/]+/[0-9a-f]{2}/[0-9a-f]{64}$' then
      v_sha256 := split_part(new.name, '/', 3);
    elsif new.name ~ '^[^/]+/staging/[0-9a-f-]{36}/[0-9a-f]{64}$' then
      v_sha256 := split_part(new.name, '/', 4);
    elsif new.name ~ '^[^/]+/packs/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[0-9a-f]{64}$' then
      v_pack_workspace := split_part(new.name, '/', 3)::uuid;
    end if;
    if v_sha256 is not null and v_new_size > 0 then
      with gone as (
        delete from sandsync.reservations
        where owner_id = v_new_owner and sha256 = v_sha256
        returning size
      )
      select coalesce(sum(size), 0) into v_released from gone;
    elsif v_pack_workspace is not null and v_new_size > 0 then
      with gone as (
        delete from sandsync.reservations as r
        where r.owner_id = v_new_owner and r.sha256 in (
          select e.sha256 from sandsync.pack_entries as e
          where e.workspace_id = v_pack_workspace and e.pack_sha256 = split_part(new.name, '/', 4))
        returning r.size
      )
      select coalesce(sum(size), 0) into v_released from gone;
    end if;
    update sandsync.quotas set
      used_bytes = used_bytes + v_delta,
      reserved_bytes = reserved_bytes - v_released,
      updated_at = now()
    where owner_id = v_new_owner
    returning * into v_quota;
    if v_delta > 0 and v_quota.used_bytes + v_quota.reserved_bytes > sandsync.effective_limit(v_quota.limit_bytes) then
      raise exception 'Sandsync quota exceeded'
        using errcode = '42501', hint = 'quota_exceeded',
          detail = format('owner=%s size=%s', v_new_owner, v_new_size);
    end if;
  end if;
  return null;
end
$_$;

--
-- Name: FUNCTION on_sync_object_change(); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.on_sync_object_change() IS 'Trigger on storage.objects: keeps quotas.used_bytes equal to the sync bucket''s bytes, settles reservations, refuses over-limit objects (42501).';

--
-- Name: on_sync_object_removed(); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.on_sync_object_removed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
begin
  if old.name ~ '^[0-9a-f-]{36}/[0-9a-f]{2}/[0-9a-f]{64}$' and sandsync.object_owner(old.name) is not null then
    update sandsync.blobs set state = 'pending', stored_at = null
    where owner_id = sandsync.object_owner(old.name) and sha256 = split_part(old.name, '/', 3)
      and state = 'collecting';
  elsif old.name ~ '^[0-9a-f-]{36}/packs/[0-9a-f-]{36}/[0-9a-f]{64}$' then
    -- A pack's bytes are gone: its entries locate nothing any more.
    delete from sandsync.packs where storage_key = old.name;
  end if;
  return null;
end
$_$;

--
-- Name: FUNCTION on_sync_object_removed(); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.on_sync_object_removed() IS 'Trigger on storage.objects: a collecting blob whose object is gone becomes pending; a removed pack object takes its pack row and entries with it.';

--
-- Name: parse_commit_items(jsonb); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.parse_commit_items(p_items jsonb) RETURNS sandsync.commit_item[]
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $_$
declare
  v_elem jsonb;
  v_ord bigint;
  v_item sandsync.commit_item;
  v_out sandsync.commit_item[] := '{}';
  v_key text;
  v_problem text;
  v_path text;
begin
  for v_elem, v_ord in select e.value, e.ordinality from jsonb_array_elements(p_items) with ordinality as e loop
    v_path := case when jsonb_typeof(v_elem -> 'path') = 'string' then v_elem ->> 'path' end;
    if jsonb_typeof(v_elem) <> 'object' or v_path is null then
      raise exception 'Cannot commit item %: not an object with a string "path"', v_ord - 1
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
    -- The first unknown key in jsonb_object_keys order (removing keys keeps the others' order);
    -- a query only when there is one.
    if v_elem - '{path,deleted,sha256,size,mode,mtime,base,lines_added,lines_removed}'::text[] <> '{}'::jsonb then
      v_key := (select k from jsonb_object_keys(v_elem
        - '{path,deleted,sha256,size,mode,mtime,base,lines_added,lines_removed}'::text[]) as k limit 1);
      raise exception 'Cannot commit "%": unknown field "%"', v_path, v_key
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
    v_problem := sandsync.path_problem(v_path);
    if v_problem is not null then
      raise exception 'Cannot commit "%": invalid path: %', v_path, v_problem
        using errcode = 'SSI02', hint = 'invalid_path', detail = format('item=%s rule=%s', v_ord - 1, v_problem);
    end if;
    v_item.ord := v_ord;
    v_item.path := v_path;
    if coalesce(jsonb_typeof(v_elem -> 'deleted'), 'null') not in ('null', 'boolean') then
      raise exception 'Cannot commit "%": "deleted" must be a boolean', v_path
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
    v_item.deleted := coalesce((v_elem ->> 'deleted')::boolean, false);
    if v_item.deleted then
      if coalesce(jsonb_typeof(v_elem -> 'sha256'), 'null') <> 'null' then
        raise exception 'Cannot commit "%": a delete carries no "sha256"', v_path
          using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
      end if;
      v_item.sha256 := null;
      v_item.size := 0;
    else
      if jsonb_typeof(v_elem -> 'sha256') is distinct from 'string' or (v_elem ->> 'sha256') !~ '^[0-9a-f]{64}$'
        or jsonb_typeof(v_elem -> 'size') is distinct from 'number' or (v_elem ->> 'size') !~ '^[0-9]{1,18}$' then
        raise exception 'Cannot commit "%": needs "sha256" (64 lowercase hex) and an integer "size" >= 0', v_path
          using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
      end if;
      v_item.sha256 := v_elem ->> 'sha256';
      v_item.size := (v_elem ->> 'size')::bigint;
    end if;
    if coalesce(jsonb_typeof(v_elem -> 'mode'), 'null') = 'null' then
      v_item.mode := 420;
    elsif jsonb_typeof(v_elem -> 'mode') = 'number' and (v_elem ->> 'mode') ~ '^[0-9]{1,4}$'
      and (v_elem ->> 'mode')::integer <= 4095 then
      v_item.mode := (v_elem ->> 'mode')::integer;
    else
      raise exception 'Cannot commit "%": "mode" must be an integer 0..4095', v_path
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
    v_item.mtime := null;
    if coalesce(jsonb_typeof(v_elem -> 'mtime'), 'null') <> 'null' then
      begin
        if jsonb_typeof(v_elem -> 'mtime') <> 'string'
          or (v_elem ->> 'mtime') !~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}' then
          raise exception using errcode = '22007';
        end if;
        v_item.mtime := (v_elem ->> 'mtime')::timestamptz;
      exception when others then
        raise exception 'Cannot commit "%": "mtime" must be an ISO 8601 timestamp', v_path
          using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
      end;
    end if;
    v_item.base := coalesce(nullif(v_elem -> 'base', 'null'::jsonb), '{}'::jsonb);
    if not sandsync.vv_is_valid(v_item.base) then
      raise exception 'Cannot commit "%": "base" must be a version vector {replica_uuid: counter}', v_path
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
    if coalesce(jsonb_typeof(v_elem -> 'lines_added'), 'null') not in ('null', 'number')
      or coalesce(jsonb_typeof(v_elem -> 'lines_removed'), 'null') not in ('null', 'number')
      or coalesce(v_elem ->> 'lines_added', '0') !~ '^[0-9]{1,9}$'
      or coalesce(v_elem ->> 'lines_removed', '0') !~ '^[0-9]{1,9}$' then
      raise exception 'Cannot commit "%": "lines_added"/"lines_removed" must be integers >= 0', v_path
        using errcode = 'SSI01', hint = 'validation_failed', detail = format('item=%s', v_ord - 1);
    end if;
    v_item.lines_added := (v_elem ->> 'lines_added')::integer;
    v_item.lines_removed := (v_elem ->> 'lines_removed')::integer;
    v_out := v_out || v_item; -- in place (PL/pgSQL expands the array once): linear
  end loop;
  return v_out;
end
$_$;

--
-- Name: FUNCTION parse_commit_items(p_items jsonb); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.parse_commit_items(p_items jsonb) IS 'Validates a change set''s items (raising SSI01/SSI02 with the item index in DETAIL) and returns them typed.';

--
-- Name: path_problem(text); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.path_problem(p_path text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
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

--
-- Name: FUNCTION path_problem(p_path text); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.path_problem(p_path text) IS 'Null when the path is valid, else the code of the first rule it breaks (same codes and order as shared/path_rules.ts).';

--
-- Name: protected_path_problem(text, boolean); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.protected_path_problem(p_path text, p_sync_git boolean) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select case
    when exists (
      select 1 from unnest(string_to_array(p_path, '/')) as s
      where s = '.sandsync' or starts_with(s, '.sandsync-tmp-')
    ) then 'path_reserved'
    when not coalesce(p_sync_git, false)
      and '.git' = any (string_to_array(p_path, '/')) then 'path_git'
  end
$$;

--
-- Name: FUNCTION protected_path_problem(p_path text, p_sync_git boolean); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.protected_path_problem(p_path text, p_sync_git boolean) IS 'Null when the path may be synced, else path_reserved (.sandsync/, .sandsync-tmp-*) or path_git (.git/ without sync_git); same as shared/protected_paths.ts.';

--
-- Name: readable_blob(uuid, uuid, text); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.readable_blob(p_workspace_id uuid, p_owner_id uuid, p_sha256 text) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select exists (
    select 1 from sandsync.versions
    where owner_id = p_owner_id and sha256 = p_sha256 and workspace_id = p_workspace_id
  ) or exists (
    select 1 from sandsync.blob_grants
    where workspace_id = p_workspace_id and sha256 = p_sha256
  )
$$;

--
-- Name: FUNCTION readable_blob(p_workspace_id uuid, p_owner_id uuid, p_sha256 text); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.readable_blob(p_workspace_id uuid, p_owner_id uuid, p_sha256 text) IS 'Whether the workspace can already read the blob: a version of it holds the hash, or it was granted.';

--
-- Name: refuse_protected_path(); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.refuse_protected_path() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_problem text;
begin
  -- The common case (no `.sandsync` or `.git` anywhere in the path) costs two strpos calls; the
  -- workspace row is read only for a `.git` segment.
  if new.deleted or (strpos(new.path, '.sandsync') = 0 and strpos(new.path, '.git') = 0) then
    return new;
  end if;
  v_problem := sandsync.protected_path_problem(new.path, true);
  if v_problem is null and sandsync.protected_path_problem(new.path, false) is not null
    and not coalesce((select w.sync_git from sandsync.workspaces as w where w.id = new.workspace_id), false)
  then
    v_problem := 'path_git';
  end if;
  if v_problem is not null then
    raise exception 'Cannot commit "%": protected path: %', new.path, v_problem
      using errcode = 'SSI02', hint = 'invalid_path', detail = format('rule=%s', v_problem);
  end if;
  return new;
end
$$;

--
-- Name: FUNCTION refuse_protected_path(); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.refuse_protected_path() IS 'Trigger: refuses a live file row at a protected path (see sandsync.protected_path_problem).';

--
-- Name: reserve_for(uuid, jsonb, uuid); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.reserve_for(p_owner_id uuid, p_items jsonb, p_scope uuid DEFAULT NULL::uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_quota sandsync.quotas;
  v_limit bigint;
  v_ttl interval;
  v_new bigint;
  v_unseen bigint;
  v_results jsonb;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' or jsonb_array_length(p_items) > 10000 or exists (
    select 1 from jsonb_array_elements(p_items) as e
    where jsonb_typeof(e) <> 'object' or jsonb_typeof(e -> 'sha256') is distinct from 'string'
      or (e ->> 'sha256') !~ '^[0-9a-f]{64}$'
      or jsonb_typeof(e -> 'size') is distinct from 'number' or (e ->> 'size') !~ '^[0-9]{1,18}$'
  ) then
    raise exception 'Cannot reserve quota: items must be [{sha256, size}] with 64-hex hashes and integer sizes'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  -- A scoped caller is compared only with blobs its workspace can read: for any other, a size
  -- that differs from the stored one would tell that the content exists (its upload is hashed).
  if exists (
    select 1 from jsonb_array_elements(p_items) as e group by e ->> 'sha256'
    having count(distinct e ->> 'size') > 1
  ) or exists (
    select 1 from jsonb_array_elements(p_items) as e
    join sandsync.blobs as b on b.owner_id = p_owner_id and b.sha256 = e ->> 'sha256'
    where b.size <> (e ->> 'size')::bigint
      and (p_scope is null or sandsync.readable_blob(p_scope, p_owner_id, b.sha256))
  ) then
    raise exception 'Cannot reserve quota: one hash announced with two sizes'
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;

  insert into sandsync.quotas (owner_id) values (p_owner_id) on conflict (owner_id) do nothing;
  select * into v_quota from sandsync.quotas where owner_id = p_owner_id for update;
  v_limit := sandsync.effective_limit(v_quota.limit_bytes);
  select reservation_ttl into v_ttl from sandsync.settings;

  -- One statement: every item's facts are read from its snapshot, before any of its writes
  -- (see the header); the data-modifying parts run whether or not the answer reads them.
  with facts as materialized (
    select i.sha256, i.size, i.storage_key,
      exists (select 1 from storage.objects as o
        where o.bucket_id = 'sandsync' and o.name = i.storage_key) as present,
      exists (select 1 from sandsync.reservations as r
        where r.owner_id = p_owner_id and r.sha256 = i.sha256) as reserved,
      p_scope is not null and not sandsync.readable_blob(p_scope, p_owner_id, i.sha256) as staged
    from (
      select e ->> 'sha256' as sha256, max((e ->> 'size')::bigint) as size,
        p_owner_id::text || '/' || substr(e ->> 'sha256', 1, 2) || '/' || (e ->> 'sha256') as storage_key
      from jsonb_array_elements(p_items) as e group by e ->> 'sha256'
    ) as i
  ), extended as (
    update sandsync.reservations as r set expires_at = now() + v_ttl
    from facts as f
    where r.owner_id = p_owner_id and r.sha256 = f.sha256 and not f.present and f.reserved
  ), added as (
    insert into sandsync.reservations (owner_id, sha256, size, expires_at)
    select p_owner_id, f.sha256, f.size, now() + v_ttl from facts as f
    where not f.present and not f.reserved
  ), rows as (
    insert into sandsync.blobs (owner_id, sha256, size)
    select p_owner_id, f.sha256, f.size from facts as f
    on conflict (owner_id, sha256) do nothing
  )
  -- Staged: uploaded to a staging key and hashed, whether or not the owner has the bytes;
  -- counted as new in the quota check either way.
  select coalesce(sum(f.size) filter (where f.staged and (f.present or f.reserved)), 0),
    coalesce(sum(f.size) filter (where not f.present and not f.reserved), 0),
    coalesce(jsonb_agg(jsonb_build_object('sha256', f.sha256, 'size', f.size,
      'status', case when f.staged then 'staged' when f.present then 'present' else 'reserved' end,
      'storage_key', f.storage_key) order by f.sha256), '[]'::jsonb)
  into v_unseen, v_new, v_results
  from facts as f;

  -- The atomic conditional update: refused (no row) when the bytes do not fit. Staged blobs the
  -- owner already has must fit too (their staged upload is counted until the commit).
  update sandsync.quotas set reserved_bytes = reserved_bytes + v_new, updated_at = now()
  where owner_id = p_owner_id and used_bytes + reserved_bytes + v_new + v_unseen <= v_limit
  returning * into v_quota;
  if v_quota.owner_id is null then
    raise exception 'Cannot reserve % bytes: quota exceeded', v_new + v_unseen
      using errcode = 'SSQ01', hint = 'quota_exceeded',
        detail = format('needed=%s limit=%s', v_new + v_unseen, v_limit);
  end if;
  return jsonb_build_object('owner_id', p_owner_id, 'reserved_bytes', v_new, 'used_bytes', v_quota.used_bytes,
    'total_reserved_bytes', v_quota.reserved_bytes, 'limit_bytes', v_limit, 'items', v_results);
end
$_$;

--
-- Name: FUNCTION reserve_for(p_owner_id uuid, p_items jsonb, p_scope uuid); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.reserve_for(p_owner_id uuid, p_items jsonb, p_scope uuid) IS 'Reserves bytes for an owner''s uploads [{sha256,size}] all-or-nothing; creates pending blob rows; with a scope, blobs the workspace cannot read are staged. Internal.';

--
-- Name: versions_need_stored_blobs(); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.versions_need_stored_blobs() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_bad record;
  v_scope uuid := sandsync.current_workspace_scope();
begin
  -- FOR SHARE waits for a collector holding the row (FOR UPDATE) and then reads its new state.
  perform 1 from sandsync.blobs as b
  where (b.owner_id, b.sha256) in (select n.owner_id, n.sha256 from new_versions as n where n.sha256 is not null)
  order by b.owner_id, b.sha256
  for share;
  select n.sha256, n.size, n.path into v_bad
  from new_versions as n
  left join sandsync.blobs as b on b.owner_id = n.owner_id and b.sha256 = n.sha256
  where n.sha256 is not null and b.state is distinct from 'stored'
  limit 1;
  if found then
    raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
      using errcode = 'SSN04', hint = 'blob_missing';
  end if;
  -- A packed blob is usable only where a stored pack of the version's workspace holds it; the
  -- packs are locked like blob rows, against a concurrent pack collection.
  perform 1 from sandsync.packs as p
  where (p.workspace_id, p.sha256) in (
    select e.workspace_id, e.pack_sha256 from sandsync.pack_entries as e
    join new_versions as n on n.workspace_id = e.workspace_id and n.sha256 = e.sha256)
  order by p.workspace_id, p.sha256
  for share;
  select n.sha256, n.size, n.path into v_bad
  from new_versions as n
  join sandsync.blobs as b on b.owner_id = n.owner_id and b.sha256 = n.sha256
  where n.sha256 is not null and b.packed
    and not exists (
      select 1 from sandsync.pack_entries as e
      join sandsync.packs as p on p.workspace_id = e.workspace_id and p.sha256 = e.pack_sha256
      where e.workspace_id = n.workspace_id and e.sha256 = n.sha256 and p.state = 'stored')
  limit 1;
  if found then
    raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
      using errcode = 'SSN04', hint = 'blob_missing';
  end if;
  if v_scope is not null then
    select n.sha256, n.size, n.path into v_bad
    from new_versions as n
    where n.sha256 is not null
      and not exists (select 1 from sandsync.blob_grants as g
        where g.workspace_id = n.workspace_id and g.sha256 = n.sha256)
      and not exists (select 1 from sandsync.versions as v
        where v.owner_id = n.owner_id and v.sha256 = n.sha256 and v.workspace_id = n.workspace_id
          and v.id not in (select id from new_versions))
    limit 1;
    if found then
      raise exception 'Cannot commit "%": blob "%" of size % is not stored', v_bad.path, v_bad.sha256, v_bad.size
        using errcode = 'SSN04', hint = 'blob_missing';
    end if;
  end if;
  return null;
end
$$;

--
-- Name: FUNCTION versions_need_stored_blobs(); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.versions_need_stored_blobs() IS 'Statement trigger on versions: every referenced blob is stored (locked FOR SHARE against a concurrent collector).';

--
-- Name: versions_vector_keys_check(); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.versions_vector_keys_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_stranger text;
begin
  select k into v_stranger
  from jsonb_object_keys(new.vector) as k
  where k <> new.workspace_id::text
    and not exists (
      select 1 from sandsync.replicas as r
      where r.workspace_id = new.workspace_id and r.id::text = k
    )
  limit 1;
  if found then
    raise exception 'Cannot record a version of "%": replica "%" in its vector is not a replica of the workspace', new.path, v_stranger
      using errcode = 'SSI01', hint = 'validation_failed';
  end if;
  return new;
end
$$;

--
-- Name: FUNCTION versions_vector_keys_check(); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.versions_vector_keys_check() IS 'Trigger: refuses a version whose vector names a replica that is not in its workspace.';

--
-- Name: vv_bump(jsonb, uuid); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.vv_bump(p_vector jsonb, p_replica_id uuid) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
begin
  return coalesce(p_vector, '{}'::jsonb) || jsonb_build_object(
    p_replica_id::text, coalesce((p_vector ->> p_replica_id::text)::bigint, 0) + 1);
end
$$;

--
-- Name: FUNCTION vv_bump(p_vector jsonb, p_replica_id uuid); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.vv_bump(p_vector jsonb, p_replica_id uuid) IS 'The vector with the replica''s counter incremented.';

--
-- Name: vv_compare(jsonb, jsonb); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.vv_compare(p_a jsonb, p_b jsonb) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
declare
  v_key text;
  v_value jsonb;
  v_a bigint;
  v_b bigint;
  v_a_behind boolean := false;
  v_a_ahead boolean := false;
begin
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_a, '{}'::jsonb)) as e loop
    v_a := (v_value #>> '{}')::bigint;
    v_b := coalesce((p_b ->> v_key)::bigint, 0);
    if v_a < v_b then
      v_a_behind := true;
    elsif v_a > v_b then
      v_a_ahead := true;
    end if;
  end loop;
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_b, '{}'::jsonb)) as e loop
    if not coalesce(p_a ? v_key, false) and (v_value #>> '{}')::bigint > 0 then
      v_a_behind := true;
    end if;
  end loop;
  return case
    when v_a_behind and v_a_ahead then 'concurrent'
    when v_a_behind then 'before'
    when v_a_ahead then 'after'
    else 'equal'
  end;
end
$$;

--
-- Name: FUNCTION vv_compare(p_a jsonb, p_b jsonb); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.vv_compare(p_a jsonb, p_b jsonb) IS 'Compares two version vectors: equal, before (a dominated by b), after (a dominates b) or concurrent.';

--
-- Name: vv_is_valid(jsonb); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.vv_is_valid(p_vector jsonb) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $_$
begin
  if p_vector = '{}'::jsonb then
    return true; -- the base of every new path
  end if;
  return jsonb_typeof(p_vector) = 'object'
    and (select count(*) from jsonb_object_keys(p_vector)) <= 256
    and not exists (
      select 1 from jsonb_each(p_vector) as e(key, value)
      where jsonb_typeof(e.value) <> 'number'
        or (e.value #>> '{}') !~ '^[0-9]{1,16}$'
        or (e.value #>> '{}')::bigint > 4503599627370495
        or e.key !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    );
end
$_$;

--
-- Name: FUNCTION vv_is_valid(p_vector jsonb); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.vv_is_valid(p_vector jsonb) IS 'True when the value is an object of at most 256 replica uuid -> integer counter from 0 to 2^52 - 1.';

--
-- Name: vv_merge(jsonb, jsonb); Type: FUNCTION; Schema: sandsync; Owner: -
--

CREATE FUNCTION sandsync.vv_merge(p_a jsonb, p_b jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
declare
  v_out jsonb := '{}'::jsonb;
  v_key text;
  v_value jsonb;
  v_counter bigint;
begin
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_a, '{}'::jsonb)) as e loop
    v_counter := greatest((v_value #>> '{}')::bigint, coalesce((p_b ->> v_key)::bigint, 0));
    if v_counter > 0 then
      v_out := v_out || jsonb_build_object(v_key, v_counter);
    end if;
  end loop;
  for v_key, v_value in select e.key, e.value from jsonb_each(coalesce(p_b, '{}'::jsonb)) as e loop
    if not coalesce(p_a ? v_key, false) and (v_value #>> '{}')::bigint > 0 then
      v_out := v_out || jsonb_build_object(v_key, (v_value #>> '{}')::bigint);
    end if;
  end loop;
  return v_out;
end
$$;

--
-- Name: FUNCTION vv_merge(p_a jsonb, p_b jsonb); Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON FUNCTION sandsync.vv_merge(p_a jsonb, p_b jsonb) IS 'Pointwise maximum of two version vectors.';

--
-- Name: agent_tokens; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.agent_tokens (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    workspace_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    name text NOT NULL,
    token_hash text NOT NULL,
    token_prefix text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    last_used_at timestamp with time zone,
    CONSTRAINT agent_tokens_check CHECK ((expires_at > created_at)),
    CONSTRAINT agent_tokens_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT agent_tokens_token_hash_check CHECK ((token_hash ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT agent_tokens_token_prefix_check CHECK (((length(token_prefix) >= 4) AND (length(token_prefix) <= 16)))
);

--
-- Name: TABLE agent_tokens; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.agent_tokens IS 'Workspace-scoped tokens for sandbox agents: stored hashed, expiring, revocable.';

--
-- Name: COLUMN agent_tokens.id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.agent_tokens.id IS 'Token id (shown in listings; the secret is never stored).';

--
-- Name: COLUMN agent_tokens.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.agent_tokens.workspace_id IS 'The only workspace the token reaches.';

--
-- Name: COLUMN agent_tokens.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.agent_tokens.owner_id IS 'Owner of the workspace; the token acts as this user.';

--
-- Name: COLUMN agent_tokens.name; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.agent_tokens.name IS 'Display name (e.g. the sandbox it was issued for).';

--
-- Name: COLUMN agent_tokens.token_hash; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.agent_tokens.token_hash IS 'SHA-256 (hex) of the token.';

--
-- Name: COLUMN agent_tokens.token_prefix; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.agent_tokens.token_prefix IS 'First characters of the token, to recognise it in listings.';

--
-- Name: COLUMN agent_tokens.created_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.agent_tokens.created_at IS 'Issue time.';

--
-- Name: COLUMN agent_tokens.expires_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.agent_tokens.expires_at IS 'After this the token is refused.';

--
-- Name: COLUMN agent_tokens.revoked_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.agent_tokens.revoked_at IS 'Set when revoked; a revoked token is refused.';

--
-- Name: COLUMN agent_tokens.last_used_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.agent_tokens.last_used_at IS 'Last time a request presented the token.';

--
-- Name: blob_grants; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.blob_grants (
    workspace_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    sha256 text NOT NULL,
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT blob_grants_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text))
);

--
-- Name: TABLE blob_grants; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.blob_grants IS 'Blobs a workspace proved it holds (the server hashed bytes it sent): committable by its agent tokens.';

--
-- Name: COLUMN blob_grants.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blob_grants.workspace_id IS 'The workspace that sent the bytes.';

--
-- Name: COLUMN blob_grants.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blob_grants.owner_id IS 'Owner of the workspace and of the blob.';

--
-- Name: COLUMN blob_grants.sha256; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blob_grants.sha256 IS 'The blob.';

--
-- Name: COLUMN blob_grants.granted_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.blob_grants.granted_at IS 'When the server verified the bytes.';

--
-- Name: change_sets; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.change_sets (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    workspace_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    replica_id uuid NOT NULL,
    idempotency_key text NOT NULL,
    items_hash text NOT NULL,
    item_count integer NOT NULL,
    result jsonb,
    committed_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    agent_token_id uuid DEFAULT sandsync.current_agent_token_id(),
    CONSTRAINT change_sets_idempotency_key_check CHECK (((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 200)))
);

--
-- Name: TABLE change_sets; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.change_sets IS 'One row per committed batch, keyed by its idempotency key; holds the result a retry gets back.';

--
-- Name: COLUMN change_sets.id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.change_sets.id IS 'Change set id, recorded on every version it created.';

--
-- Name: COLUMN change_sets.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.change_sets.workspace_id IS 'Workspace committed to.';

--
-- Name: COLUMN change_sets.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.change_sets.owner_id IS 'Owner of the workspace (denormalised for RLS).';

--
-- Name: COLUMN change_sets.replica_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.change_sets.replica_id IS 'Committing replica.';

--
-- Name: COLUMN change_sets.idempotency_key; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.change_sets.idempotency_key IS 'Client-chosen key; a retry with the same key and items applies once.';

--
-- Name: COLUMN change_sets.items_hash; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.change_sets.items_hash IS 'SHA-256 of the items as sent, to refuse a reused key with other items.';

--
-- Name: COLUMN change_sets.item_count; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.change_sets.item_count IS 'Number of items in the batch.';

--
-- Name: COLUMN change_sets.result; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.change_sets.result IS 'The commit result returned to the caller (replayed on retry).';

--
-- Name: COLUMN change_sets.committed_by; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.change_sets.committed_by IS 'auth.uid() of the caller (null for the service role).';

--
-- Name: COLUMN change_sets.created_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.change_sets.created_at IS 'Commit time.';

--
-- Name: COLUMN change_sets.agent_token_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.change_sets.agent_token_id IS 'Agent token that committed this batch; null for a user session or the service role.';

--
-- Name: conflicts; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.conflicts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    workspace_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    file_id uuid NOT NULL,
    path text NOT NULL,
    current_version_id uuid,
    incoming_version_id uuid,
    ancestor_version_id uuid,
    strategy text NOT NULL,
    merge_required boolean DEFAULT false NOT NULL,
    status text DEFAULT 'open'::text NOT NULL,
    resolution text,
    resolved_version_id uuid,
    conflict_copy_path text,
    resolved_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    resolved_at timestamp with time zone,
    CONSTRAINT conflicts_check CHECK (((status = 'open'::text) = (resolution IS NULL))),
    CONSTRAINT conflicts_resolution_check CHECK ((resolution = ANY (ARRAY['current'::text, 'incoming'::text, 'merged'::text, 'last_write_wins'::text]))),
    CONSTRAINT conflicts_status_check CHECK ((status = ANY (ARRAY['open'::text, 'resolved'::text]))),
    CONSTRAINT conflicts_strategy_check CHECK ((strategy = ANY (ARRAY['last_write_wins'::text, 'user_intervention'::text, 'auto_merge'::text])))
);

--
-- Name: TABLE conflicts; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.conflicts IS 'Concurrent versions of one path: current (server) vs incoming (committer), open until resolved.';

--
-- Name: COLUMN conflicts.id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.id IS 'Conflict id.';

--
-- Name: COLUMN conflicts.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.workspace_id IS 'Workspace.';

--
-- Name: COLUMN conflicts.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.owner_id IS 'Owner of the workspace (denormalised for RLS).';

--
-- Name: COLUMN conflicts.file_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.file_id IS 'The file in conflict.';

--
-- Name: COLUMN conflicts.path; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.path IS 'Its path.';

--
-- Name: COLUMN conflicts.current_version_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.current_version_id IS 'The server''s side when the conflict arose.';

--
-- Name: COLUMN conflicts.incoming_version_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.incoming_version_id IS 'The committer''s side (kept in history, not current).';

--
-- Name: COLUMN conflicts.ancestor_version_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.ancestor_version_id IS 'Common ancestor (the incoming base) for a three-way merge, when known.';

--
-- Name: COLUMN conflicts.strategy; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.strategy IS 'Strategy in force when it arose.';

--
-- Name: COLUMN conflicts.merge_required; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.merge_required IS 'auto_merge: the caller should three-way merge and resolve with merged content.';

--
-- Name: COLUMN conflicts.status; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.status IS 'open or resolved.';

--
-- Name: COLUMN conflicts.resolution; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.resolution IS 'How it was resolved: current, incoming, merged, or last_write_wins (automatic).';

--
-- Name: COLUMN conflicts.resolved_version_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.resolved_version_id IS 'The version that resolved it (dominates both sides).';

--
-- Name: COLUMN conflicts.conflict_copy_path; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.conflict_copy_path IS 'last_write_wins: path of the conflict copy holding the loser, if made.';

--
-- Name: COLUMN conflicts.resolved_by; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.resolved_by IS 'User that resolved it (null for automatic or service).';

--
-- Name: COLUMN conflicts.created_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.created_at IS 'When it arose.';

--
-- Name: COLUMN conflicts.resolved_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.conflicts.resolved_at IS 'When it was resolved.';

--
-- Name: error_codes; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.error_codes (
    code text NOT NULL,
    sqlstate text NOT NULL,
    http_status integer NOT NULL,
    description text NOT NULL,
    CONSTRAINT error_codes_sqlstate_check CHECK ((sqlstate ~ '^[0-9A-Z]{5}$'::text))
);

--
-- Name: TABLE error_codes; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.error_codes IS 'Closed list of Sandsync SQL errors, one row per SQLSTATE: raised with that SQLSTATE and the API error code as HINT; the API answers with the code and its HTTP status.';

--
-- Name: COLUMN error_codes.code; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.error_codes.code IS 'API error code (shared/protocol/errors.ts), also the HINT of the raised error.';

--
-- Name: COLUMN error_codes.sqlstate; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.error_codes.sqlstate IS 'SQLSTATE the function raises for this code (primary key: one code per SQLSTATE).';

--
-- Name: COLUMN error_codes.http_status; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.error_codes.http_status IS 'The HTTP status the API sends for the code (ERROR_STATUS).';

--
-- Name: COLUMN error_codes.description; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.error_codes.description IS 'When the error is raised.';

--
-- Name: files; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.files (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    workspace_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    path text NOT NULL,
    current_version_id uuid,
    sha256 text,
    size bigint DEFAULT 0 NOT NULL,
    mode integer DEFAULT 420 NOT NULL,
    mtime timestamp with time zone,
    deleted boolean DEFAULT false NOT NULL,
    vector jsonb DEFAULT '{}'::jsonb NOT NULL,
    replica_id uuid,
    committed_by uuid,
    committed_at timestamp with time zone DEFAULT now() NOT NULL,
    seq bigint DEFAULT 0 NOT NULL,
    path_folded text GENERATED ALWAYS AS (lower(path)) STORED,
    CONSTRAINT files_check CHECK ((deleted OR (sha256 IS NOT NULL))),
    CONSTRAINT files_mode_check CHECK (((mode >= 0) AND (mode <= 4095))),
    CONSTRAINT files_path_valid CHECK ((sandsync.path_problem(path) IS NULL)),
    CONSTRAINT files_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT files_size_check CHECK ((size >= 0))
);

--
-- Name: TABLE files; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.files IS 'Current state per workspace and path (the current version denormalised); tombstones keep deleted paths.';

--
-- Name: COLUMN files.id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.id IS 'File id, stable across versions of the path.';

--
-- Name: COLUMN files.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.workspace_id IS 'Workspace holding the path.';

--
-- Name: COLUMN files.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.owner_id IS 'Owner of the workspace (denormalised for RLS).';

--
-- Name: COLUMN files.path; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.path IS 'Relative /-separated NFC path (see sandsync.path_problem).';

--
-- Name: COLUMN files.current_version_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.current_version_id IS 'The current version (null only inside the creating transaction).';

--
-- Name: COLUMN files.sha256; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.sha256 IS 'Content hash of the current version (null for a tombstone).';

--
-- Name: COLUMN files.size; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.size IS 'Content length of the current version.';

--
-- Name: COLUMN files.mode; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.mode IS 'Unix mode bits (permissions) of the current version.';

--
-- Name: COLUMN files.mtime; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.mtime IS 'Client-reported modification time (recorded, never used for ordering).';

--
-- Name: COLUMN files.deleted; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.deleted IS 'Tombstone: the path was deleted.';

--
-- Name: COLUMN files.vector; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.vector IS 'Version vector {replica_id: counter} of the current version.';

--
-- Name: COLUMN files.replica_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.replica_id IS 'Replica that committed the current version.';

--
-- Name: COLUMN files.committed_by; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.committed_by IS 'User that committed the current version (null for the service role).';

--
-- Name: COLUMN files.committed_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.committed_at IS 'Server time of the commit of the current version.';

--
-- Name: COLUMN files.seq; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.seq IS 'Journal seq of the last change of this path.';

--
-- Name: COLUMN files.path_folded; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.files.path_folded IS 'lower(path): two live paths of a workspace may not share it (case-only collisions).';

--
-- Name: pack_entries; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.pack_entries (
    workspace_id uuid NOT NULL,
    pack_sha256 text NOT NULL,
    sha256 text NOT NULL,
    owner_id uuid NOT NULL,
    pack_offset bigint NOT NULL,
    size bigint NOT NULL,
    CONSTRAINT pack_entries_pack_offset_check CHECK ((pack_offset >= 0)),
    CONSTRAINT pack_entries_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT pack_entries_size_check CHECK ((size >= 0))
);

--
-- Name: TABLE pack_entries; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.pack_entries IS 'Where each blob of a pack sits: offset and size.';

--
-- Name: COLUMN pack_entries.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.pack_entries.workspace_id IS 'The pack''s workspace.';

--
-- Name: COLUMN pack_entries.pack_sha256; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.pack_entries.pack_sha256 IS 'The pack.';

--
-- Name: COLUMN pack_entries.sha256; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.pack_entries.sha256 IS 'The blob.';

--
-- Name: COLUMN pack_entries.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.pack_entries.owner_id IS 'Owner of the blob row (collecting it drops the entry).';

--
-- Name: COLUMN pack_entries.pack_offset; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.pack_entries.pack_offset IS 'First byte of the blob in the pack.';

--
-- Name: COLUMN pack_entries.size; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.pack_entries.size IS 'Blob size in bytes.';

--
-- Name: packs; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.packs (
    workspace_id uuid NOT NULL,
    sha256 text NOT NULL,
    owner_id uuid NOT NULL,
    size bigint NOT NULL,
    storage_key text GENERATED ALWAYS AS ((((((owner_id)::text || '/packs/'::text) || (workspace_id)::text) || '/'::text) || sha256)) STORED,
    state text DEFAULT 'pending'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    stored_at timestamp with time zone,
    CONSTRAINT packs_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT packs_size_check CHECK ((size > 0)),
    CONSTRAINT packs_state_check CHECK ((state = ANY (ARRAY['pending'::text, 'stored'::text, 'collecting'::text])))
);

--
-- Name: TABLE packs; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.packs IS 'Pack objects: many small blobs of one workspace in one immutable Storage object named by its SHA-256.';

--
-- Name: COLUMN packs.workspace_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.packs.workspace_id IS 'The one workspace whose blobs the pack holds.';

--
-- Name: COLUMN packs.sha256; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.packs.sha256 IS 'SHA-256 of the whole pack object.';

--
-- Name: COLUMN packs.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.packs.owner_id IS 'Owner of the workspace; first key segment (quota).';

--
-- Name: COLUMN packs.size; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.packs.size IS 'Object size in bytes: the sum of its entries.';

--
-- Name: COLUMN packs.storage_key; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.packs.storage_key IS 'Object name: <owner>/packs/<workspace>/<sha256>.';

--
-- Name: COLUMN packs.state; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.packs.state IS 'pending until the server verified the stored object, then stored; collecting while housekeeping removes it.';

--
-- Name: COLUMN packs.created_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.packs.created_at IS 'When the pack was announced.';

--
-- Name: COLUMN packs.stored_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.packs.stored_at IS 'When the object was verified.';

--
-- Name: reservations; Type: TABLE; Schema: sandsync; Owner: -
--

CREATE TABLE sandsync.reservations (
    owner_id uuid NOT NULL,
    sha256 text NOT NULL,
    size bigint NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT reservations_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT reservations_size_check CHECK ((size >= 0))
);

--
-- Name: TABLE reservations; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON TABLE sandsync.reservations IS 'Bytes promised to an upload in flight, per (owner, sha256); released when the object lands or on expiry.';

--
-- Name: COLUMN reservations.owner_id; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.reservations.owner_id IS 'Owner paying for the upload.';

--
-- Name: COLUMN reservations.sha256; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.reservations.sha256 IS 'The blob being uploaded (its key is <owner>/<sha[0:2]>/<sha>).';

--
-- Name: COLUMN reservations.size; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.reservations.size IS 'Bytes reserved.';

--
-- Name: COLUMN reservations.expires_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.reservations.expires_at IS 'After this, housekeeping releases the bytes.';

--
-- Name: COLUMN reservations.created_at; Type: COMMENT; Schema: sandsync; Owner: -
--

COMMENT ON COLUMN sandsync.reservations.created_at IS 'First reservation time.';

--
-- Name: agent_tokens agent_tokens_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.agent_tokens
    ADD CONSTRAINT agent_tokens_pkey PRIMARY KEY (id);

--
-- Name: agent_tokens agent_tokens_token_hash_key; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.agent_tokens
    ADD CONSTRAINT agent_tokens_token_hash_key UNIQUE (token_hash);

--
-- Name: blob_grants blob_grants_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.blob_grants
    ADD CONSTRAINT blob_grants_pkey PRIMARY KEY (workspace_id, sha256);

--
-- Name: blobs blobs_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.blobs
    ADD CONSTRAINT blobs_pkey PRIMARY KEY (owner_id, sha256);

--
-- Name: change_sets change_sets_id_workspace_id_key; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.change_sets
    ADD CONSTRAINT change_sets_id_workspace_id_key UNIQUE (id, workspace_id);

--
-- Name: change_sets change_sets_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.change_sets
    ADD CONSTRAINT change_sets_pkey PRIMARY KEY (id);

--
-- Name: change_sets change_sets_workspace_id_idempotency_key_key; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.change_sets
    ADD CONSTRAINT change_sets_workspace_id_idempotency_key_key UNIQUE (workspace_id, idempotency_key);

--
-- Name: changes changes_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.changes
    ADD CONSTRAINT changes_pkey PRIMARY KEY (workspace_id, seq);

--
-- Name: checkpoints checkpoints_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.checkpoints
    ADD CONSTRAINT checkpoints_pkey PRIMARY KEY (id);

--
-- Name: checkpoints checkpoints_workspace_id_name_key; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.checkpoints
    ADD CONSTRAINT checkpoints_workspace_id_name_key UNIQUE (workspace_id, name);

--
-- Name: conflicts conflicts_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.conflicts
    ADD CONSTRAINT conflicts_pkey PRIMARY KEY (id);

--
-- Name: error_codes error_codes_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.error_codes
    ADD CONSTRAINT error_codes_pkey PRIMARY KEY (sqlstate);

--
-- Name: files files_id_workspace_id_key; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.files
    ADD CONSTRAINT files_id_workspace_id_key UNIQUE (id, workspace_id);

--
-- Name: files files_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.files
    ADD CONSTRAINT files_pkey PRIMARY KEY (id);

--
-- Name: files files_workspace_id_path_key; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.files
    ADD CONSTRAINT files_workspace_id_path_key UNIQUE (workspace_id, path);

--
-- Name: pack_entries pack_entries_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.pack_entries
    ADD CONSTRAINT pack_entries_pkey PRIMARY KEY (workspace_id, pack_sha256, sha256);

--
-- Name: packs packs_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.packs
    ADD CONSTRAINT packs_pkey PRIMARY KEY (workspace_id, sha256);

--
-- Name: quotas quotas_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.quotas
    ADD CONSTRAINT quotas_pkey PRIMARY KEY (owner_id);

--
-- Name: replica_files replica_files_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.replica_files
    ADD CONSTRAINT replica_files_pkey PRIMARY KEY (workspace_id, replica_id, path);

--
-- Name: replicas replicas_id_workspace_id_key; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.replicas
    ADD CONSTRAINT replicas_id_workspace_id_key UNIQUE (id, workspace_id);

--
-- Name: replicas replicas_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.replicas
    ADD CONSTRAINT replicas_pkey PRIMARY KEY (workspace_id, id);

--
-- Name: reservations reservations_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.reservations
    ADD CONSTRAINT reservations_pkey PRIMARY KEY (owner_id, sha256);

--
-- Name: settings settings_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.settings
    ADD CONSTRAINT settings_pkey PRIMARY KEY (id);

--
-- Name: versions versions_id_workspace_id_key; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.versions
    ADD CONSTRAINT versions_id_workspace_id_key UNIQUE (id, workspace_id);

--
-- Name: versions versions_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.versions
    ADD CONSTRAINT versions_pkey PRIMARY KEY (id);

--
-- Name: workspaces workspaces_id_owner_id_key; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.workspaces
    ADD CONSTRAINT workspaces_id_owner_id_key UNIQUE (id, owner_id);

--
-- Name: workspaces workspaces_pkey; Type: CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.workspaces
    ADD CONSTRAINT workspaces_pkey PRIMARY KEY (id);

--
-- Name: agent_tokens_owner_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX agent_tokens_owner_id_idx ON sandsync.agent_tokens USING btree (owner_id);

--
-- Name: agent_tokens_workspace_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX agent_tokens_workspace_id_idx ON sandsync.agent_tokens USING btree (workspace_id);

--
-- Name: blob_grants_owner_id_sha256_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX blob_grants_owner_id_sha256_idx ON sandsync.blob_grants USING btree (owner_id, sha256);

--
-- Name: change_sets_agent_token_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX change_sets_agent_token_id_idx ON sandsync.change_sets USING btree (agent_token_id) WHERE (agent_token_id IS NOT NULL);

--
-- Name: change_sets_owner_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX change_sets_owner_id_idx ON sandsync.change_sets USING btree (owner_id);

--
-- Name: change_sets_replica_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX change_sets_replica_id_idx ON sandsync.change_sets USING btree (replica_id);

--
-- Name: changes_owner_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX changes_owner_id_idx ON sandsync.changes USING btree (owner_id);

--
-- Name: checkpoints_owner_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX checkpoints_owner_id_idx ON sandsync.checkpoints USING btree (owner_id);

--
-- Name: conflicts_ancestor_version_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX conflicts_ancestor_version_id_idx ON sandsync.conflicts USING btree (ancestor_version_id);

--
-- Name: conflicts_current_version_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX conflicts_current_version_id_idx ON sandsync.conflicts USING btree (current_version_id);

--
-- Name: conflicts_file_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX conflicts_file_id_idx ON sandsync.conflicts USING btree (file_id);

--
-- Name: conflicts_incoming_version_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX conflicts_incoming_version_id_idx ON sandsync.conflicts USING btree (incoming_version_id);

--
-- Name: conflicts_owner_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX conflicts_owner_id_idx ON sandsync.conflicts USING btree (owner_id);

--
-- Name: conflicts_resolved_version_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX conflicts_resolved_version_id_idx ON sandsync.conflicts USING btree (resolved_version_id);

--
-- Name: conflicts_workspace_open_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX conflicts_workspace_open_idx ON sandsync.conflicts USING btree (workspace_id, created_at) WHERE (status = 'open'::text);

--
-- Name: files_current_version_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX files_current_version_id_idx ON sandsync.files USING btree (current_version_id);

--
-- Name: files_live_path_folded_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE UNIQUE INDEX files_live_path_folded_idx ON sandsync.files USING btree (workspace_id, path_folded) WHERE (NOT deleted);

--
-- Name: files_owner_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX files_owner_id_idx ON sandsync.files USING btree (owner_id);

--
-- Name: pack_entries_blob_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX pack_entries_blob_idx ON sandsync.pack_entries USING btree (owner_id, sha256);

--
-- Name: pack_entries_location_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX pack_entries_location_idx ON sandsync.pack_entries USING btree (workspace_id, sha256);

--
-- Name: packs_owner_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX packs_owner_id_idx ON sandsync.packs USING btree (owner_id);

--
-- Name: packs_storage_key_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE UNIQUE INDEX packs_storage_key_idx ON sandsync.packs USING btree (storage_key);

--
-- Name: replica_files_owner_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX replica_files_owner_id_idx ON sandsync.replica_files USING btree (owner_id);

--
-- Name: replicas_owner_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX replicas_owner_id_idx ON sandsync.replicas USING btree (owner_id);

--
-- Name: replicas_workspace_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX replicas_workspace_id_idx ON sandsync.replicas USING btree (workspace_id);

--
-- Name: reservations_expires_at_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX reservations_expires_at_idx ON sandsync.reservations USING btree (expires_at);

--
-- Name: versions_agent_token_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX versions_agent_token_id_idx ON sandsync.versions USING btree (agent_token_id) WHERE (agent_token_id IS NOT NULL);

--
-- Name: versions_change_set_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX versions_change_set_id_idx ON sandsync.versions USING btree (change_set_id);

--
-- Name: versions_file_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX versions_file_id_idx ON sandsync.versions USING btree (file_id, committed_at DESC);

--
-- Name: versions_owner_id_sha256_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX versions_owner_id_sha256_idx ON sandsync.versions USING btree (owner_id, sha256);

--
-- Name: versions_workspace_id_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX versions_workspace_id_id_idx ON sandsync.versions USING btree (workspace_id, id);

--
-- Name: workspaces_owner_id_idx; Type: INDEX; Schema: sandsync; Owner: -
--

CREATE INDEX workspaces_owner_id_idx ON sandsync.workspaces USING btree (owner_id);

--
-- Name: blobs blobs_keep_collecting; Type: TRIGGER; Schema: sandsync; Owner: -
--

CREATE TRIGGER blobs_keep_collecting BEFORE UPDATE OF state ON sandsync.blobs FOR EACH ROW WHEN ((old.state = 'collecting'::text)) EXECUTE FUNCTION sandsync.keep_collecting();

--
-- Name: files files_refuse_protected_path; Type: TRIGGER; Schema: sandsync; Owner: -
--

CREATE TRIGGER files_refuse_protected_path BEFORE INSERT OR UPDATE OF path, deleted, sha256 ON sandsync.files FOR EACH ROW EXECUTE FUNCTION sandsync.refuse_protected_path();

--
-- Name: versions versions_need_stored_blobs; Type: TRIGGER; Schema: sandsync; Owner: -
--

CREATE TRIGGER versions_need_stored_blobs AFTER INSERT ON sandsync.versions REFERENCING NEW TABLE AS new_versions FOR EACH STATEMENT EXECUTE FUNCTION sandsync.versions_need_stored_blobs();

--
-- Name: versions versions_vector_keys_check; Type: TRIGGER; Schema: sandsync; Owner: -
--

CREATE TRIGGER versions_vector_keys_check BEFORE INSERT ON sandsync.versions FOR EACH ROW EXECUTE FUNCTION sandsync.versions_vector_keys_check();

--
-- Name: agent_tokens agent_tokens_workspace_id_owner_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.agent_tokens
    ADD CONSTRAINT agent_tokens_workspace_id_owner_id_fkey FOREIGN KEY (workspace_id, owner_id) REFERENCES sandsync.workspaces(id, owner_id) ON DELETE CASCADE;

--
-- Name: blob_grants blob_grants_workspace_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.blob_grants
    ADD CONSTRAINT blob_grants_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES sandsync.workspaces(id) ON DELETE CASCADE;

--
-- Name: change_sets change_sets_agent_token_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.change_sets
    ADD CONSTRAINT change_sets_agent_token_id_fkey FOREIGN KEY (agent_token_id) REFERENCES sandsync.agent_tokens(id) ON DELETE SET NULL;

--
-- Name: change_sets change_sets_replica_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.change_sets
    ADD CONSTRAINT change_sets_replica_id_fkey FOREIGN KEY (replica_id, workspace_id) REFERENCES sandsync.replicas(id, workspace_id) ON DELETE CASCADE;

--
-- Name: change_sets change_sets_workspace_id_owner_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.change_sets
    ADD CONSTRAINT change_sets_workspace_id_owner_id_fkey FOREIGN KEY (workspace_id, owner_id) REFERENCES sandsync.workspaces(id, owner_id) ON DELETE CASCADE;

--
-- Name: changes changes_workspace_id_owner_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.changes
    ADD CONSTRAINT changes_workspace_id_owner_id_fkey FOREIGN KEY (workspace_id, owner_id) REFERENCES sandsync.workspaces(id, owner_id) ON DELETE CASCADE;

--
-- Name: checkpoints checkpoints_workspace_id_owner_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.checkpoints
    ADD CONSTRAINT checkpoints_workspace_id_owner_id_fkey FOREIGN KEY (workspace_id, owner_id) REFERENCES sandsync.workspaces(id, owner_id) ON DELETE CASCADE;

--
-- Name: conflicts conflicts_ancestor_version_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.conflicts
    ADD CONSTRAINT conflicts_ancestor_version_id_fkey FOREIGN KEY (ancestor_version_id, workspace_id) REFERENCES sandsync.versions(id, workspace_id) ON DELETE SET NULL (ancestor_version_id);

--
-- Name: conflicts conflicts_current_version_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.conflicts
    ADD CONSTRAINT conflicts_current_version_id_fkey FOREIGN KEY (current_version_id, workspace_id) REFERENCES sandsync.versions(id, workspace_id) ON DELETE SET NULL (current_version_id);

--
-- Name: conflicts conflicts_file_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.conflicts
    ADD CONSTRAINT conflicts_file_id_fkey FOREIGN KEY (file_id, workspace_id) REFERENCES sandsync.files(id, workspace_id) ON DELETE CASCADE;

--
-- Name: conflicts conflicts_incoming_version_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.conflicts
    ADD CONSTRAINT conflicts_incoming_version_id_fkey FOREIGN KEY (incoming_version_id, workspace_id) REFERENCES sandsync.versions(id, workspace_id) ON DELETE SET NULL (incoming_version_id);

--
-- Name: conflicts conflicts_resolved_version_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.conflicts
    ADD CONSTRAINT conflicts_resolved_version_id_fkey FOREIGN KEY (resolved_version_id, workspace_id) REFERENCES sandsync.versions(id, workspace_id) ON DELETE SET NULL (resolved_version_id);

--
-- Name: conflicts conflicts_workspace_id_owner_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.conflicts
    ADD CONSTRAINT conflicts_workspace_id_owner_id_fkey FOREIGN KEY (workspace_id, owner_id) REFERENCES sandsync.workspaces(id, owner_id) ON DELETE CASCADE;

--
-- Name: files files_current_version_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.files
    ADD CONSTRAINT files_current_version_id_fkey FOREIGN KEY (current_version_id, workspace_id) REFERENCES sandsync.versions(id, workspace_id);

--
-- Name: files files_workspace_id_owner_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.files
    ADD CONSTRAINT files_workspace_id_owner_id_fkey FOREIGN KEY (workspace_id, owner_id) REFERENCES sandsync.workspaces(id, owner_id) ON DELETE CASCADE;

--
-- Name: pack_entries pack_entries_owner_id_sha256_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.pack_entries
    ADD CONSTRAINT pack_entries_owner_id_sha256_fkey FOREIGN KEY (owner_id, sha256) REFERENCES sandsync.blobs(owner_id, sha256) ON DELETE CASCADE;

--
-- Name: pack_entries pack_entries_workspace_id_pack_sha256_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.pack_entries
    ADD CONSTRAINT pack_entries_workspace_id_pack_sha256_fkey FOREIGN KEY (workspace_id, pack_sha256) REFERENCES sandsync.packs(workspace_id, sha256) ON DELETE CASCADE;

--
-- Name: packs packs_workspace_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.packs
    ADD CONSTRAINT packs_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES sandsync.workspaces(id) ON DELETE CASCADE;

--
-- Name: replica_files replica_files_replica_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.replica_files
    ADD CONSTRAINT replica_files_replica_fkey FOREIGN KEY (replica_id, workspace_id) REFERENCES sandsync.replicas(id, workspace_id) ON DELETE CASCADE;

--
-- Name: replicas replicas_workspace_id_owner_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.replicas
    ADD CONSTRAINT replicas_workspace_id_owner_id_fkey FOREIGN KEY (workspace_id, owner_id) REFERENCES sandsync.workspaces(id, owner_id) ON DELETE CASCADE;

--
-- Name: versions versions_agent_token_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.versions
    ADD CONSTRAINT versions_agent_token_id_fkey FOREIGN KEY (agent_token_id) REFERENCES sandsync.agent_tokens(id) ON DELETE SET NULL;

--
-- Name: versions versions_change_set_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.versions
    ADD CONSTRAINT versions_change_set_id_fkey FOREIGN KEY (change_set_id, workspace_id) REFERENCES sandsync.change_sets(id, workspace_id) ON DELETE SET NULL (change_set_id);

--
-- Name: versions versions_file_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.versions
    ADD CONSTRAINT versions_file_id_fkey FOREIGN KEY (file_id, workspace_id) REFERENCES sandsync.files(id, workspace_id) ON DELETE CASCADE;

--
-- Name: versions versions_owner_id_sha256_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.versions
    ADD CONSTRAINT versions_owner_id_sha256_fkey FOREIGN KEY (owner_id, sha256) REFERENCES sandsync.blobs(owner_id, sha256);

--
-- Name: versions versions_workspace_id_owner_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.versions
    ADD CONSTRAINT versions_workspace_id_owner_id_fkey FOREIGN KEY (workspace_id, owner_id) REFERENCES sandsync.workspaces(id, owner_id) ON DELETE CASCADE;

--
-- Name: workspaces workspaces_owner_id_fkey; Type: FK CONSTRAINT; Schema: sandsync; Owner: -
--

ALTER TABLE ONLY sandsync.workspaces
    ADD CONSTRAINT workspaces_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES auth.users(id) ON DELETE CASCADE;

--
-- Name: error_codes Authenticated users can read the error codes; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Authenticated users can read the error codes" ON sandsync.error_codes FOR SELECT TO authenticated USING (true);

--
-- Name: settings Authenticated users can read the settings; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Authenticated users can read the settings" ON sandsync.settings FOR SELECT TO authenticated USING (true);

--
-- Name: files Users can add files to their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can add files to their workspaces" ON sandsync.files FOR INSERT TO authenticated WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: versions Users can add versions to their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can add versions to their workspaces" ON sandsync.versions FOR INSERT TO authenticated WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: changes Users can append to the journal of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can append to the journal of their workspaces" ON sandsync.changes FOR INSERT TO authenticated WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: workspaces Users can create workspaces they own; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can create workspaces they own" ON sandsync.workspaces FOR INSERT TO authenticated WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: checkpoints Users can delete checkpoints of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can delete checkpoints of their workspaces" ON sandsync.checkpoints FOR DELETE TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: workspaces Users can delete their own workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can delete their own workspaces" ON sandsync.workspaces FOR DELETE TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: replica_files Users can forget the state of their replicas; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can forget the state of their replicas" ON sandsync.replica_files FOR DELETE TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: agent_tokens Users can issue agent tokens for their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can issue agent tokens for their workspaces" ON sandsync.agent_tokens FOR INSERT TO authenticated WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: changes Users can read the journal of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can read the journal of their workspaces" ON sandsync.changes FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: change_sets Users can record change sets in their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can record change sets in their workspaces" ON sandsync.change_sets FOR INSERT TO authenticated WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: checkpoints Users can record checkpoints of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can record checkpoints of their workspaces" ON sandsync.checkpoints FOR INSERT TO authenticated WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: conflicts Users can record conflicts in their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can record conflicts in their workspaces" ON sandsync.conflicts FOR INSERT TO authenticated WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: replicas Users can register replicas in their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can register replicas in their workspaces" ON sandsync.replicas FOR INSERT TO authenticated WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: replicas Users can remove replicas of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can remove replicas of their workspaces" ON sandsync.replicas FOR DELETE TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: replica_files Users can report the state of their replicas; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can report the state of their replicas" ON sandsync.replica_files FOR INSERT TO authenticated WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: conflicts Users can resolve conflicts in their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can resolve conflicts in their workspaces" ON sandsync.conflicts FOR UPDATE TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid))) WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: agent_tokens Users can revoke agent tokens of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can revoke agent tokens of their workspaces" ON sandsync.agent_tokens FOR UPDATE TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid))) WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: change_sets Users can see change sets of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see change sets of their workspaces" ON sandsync.change_sets FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: conflicts Users can see conflicts in their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see conflicts in their workspaces" ON sandsync.conflicts FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: files Users can see files of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see files of their workspaces" ON sandsync.files FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: replicas Users can see replicas of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see replicas of their workspaces" ON sandsync.replicas FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: agent_tokens Users can see the agent tokens of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see the agent tokens of their workspaces" ON sandsync.agent_tokens FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: checkpoints Users can see the checkpoints of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see the checkpoints of their workspaces" ON sandsync.checkpoints FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: blob_grants Users can see the grants of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see the grants of their workspaces" ON sandsync.blob_grants FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: pack_entries Users can see the pack entries of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see the pack entries of their workspaces" ON sandsync.pack_entries FOR SELECT TO authenticated USING (((owner_id = ( SELECT auth.uid() AS uid)) AND (workspace_id = COALESCE(( SELECT sandsync.current_workspace_scope() AS current_workspace_scope), workspace_id))));

--
-- Name: packs Users can see the packs of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see the packs of their workspaces" ON sandsync.packs FOR SELECT TO authenticated USING (((owner_id = ( SELECT auth.uid() AS uid)) AND (workspace_id = COALESCE(( SELECT sandsync.current_workspace_scope() AS current_workspace_scope), workspace_id))));

--
-- Name: replica_files Users can see the state of their replicas; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see the state of their replicas" ON sandsync.replica_files FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: blobs Users can see their own blobs; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see their own blobs" ON sandsync.blobs FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: quotas Users can see their own quota; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see their own quota" ON sandsync.quotas FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: reservations Users can see their own reservations; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see their own reservations" ON sandsync.reservations FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: workspaces Users can see their own workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see their own workspaces" ON sandsync.workspaces FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: versions Users can see versions in their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can see versions in their workspaces" ON sandsync.versions FOR SELECT TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: change_sets Users can update change sets of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can update change sets of their workspaces" ON sandsync.change_sets FOR UPDATE TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid))) WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: files Users can update files of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can update files of their workspaces" ON sandsync.files FOR UPDATE TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid))) WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: replicas Users can update replicas of their workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can update replicas of their workspaces" ON sandsync.replicas FOR UPDATE TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid))) WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: replica_files Users can update the state of their replicas; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can update the state of their replicas" ON sandsync.replica_files FOR UPDATE TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid))) WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: workspaces Users can update their own workspaces; Type: POLICY; Schema: sandsync; Owner: -
--

CREATE POLICY "Users can update their own workspaces" ON sandsync.workspaces FOR UPDATE TO authenticated USING ((owner_id = ( SELECT auth.uid() AS uid))) WITH CHECK ((owner_id = ( SELECT auth.uid() AS uid)));

--
-- Name: agent_tokens; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.agent_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: blob_grants; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.blob_grants ENABLE ROW LEVEL SECURITY;

--
-- Name: blobs; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.blobs ENABLE ROW LEVEL SECURITY;

--
-- Name: change_sets; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.change_sets ENABLE ROW LEVEL SECURITY;

--
-- Name: changes; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.changes ENABLE ROW LEVEL SECURITY;

--
-- Name: checkpoints; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.checkpoints ENABLE ROW LEVEL SECURITY;

--
-- Name: conflicts; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.conflicts ENABLE ROW LEVEL SECURITY;

--
-- Name: error_codes; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.error_codes ENABLE ROW LEVEL SECURITY;

--
-- Name: files; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.files ENABLE ROW LEVEL SECURITY;

--
-- Name: pack_entries; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.pack_entries ENABLE ROW LEVEL SECURITY;

--
-- Name: packs; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.packs ENABLE ROW LEVEL SECURITY;

--
-- Name: quotas; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.quotas ENABLE ROW LEVEL SECURITY;

--
-- Name: replica_files; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.replica_files ENABLE ROW LEVEL SECURITY;

--
-- Name: replicas; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.replicas ENABLE ROW LEVEL SECURITY;

--
-- Name: reservations; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.reservations ENABLE ROW LEVEL SECURITY;

--
-- Name: settings; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.settings ENABLE ROW LEVEL SECURITY;

--
-- Name: versions; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.versions ENABLE ROW LEVEL SECURITY;

--
-- Name: workspaces; Type: ROW SECURITY; Schema: sandsync; Owner: -
--

ALTER TABLE sandsync.workspaces ENABLE ROW LEVEL SECURITY;

--
-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA public TO anon;
GRANT USAGE ON SCHEMA public TO authenticated;
GRANT USAGE ON SCHEMA public TO service_role;

--
-- Name: SCHEMA sandsync; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA sandsync TO authenticated;
GRANT USAGE ON SCHEMA sandsync TO service_role;

--
-- Name: TABLE changes; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT,INSERT ON TABLE sandsync.changes TO authenticated;
GRANT ALL ON TABLE sandsync.changes TO service_role;

--
-- Name: FUNCTION changes_since(p_workspace_id uuid, p_cursor bigint, p_limit integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.changes_since(p_workspace_id uuid, p_cursor bigint, p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.changes_since(p_workspace_id uuid, p_cursor bigint, p_limit integer) TO authenticated;
GRANT ALL ON FUNCTION public.changes_since(p_workspace_id uuid, p_cursor bigint, p_limit integer) TO service_role;

--
-- Name: FUNCTION commit_changes(p_workspace_id uuid, p_replica_id uuid, p_idempotency_key text, p_items jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.commit_changes(p_workspace_id uuid, p_replica_id uuid, p_idempotency_key text, p_items jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.commit_changes(p_workspace_id uuid, p_replica_id uuid, p_idempotency_key text, p_items jsonb) TO authenticated;
GRANT ALL ON FUNCTION public.commit_changes(p_workspace_id uuid, p_replica_id uuid, p_idempotency_key text, p_items jsonb) TO service_role;

--
-- Name: FUNCTION create_agent_token(p_workspace_id uuid, p_name text, p_token_hash text, p_token_prefix text, p_expires_at timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.create_agent_token(p_workspace_id uuid, p_name text, p_token_hash text, p_token_prefix text, p_expires_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.create_agent_token(p_workspace_id uuid, p_name text, p_token_hash text, p_token_prefix text, p_expires_at timestamp with time zone) TO authenticated;

--
-- Name: TABLE checkpoints; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT,INSERT,DELETE ON TABLE sandsync.checkpoints TO authenticated;
GRANT ALL ON TABLE sandsync.checkpoints TO service_role;

--
-- Name: FUNCTION create_checkpoint(p_workspace_id uuid, p_name text, p_sandbox_id text, p_replica_id uuid, p_seq bigint); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.create_checkpoint(p_workspace_id uuid, p_name text, p_sandbox_id text, p_replica_id uuid, p_seq bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.create_checkpoint(p_workspace_id uuid, p_name text, p_sandbox_id text, p_replica_id uuid, p_seq bigint) TO authenticated;
GRANT ALL ON FUNCTION public.create_checkpoint(p_workspace_id uuid, p_name text, p_sandbox_id text, p_replica_id uuid, p_seq bigint) TO service_role;

--
-- Name: TABLE workspaces; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT,INSERT,DELETE ON TABLE sandsync.workspaces TO authenticated;
GRANT ALL ON TABLE sandsync.workspaces TO service_role;

--
-- Name: COLUMN workspaces.name; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(name) ON TABLE sandsync.workspaces TO authenticated;

--
-- Name: COLUMN workspaces.sandbox_id; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(sandbox_id) ON TABLE sandsync.workspaces TO authenticated;

--
-- Name: COLUMN workspaces.strategy; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(strategy) ON TABLE sandsync.workspaces TO authenticated;

--
-- Name: COLUMN workspaces.merge_fallback; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(merge_fallback) ON TABLE sandsync.workspaces TO authenticated;

--
-- Name: COLUMN workspaces.conflict_copies; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(conflict_copies) ON TABLE sandsync.workspaces TO authenticated;

--
-- Name: COLUMN workspaces.retention_versions; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(retention_versions) ON TABLE sandsync.workspaces TO authenticated;

--
-- Name: COLUMN workspaces.retention_age; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(retention_age) ON TABLE sandsync.workspaces TO authenticated;

--
-- Name: COLUMN workspaces.last_seq; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(last_seq) ON TABLE sandsync.workspaces TO authenticated;

--
-- Name: COLUMN workspaces.updated_at; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(updated_at) ON TABLE sandsync.workspaces TO authenticated;

--
-- Name: COLUMN workspaces.sync_git; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(sync_git) ON TABLE sandsync.workspaces TO authenticated;

--
-- Name: FUNCTION create_workspace(p_name text, p_strategy text, p_sandbox_id text, p_merge_fallback text, p_conflict_copies boolean); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.create_workspace(p_name text, p_strategy text, p_sandbox_id text, p_merge_fallback text, p_conflict_copies boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.create_workspace(p_name text, p_strategy text, p_sandbox_id text, p_merge_fallback text, p_conflict_copies boolean) TO authenticated;

--
-- Name: FUNCTION delete_checkpoint(p_workspace_id uuid, p_name text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.delete_checkpoint(p_workspace_id uuid, p_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.delete_checkpoint(p_workspace_id uuid, p_name text) TO authenticated;
GRANT ALL ON FUNCTION public.delete_checkpoint(p_workspace_id uuid, p_name text) TO service_role;

--
-- Name: FUNCTION delete_workspace(p_workspace_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.delete_workspace(p_workspace_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.delete_workspace(p_workspace_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.delete_workspace(p_workspace_id uuid) TO service_role;

--
-- Name: FUNCTION current_agent_token_id(); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.current_agent_token_id() FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.current_agent_token_id() TO authenticated;
GRANT ALL ON FUNCTION sandsync.current_agent_token_id() TO service_role;

--
-- Name: TABLE versions; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT,INSERT ON TABLE sandsync.versions TO authenticated;
GRANT ALL ON TABLE sandsync.versions TO service_role;

--
-- Name: FUNCTION file_history(p_workspace_id uuid, p_path text, p_limit integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.file_history(p_workspace_id uuid, p_path text, p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.file_history(p_workspace_id uuid, p_path text, p_limit integer) TO authenticated;
GRANT ALL ON FUNCTION public.file_history(p_workspace_id uuid, p_path text, p_limit integer) TO service_role;

--
-- Name: FUNCTION get_version(p_version_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.get_version(p_version_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.get_version(p_version_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.get_version(p_version_id uuid) TO service_role;

--
-- Name: FUNCTION list_agent_tokens(p_workspace_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.list_agent_tokens(p_workspace_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.list_agent_tokens(p_workspace_id uuid) TO authenticated;

--
-- Name: FUNCTION list_checkpoints(p_workspace_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.list_checkpoints(p_workspace_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.list_checkpoints(p_workspace_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.list_checkpoints(p_workspace_id uuid) TO service_role;

--
-- Name: FUNCTION list_conflicts(p_workspace_id uuid, p_status text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.list_conflicts(p_workspace_id uuid, p_status text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.list_conflicts(p_workspace_id uuid, p_status text) TO authenticated;
GRANT ALL ON FUNCTION public.list_conflicts(p_workspace_id uuid, p_status text) TO service_role;

--
-- Name: FUNCTION list_workspaces(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.list_workspaces() FROM PUBLIC;
GRANT ALL ON FUNCTION public.list_workspaces() TO authenticated;
GRANT ALL ON FUNCTION public.list_workspaces() TO service_role;

--
-- Name: FUNCTION quota_usage(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.quota_usage() FROM PUBLIC;
GRANT ALL ON FUNCTION public.quota_usage() TO authenticated;

--
-- Name: TABLE replicas; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT,INSERT ON TABLE sandsync.replicas TO authenticated;
GRANT ALL ON TABLE sandsync.replicas TO service_role;

--
-- Name: COLUMN replicas.kind; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(kind) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: COLUMN replicas.name; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(name) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: COLUMN replicas.sandbox_instance; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(sandbox_instance) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: COLUMN replicas.last_cursor; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(last_cursor) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: COLUMN replicas.last_seen_at; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(last_seen_at) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: COLUMN replicas.daemon_state; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(daemon_state) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: COLUMN replicas.last_run_at; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(last_run_at) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: COLUMN replicas.last_success_at; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(last_success_at) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: COLUMN replicas.last_error; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(last_error) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: COLUMN replicas.pending_changes; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(pending_changes) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: COLUMN replicas.held_deletes; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(held_deletes) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: COLUMN replicas.health_reported_at; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(health_reported_at) ON TABLE sandsync.replicas TO authenticated;

--
-- Name: FUNCTION register_replica(p_workspace_id uuid, p_replica_id uuid, p_kind text, p_name text, p_sandbox_instance text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.register_replica(p_workspace_id uuid, p_replica_id uuid, p_kind text, p_name text, p_sandbox_instance text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.register_replica(p_workspace_id uuid, p_replica_id uuid, p_kind text, p_name text, p_sandbox_instance text) TO authenticated;
GRANT ALL ON FUNCTION public.register_replica(p_workspace_id uuid, p_replica_id uuid, p_kind text, p_name text, p_sandbox_instance text) TO service_role;

--
-- Name: FUNCTION release_quota(p_sha256s text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.release_quota(p_sha256s text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.release_quota(p_sha256s text[]) TO authenticated;

--
-- Name: FUNCTION replica_heartbeat(p_workspace_id uuid, p_replica_id uuid, p_last_cursor bigint, p_sandbox_instance text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.replica_heartbeat(p_workspace_id uuid, p_replica_id uuid, p_last_cursor bigint, p_sandbox_instance text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.replica_heartbeat(p_workspace_id uuid, p_replica_id uuid, p_last_cursor bigint, p_sandbox_instance text) TO authenticated;
GRANT ALL ON FUNCTION public.replica_heartbeat(p_workspace_id uuid, p_replica_id uuid, p_last_cursor bigint, p_sandbox_instance text) TO service_role;

--
-- Name: TABLE replica_files; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE sandsync.replica_files TO authenticated;
GRANT ALL ON TABLE sandsync.replica_files TO service_role;

--
-- Name: FUNCTION replica_state(p_workspace_id uuid, p_replica_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.replica_state(p_workspace_id uuid, p_replica_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.replica_state(p_workspace_id uuid, p_replica_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.replica_state(p_workspace_id uuid, p_replica_id uuid) TO service_role;

--
-- Name: FUNCTION report_replica_health(p_workspace_id uuid, p_replica_id uuid, p_health jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.report_replica_health(p_workspace_id uuid, p_replica_id uuid, p_health jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_replica_health(p_workspace_id uuid, p_replica_id uuid, p_health jsonb) TO authenticated;
GRANT ALL ON FUNCTION public.report_replica_health(p_workspace_id uuid, p_replica_id uuid, p_health jsonb) TO service_role;

--
-- Name: FUNCTION report_replica_state(p_workspace_id uuid, p_replica_id uuid, p_entries jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.report_replica_state(p_workspace_id uuid, p_replica_id uuid, p_entries jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_replica_state(p_workspace_id uuid, p_replica_id uuid, p_entries jsonb) TO authenticated;
GRANT ALL ON FUNCTION public.report_replica_state(p_workspace_id uuid, p_replica_id uuid, p_entries jsonb) TO service_role;

--
-- Name: FUNCTION reserve_quota(p_items jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.reserve_quota(p_items jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.reserve_quota(p_items jsonb) TO authenticated;

--
-- Name: FUNCTION resolve_conflict(p_conflict_id uuid, p_replica_id uuid, p_choice text, p_seen_current_version_id uuid, p_merged jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.resolve_conflict(p_conflict_id uuid, p_replica_id uuid, p_choice text, p_seen_current_version_id uuid, p_merged jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.resolve_conflict(p_conflict_id uuid, p_replica_id uuid, p_choice text, p_seen_current_version_id uuid, p_merged jsonb) TO authenticated;
GRANT ALL ON FUNCTION public.resolve_conflict(p_conflict_id uuid, p_replica_id uuid, p_choice text, p_seen_current_version_id uuid, p_merged jsonb) TO service_role;

--
-- Name: FUNCTION restore_point(p_workspace_id uuid, p_at text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.restore_point(p_workspace_id uuid, p_at text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.restore_point(p_workspace_id uuid, p_at text) TO authenticated;
GRANT ALL ON FUNCTION public.restore_point(p_workspace_id uuid, p_at text) TO service_role;

--
-- Name: FUNCTION revoke_agent_token(p_token_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.revoke_agent_token(p_token_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.revoke_agent_token(p_token_id uuid) TO authenticated;

--
-- Name: FUNCTION service_begin_pack(p_owner_id uuid, p_workspace_id uuid, p_sha256 text, p_size bigint, p_entries jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_begin_pack(p_owner_id uuid, p_workspace_id uuid, p_sha256 text, p_size bigint, p_entries jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_begin_pack(p_owner_id uuid, p_workspace_id uuid, p_sha256 text, p_size bigint, p_entries jsonb) TO service_role;

--
-- Name: FUNCTION service_collect_blobs(p_grace interval, p_owner_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_collect_blobs(p_grace interval, p_owner_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_collect_blobs(p_grace interval, p_owner_id uuid) TO service_role;

--
-- Name: FUNCTION service_collect_pack(p_workspace_id uuid, p_sha256 text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_collect_pack(p_workspace_id uuid, p_sha256 text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_collect_pack(p_workspace_id uuid, p_sha256 text) TO service_role;

--
-- Name: FUNCTION service_expire_reservations(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_expire_reservations() FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_expire_reservations() TO service_role;

--
-- Name: FUNCTION service_finish_collect(p_owner_id uuid, p_sha256s text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_finish_collect(p_owner_id uuid, p_sha256s text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_finish_collect(p_owner_id uuid, p_sha256s text[]) TO service_role;

--
-- Name: FUNCTION service_finish_pack(p_workspace_id uuid, p_sha256 text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_finish_pack(p_workspace_id uuid, p_sha256 text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_finish_pack(p_workspace_id uuid, p_sha256 text) TO service_role;

--
-- Name: FUNCTION service_finish_pack_collect(p_keys text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_finish_pack_collect(p_keys text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_finish_pack_collect(p_keys text[]) TO service_role;

--
-- Name: FUNCTION service_grant_blobs(p_workspace_id uuid, p_sha256s text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_grant_blobs(p_workspace_id uuid, p_sha256s text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_grant_blobs(p_workspace_id uuid, p_sha256s text[]) TO service_role;

--
-- Name: TABLE blobs; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT ON TABLE sandsync.blobs TO authenticated;
GRANT ALL ON TABLE sandsync.blobs TO service_role;

--
-- Name: FUNCTION service_mark_blob_stored(p_owner_id uuid, p_sha256 text, p_size bigint); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_mark_blob_stored(p_owner_id uuid, p_sha256 text, p_size bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_mark_blob_stored(p_owner_id uuid, p_sha256 text, p_size bigint) TO service_role;

--
-- Name: FUNCTION service_pack_usage(p_grace interval, p_owner_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_pack_usage(p_grace interval, p_owner_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_pack_usage(p_grace interval, p_owner_id uuid) TO service_role;

--
-- Name: FUNCTION service_prune_history(p_workspace_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_prune_history(p_workspace_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_prune_history(p_workspace_id uuid) TO service_role;

--
-- Name: FUNCTION service_recompute_usage(p_owner_id uuid, p_fix boolean); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_recompute_usage(p_owner_id uuid, p_fix boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_recompute_usage(p_owner_id uuid, p_fix boolean) TO service_role;

--
-- Name: FUNCTION service_reserve_quota(p_owner_id uuid, p_items jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_reserve_quota(p_owner_id uuid, p_items jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_reserve_quota(p_owner_id uuid, p_items jsonb) TO service_role;

--
-- Name: FUNCTION service_resolve_agent_token(p_token_hash text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_resolve_agent_token(p_token_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_resolve_agent_token(p_token_hash text) TO service_role;

--
-- Name: TABLE settings; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT ON TABLE sandsync.settings TO authenticated;
GRANT ALL ON TABLE sandsync.settings TO service_role;

--
-- Name: FUNCTION service_set_default_quota(p_limit_bytes bigint); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_set_default_quota(p_limit_bytes bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_set_default_quota(p_limit_bytes bigint) TO service_role;

--
-- Name: TABLE quotas; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT ON TABLE sandsync.quotas TO authenticated;
GRANT ALL ON TABLE sandsync.quotas TO service_role;

--
-- Name: FUNCTION service_set_quota_limit(p_owner_id uuid, p_limit_bytes bigint); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_set_quota_limit(p_owner_id uuid, p_limit_bytes bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_set_quota_limit(p_owner_id uuid, p_limit_bytes bigint) TO service_role;

--
-- Name: FUNCTION service_stray_objects(p_grace interval, p_owner_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.service_stray_objects(p_grace interval, p_owner_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.service_stray_objects(p_grace interval, p_owner_id uuid) TO service_role;

--
-- Name: FUNCTION update_workspace(p_workspace_id uuid, p_settings jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.update_workspace(p_workspace_id uuid, p_settings jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.update_workspace(p_workspace_id uuid, p_settings jsonb) TO authenticated;
GRANT ALL ON FUNCTION public.update_workspace(p_workspace_id uuid, p_settings jsonb) TO service_role;

--
-- Name: FUNCTION workspace_cursor(p_workspace_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.workspace_cursor(p_workspace_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.workspace_cursor(p_workspace_id uuid) TO authenticated;
GRANT ALL ON FUNCTION public.workspace_cursor(p_workspace_id uuid) TO service_role;

--
-- Name: FUNCTION workspace_manifest(p_workspace_id uuid, p_after_path text, p_limit integer, p_include_deleted boolean); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.workspace_manifest(p_workspace_id uuid, p_after_path text, p_limit integer, p_include_deleted boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.workspace_manifest(p_workspace_id uuid, p_after_path text, p_limit integer, p_include_deleted boolean) TO authenticated;
GRANT ALL ON FUNCTION public.workspace_manifest(p_workspace_id uuid, p_after_path text, p_limit integer, p_include_deleted boolean) TO service_role;

--
-- Name: FUNCTION workspace_state_at(p_workspace_id uuid, p_seq bigint, p_after_path text, p_limit integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.workspace_state_at(p_workspace_id uuid, p_seq bigint, p_after_path text, p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.workspace_state_at(p_workspace_id uuid, p_seq bigint, p_after_path text, p_limit integer) TO authenticated;
GRANT ALL ON FUNCTION public.workspace_state_at(p_workspace_id uuid, p_seq bigint, p_after_path text, p_limit integer) TO service_role;

--
-- Name: FUNCTION add_version(p_ws sandsync.workspaces, p_file_id uuid, p_item sandsync.commit_item, p_vector jsonb, p_replica sandsync.replicas, p_change_set_id uuid, p_outcome text); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.add_version(p_ws sandsync.workspaces, p_file_id uuid, p_item sandsync.commit_item, p_vector jsonb, p_replica sandsync.replicas, p_change_set_id uuid, p_outcome text) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.add_version(p_ws sandsync.workspaces, p_file_id uuid, p_item sandsync.commit_item, p_vector jsonb, p_replica sandsync.replicas, p_change_set_id uuid, p_outcome text) TO authenticated;
GRANT ALL ON FUNCTION sandsync.add_version(p_ws sandsync.workspaces, p_file_id uuid, p_item sandsync.commit_item, p_vector jsonb, p_replica sandsync.replicas, p_change_set_id uuid, p_outcome text) TO service_role;

--
-- Name: FUNCTION case_conflict(p_workspace_id uuid, p_path text); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.case_conflict(p_workspace_id uuid, p_path text) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.case_conflict(p_workspace_id uuid, p_path text) TO authenticated;
GRANT ALL ON FUNCTION sandsync.case_conflict(p_workspace_id uuid, p_path text) TO service_role;

--
-- Name: FUNCTION claim_uuid(p_name text); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.claim_uuid(p_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.claim_uuid(p_name text) TO authenticated;
GRANT ALL ON FUNCTION sandsync.claim_uuid(p_name text) TO service_role;

--
-- Name: FUNCTION commit_changes_rows(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.commit_changes_rows(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.commit_changes_rows(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb) TO authenticated;
GRANT ALL ON FUNCTION sandsync.commit_changes_rows(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb) TO service_role;

--
-- Name: FUNCTION commit_changes_set(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.commit_changes_set(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.commit_changes_set(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb) TO authenticated;
GRANT ALL ON FUNCTION sandsync.commit_changes_set(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_items sandsync.commit_item[], OUT o_cursor bigint, OUT o_items jsonb) TO service_role;

--
-- Name: FUNCTION commit_effects(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_steps sandsync.commit_step[]); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.commit_effects(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_steps sandsync.commit_step[]) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.commit_effects(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_steps sandsync.commit_step[]) TO authenticated;
GRANT ALL ON FUNCTION sandsync.commit_effects(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_change_set_id uuid, p_steps sandsync.commit_step[]) TO service_role;

--
-- Name: FUNCTION commit_facts(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_items sandsync.commit_item[]); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.commit_facts(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_items sandsync.commit_item[]) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.commit_facts(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_items sandsync.commit_item[]) TO authenticated;
GRANT ALL ON FUNCTION sandsync.commit_facts(p_ws sandsync.workspaces, p_replica sandsync.replicas, p_items sandsync.commit_item[]) TO service_role;

--
-- Name: FUNCTION commit_outcome(p_strategy text, p_merge_fallback text, p_conflict_copies boolean, p_replica_id uuid, p_deleted boolean, p_sha256 text, p_mode integer, p_base jsonb, p_current_vector jsonb, p_current_deleted boolean, p_current_sha256 text, p_current_mode integer, p_ancestor_deleted boolean, p_ancestor_sha256 text, p_ancestor_mode integer, p_case_clash boolean); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.commit_outcome(p_strategy text, p_merge_fallback text, p_conflict_copies boolean, p_replica_id uuid, p_deleted boolean, p_sha256 text, p_mode integer, p_base jsonb, p_current_vector jsonb, p_current_deleted boolean, p_current_sha256 text, p_current_mode integer, p_ancestor_deleted boolean, p_ancestor_sha256 text, p_ancestor_mode integer, p_case_clash boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.commit_outcome(p_strategy text, p_merge_fallback text, p_conflict_copies boolean, p_replica_id uuid, p_deleted boolean, p_sha256 text, p_mode integer, p_base jsonb, p_current_vector jsonb, p_current_deleted boolean, p_current_sha256 text, p_current_mode integer, p_ancestor_deleted boolean, p_ancestor_sha256 text, p_ancestor_mode integer, p_case_clash boolean) TO authenticated;
GRANT ALL ON FUNCTION sandsync.commit_outcome(p_strategy text, p_merge_fallback text, p_conflict_copies boolean, p_replica_id uuid, p_deleted boolean, p_sha256 text, p_mode integer, p_base jsonb, p_current_vector jsonb, p_current_deleted boolean, p_current_sha256 text, p_current_mode integer, p_ancestor_deleted boolean, p_ancestor_sha256 text, p_ancestor_mode integer, p_case_clash boolean) TO service_role;

--
-- Name: FUNCTION conflict_copy_path(p_path text, p_at timestamp with time zone, p_replica_id uuid); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.conflict_copy_path(p_path text, p_at timestamp with time zone, p_replica_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.conflict_copy_path(p_path text, p_at timestamp with time zone, p_replica_id uuid) TO authenticated;
GRANT ALL ON FUNCTION sandsync.conflict_copy_path(p_path text, p_at timestamp with time zone, p_replica_id uuid) TO service_role;

--
-- Name: FUNCTION current_workspace_scope(); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.current_workspace_scope() FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.current_workspace_scope() TO authenticated;
GRANT ALL ON FUNCTION sandsync.current_workspace_scope() TO service_role;

--
-- Name: FUNCTION effective_limit(p_limit bigint); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.effective_limit(p_limit bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.effective_limit(p_limit bigint) TO authenticated;
GRANT ALL ON FUNCTION sandsync.effective_limit(p_limit bigint) TO service_role;

--
-- Name: FUNCTION journal_conflict(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.journal_conflict(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.journal_conflict(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid) TO authenticated;
GRANT ALL ON FUNCTION sandsync.journal_conflict(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid) TO service_role;

--
-- Name: FUNCTION keep_collecting(); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.keep_collecting() FROM PUBLIC;

--
-- Name: FUNCTION make_current(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.make_current(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.make_current(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid) TO authenticated;
GRANT ALL ON FUNCTION sandsync.make_current(p_version sandsync.versions, p_seq bigint, p_conflict_id uuid) TO service_role;

--
-- Name: FUNCTION object_owner(p_name text); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.object_owner(p_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.object_owner(p_name text) TO authenticated;
GRANT ALL ON FUNCTION sandsync.object_owner(p_name text) TO service_role;

--
-- Name: FUNCTION on_sync_object_change(); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.on_sync_object_change() FROM PUBLIC;

--
-- Name: FUNCTION on_sync_object_removed(); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.on_sync_object_removed() FROM PUBLIC;

--
-- Name: FUNCTION parse_commit_items(p_items jsonb); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.parse_commit_items(p_items jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.parse_commit_items(p_items jsonb) TO authenticated;
GRANT ALL ON FUNCTION sandsync.parse_commit_items(p_items jsonb) TO service_role;

--
-- Name: FUNCTION path_problem(p_path text); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.path_problem(p_path text) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.path_problem(p_path text) TO authenticated;
GRANT ALL ON FUNCTION sandsync.path_problem(p_path text) TO service_role;

--
-- Name: FUNCTION protected_path_problem(p_path text, p_sync_git boolean); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.protected_path_problem(p_path text, p_sync_git boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.protected_path_problem(p_path text, p_sync_git boolean) TO authenticated;
GRANT ALL ON FUNCTION sandsync.protected_path_problem(p_path text, p_sync_git boolean) TO service_role;

--
-- Name: FUNCTION readable_blob(p_workspace_id uuid, p_owner_id uuid, p_sha256 text); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.readable_blob(p_workspace_id uuid, p_owner_id uuid, p_sha256 text) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.readable_blob(p_workspace_id uuid, p_owner_id uuid, p_sha256 text) TO service_role;

--
-- Name: FUNCTION refuse_protected_path(); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.refuse_protected_path() FROM PUBLIC;

--
-- Name: FUNCTION reserve_for(p_owner_id uuid, p_items jsonb, p_scope uuid); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.reserve_for(p_owner_id uuid, p_items jsonb, p_scope uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.reserve_for(p_owner_id uuid, p_items jsonb, p_scope uuid) TO service_role;

--
-- Name: FUNCTION versions_need_stored_blobs(); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.versions_need_stored_blobs() FROM PUBLIC;

--
-- Name: FUNCTION versions_vector_keys_check(); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.versions_vector_keys_check() FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.versions_vector_keys_check() TO authenticated;
GRANT ALL ON FUNCTION sandsync.versions_vector_keys_check() TO service_role;

--
-- Name: FUNCTION vv_bump(p_vector jsonb, p_replica_id uuid); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.vv_bump(p_vector jsonb, p_replica_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.vv_bump(p_vector jsonb, p_replica_id uuid) TO authenticated;
GRANT ALL ON FUNCTION sandsync.vv_bump(p_vector jsonb, p_replica_id uuid) TO service_role;

--
-- Name: FUNCTION vv_compare(p_a jsonb, p_b jsonb); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.vv_compare(p_a jsonb, p_b jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.vv_compare(p_a jsonb, p_b jsonb) TO authenticated;
GRANT ALL ON FUNCTION sandsync.vv_compare(p_a jsonb, p_b jsonb) TO service_role;

--
-- Name: FUNCTION vv_is_valid(p_vector jsonb); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.vv_is_valid(p_vector jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.vv_is_valid(p_vector jsonb) TO authenticated;
GRANT ALL ON FUNCTION sandsync.vv_is_valid(p_vector jsonb) TO service_role;

--
-- Name: FUNCTION vv_merge(p_a jsonb, p_b jsonb); Type: ACL; Schema: sandsync; Owner: -
--

REVOKE ALL ON FUNCTION sandsync.vv_merge(p_a jsonb, p_b jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION sandsync.vv_merge(p_a jsonb, p_b jsonb) TO authenticated;
GRANT ALL ON FUNCTION sandsync.vv_merge(p_a jsonb, p_b jsonb) TO service_role;

--
-- Name: TABLE agent_tokens; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT,INSERT ON TABLE sandsync.agent_tokens TO authenticated;
GRANT ALL ON TABLE sandsync.agent_tokens TO service_role;

--
-- Name: COLUMN agent_tokens.revoked_at; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(revoked_at) ON TABLE sandsync.agent_tokens TO authenticated;

--
-- Name: TABLE blob_grants; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT ON TABLE sandsync.blob_grants TO authenticated;
GRANT SELECT,INSERT,DELETE ON TABLE sandsync.blob_grants TO service_role;

--
-- Name: TABLE change_sets; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT,INSERT ON TABLE sandsync.change_sets TO authenticated;
GRANT ALL ON TABLE sandsync.change_sets TO service_role;

--
-- Name: COLUMN change_sets.result; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(result) ON TABLE sandsync.change_sets TO authenticated;

--
-- Name: TABLE conflicts; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT,INSERT ON TABLE sandsync.conflicts TO authenticated;
GRANT ALL ON TABLE sandsync.conflicts TO service_role;

--
-- Name: COLUMN conflicts.status; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(status) ON TABLE sandsync.conflicts TO authenticated;

--
-- Name: COLUMN conflicts.resolution; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(resolution) ON TABLE sandsync.conflicts TO authenticated;

--
-- Name: COLUMN conflicts.resolved_version_id; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(resolved_version_id) ON TABLE sandsync.conflicts TO authenticated;

--
-- Name: COLUMN conflicts.resolved_by; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(resolved_by) ON TABLE sandsync.conflicts TO authenticated;

--
-- Name: COLUMN conflicts.resolved_at; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(resolved_at) ON TABLE sandsync.conflicts TO authenticated;

--
-- Name: TABLE error_codes; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT ON TABLE sandsync.error_codes TO authenticated;
GRANT SELECT ON TABLE sandsync.error_codes TO service_role;

--
-- Name: TABLE files; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT,INSERT ON TABLE sandsync.files TO authenticated;
GRANT ALL ON TABLE sandsync.files TO service_role;

--
-- Name: COLUMN files.current_version_id; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(current_version_id) ON TABLE sandsync.files TO authenticated;

--
-- Name: COLUMN files.sha256; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(sha256) ON TABLE sandsync.files TO authenticated;

--
-- Name: COLUMN files.size; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(size) ON TABLE sandsync.files TO authenticated;

--
-- Name: COLUMN files.mode; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(mode) ON TABLE sandsync.files TO authenticated;

--
-- Name: COLUMN files.mtime; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(mtime) ON TABLE sandsync.files TO authenticated;

--
-- Name: COLUMN files.deleted; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(deleted) ON TABLE sandsync.files TO authenticated;

--
-- Name: COLUMN files.vector; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(vector) ON TABLE sandsync.files TO authenticated;

--
-- Name: COLUMN files.replica_id; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(replica_id) ON TABLE sandsync.files TO authenticated;

--
-- Name: COLUMN files.committed_by; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(committed_by) ON TABLE sandsync.files TO authenticated;

--
-- Name: COLUMN files.committed_at; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(committed_at) ON TABLE sandsync.files TO authenticated;

--
-- Name: COLUMN files.seq; Type: ACL; Schema: sandsync; Owner: -
--

GRANT UPDATE(seq) ON TABLE sandsync.files TO authenticated;

--
-- Name: TABLE pack_entries; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT ON TABLE sandsync.pack_entries TO authenticated;
GRANT ALL ON TABLE sandsync.pack_entries TO service_role;

--
-- Name: TABLE packs; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT ON TABLE sandsync.packs TO authenticated;
GRANT ALL ON TABLE sandsync.packs TO service_role;

--
-- Name: TABLE reservations; Type: ACL; Schema: sandsync; Owner: -
--

GRANT SELECT ON TABLE sandsync.reservations TO authenticated;
GRANT ALL ON TABLE sandsync.reservations TO service_role;

--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: public; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO service_role;

--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: public; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO service_role;

--
-- PostgreSQL database dump complete
--

--
-- Rows the migrations insert
--

--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Data for Name: error_codes; Type: TABLE DATA; Schema: sandsync; Owner: postgres
--

INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('validation_failed', 'SSI01', 400, 'A malformed argument or batch item; nothing was changed.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('invalid_path', 'SSI02', 400, 'A path breaks the shared path rules; DETAIL names the rule.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('validation_failed', 'SSI03', 400, 'The same path appears twice in one batch.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('unauthorized', 'SSA01', 401, 'The RPC needs a user (auth.uid() is null).');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('forbidden', '42501', 403, 'A role lacks the privilege or RLS refuses; the sync-bucket trigger refuses an object key without an owner id.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('workspace_not_found', 'SSN01', 404, 'No such workspace, or not visible to the caller.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('replica_not_found', 'SSN02', 404, 'The replica is not registered in this workspace.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('conflict_not_found', 'SSN03', 404, 'No such conflict, or not visible to the caller.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('blob_missing', 'SSN04', 409, 'A referenced blob is not verified (state stored) with that size.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('precondition_failed', 'SSC01', 412, 'The resolution was based on a version that is no longer current.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('idempotency_conflict', 'SSC02', 409, 'An idempotency key was reused for a different batch.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('conflict_closed', 'SSC03', 409, 'The conflict is already resolved.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('quota_exceeded', 'SSQ01', 507, 'A reservation would put the owner over the quota limit.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('checkpoint_exists', 'SSK01', 409, 'A checkpoint with this name already exists in the workspace.');
INSERT INTO sandsync.error_codes (code, sqlstate, http_status, description) VALUES ('restore_point_not_found', 'SSK02', 404, 'No checkpoint with this name, no version with this id, or an unreadable time.');

--
-- Data for Name: settings; Type: TABLE DATA; Schema: sandsync; Owner: postgres
--

INSERT INTO sandsync.settings (id, default_quota_bytes, reservation_ttl, sync_bucket) VALUES (true, 10737418240, '01:00:00', 'sandsync');

--
-- PostgreSQL database dump complete
--

--
-- What the project adds to the storage schema
--

-- storage.buckets: id 'sandsync', public f, file_size_limit 10737418240, allowed_mime_types null

--
-- Name: objects sandsync_blob_object_removed; Type: TRIGGER; Schema: storage; Owner: -
--

CREATE TRIGGER sandsync_blob_object_removed AFTER DELETE ON storage.objects FOR EACH ROW WHEN ((old.bucket_id = 'sandsync'::text)) EXECUTE FUNCTION sandsync.on_sync_object_removed();

--
-- Name: objects sandsync_quota_delete; Type: TRIGGER; Schema: storage; Owner: -
--

CREATE TRIGGER sandsync_quota_delete AFTER DELETE ON storage.objects FOR EACH ROW WHEN ((old.bucket_id = 'sandsync'::text)) EXECUTE FUNCTION sandsync.on_sync_object_change();

--
-- Name: objects sandsync_quota_insert; Type: TRIGGER; Schema: storage; Owner: -
--

CREATE TRIGGER sandsync_quota_insert AFTER INSERT ON storage.objects FOR EACH ROW WHEN ((new.bucket_id = 'sandsync'::text)) EXECUTE FUNCTION sandsync.on_sync_object_change();

--
-- Name: objects sandsync_quota_update; Type: TRIGGER; Schema: storage; Owner: -
--

CREATE TRIGGER sandsync_quota_update AFTER UPDATE ON storage.objects FOR EACH ROW WHEN (((old.bucket_id = 'sandsync'::text) OR (new.bucket_id = 'sandsync'::text))) EXECUTE FUNCTION sandsync.on_sync_object_change();

--
-- Name: objects Users can read blobs under their own prefix; Type: POLICY; Schema: storage; Owner: -
--

CREATE POLICY "Users can read blobs under their own prefix" ON storage.objects FOR SELECT TO authenticated USING (((bucket_id = 'sandsync'::text) AND ((storage.foldername(name))[1] = (( SELECT auth.uid() AS uid))::text)));

--
-- Name: buckets Users can see the sync bucket; Type: POLICY; Schema: storage; Owner: -
--

CREATE POLICY "Users can see the sync bucket" ON storage.buckets FOR SELECT TO authenticated USING ((id = 'sandsync'::text));

--
-- Name: objects Users can upload blobs under their own prefix; Type: POLICY; Schema: storage; Owner: -
--

CREATE POLICY "Users can upload blobs under their own prefix" ON storage.objects FOR INSERT TO authenticated WITH CHECK (((bucket_id = 'sandsync'::text) AND ((storage.foldername(name))[1] = (( SELECT auth.uid() AS uid))::text) AND (name ~ '^[0-9a-f-]{36}/[0-9a-f]{2}/[0-9a-f]{64}$'::text) AND (split_part(name, '/'::text, 2) = "left"(split_part(name, '/'::text, 3), 2))));
