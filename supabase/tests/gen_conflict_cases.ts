/**
 * Generates `supabase/tests/055_conflict_cases.sql` (pgTAP) from the shared conflict cases in
 * `shared/testdata/conflict_cases.json`, so `public.commit_changes` and the client's
 * `ConflictResolver` are held to one table. Each case gets a fresh workspace with its strategy,
 * the path's history and current version written directly (as earlier commits would have left
 * them, with the table's exact vectors), then one `commit_changes` call whose answer is compared
 * with the case's `expect`. Run `deno run -A supabase/tests/gen_conflict_cases.ts` after editing
 * the cases; `tests/db/conflict_cases_sql_test.ts` fails when the committed output is stale.
 *
 * @module
 */
import { sha256Hex } from "../../shared/hash.ts";
import {
  type CaseChange,
  type CaseVector,
  type CaseVersion,
  CONFLICT_CASES,
  conflictCaseRuns,
  type ConflictCases,
} from "../../shared/testdata/conflict_cases.ts";
import { sqlLiteral } from "./gen_paths.ts";

/** Where the generated pgTAP file lives. */
export const GENERATED_FILE = new URL("./055_conflict_cases.sql", import.meta.url);

/** The path every case commits. */
export const CASE_PATH = "f.txt";

const DEFAULT_MODE = 420;

const SETUP = String.raw`select tests.create_user('conflict-cases@test');

-- Writes a version of a path and makes it current, as a commit would have (blob stored first).
create function pg_temp.put_version(p_ws uuid, p_path text, p_v jsonb)
returns void language plpgsql as $$
declare
  v_owner uuid := tests.get_user_id('conflict-cases@test');
  v_file uuid;
  v_ver sandsync.versions;
begin
  if p_v ->> 'sha256' is not null then
    insert into sandsync.blobs (owner_id, sha256, size, state, stored_at)
    values (v_owner, p_v ->> 'sha256', (p_v ->> 'size')::bigint, 'stored', now())
    on conflict (owner_id, sha256) do update set state = 'stored';
  end if;
  select id into v_file from sandsync.files where workspace_id = p_ws and path = p_path;
  if v_file is null then
    insert into sandsync.files (workspace_id, owner_id, path, deleted)
    values (p_ws, v_owner, p_path, true) returning id into v_file;
  end if;
  insert into sandsync.versions (file_id, workspace_id, owner_id, path, sha256, size, mode, deleted,
    vector, replica_id, author_kind, outcome)
  values (v_file, p_ws, v_owner, p_path, p_v ->> 'sha256', (p_v ->> 'size')::bigint,
    (p_v ->> 'mode')::integer, (p_v ->> 'deleted')::boolean, p_v -> 'vector',
    (p_v ->> 'replica')::uuid, 'agent', 'applied')
  returning * into v_ver;
  update sandsync.files set current_version_id = v_ver.id, sha256 = v_ver.sha256, size = v_ver.size,
    mode = v_ver.mode, deleted = v_ver.deleted, vector = v_ver.vector, replica_id = v_ver.replica_id,
    committed_at = v_ver.committed_at
  where id = v_file;
end
$$;

-- Sets up one case, commits its change and describes the answer in the table's terms.
create function pg_temp.run_case(p jsonb)
returns jsonb language plpgsql as $$
declare
  v_ws uuid;
  v_replica text;
  v_version jsonb;
  v_item jsonb;
  v_conflict sandsync.conflicts;
begin
  perform tests.authenticate_as('conflict-cases@test');
  select id into v_ws from public.create_workspace(p ->> 'label', p ->> 'strategy', null,
    p ->> 'merge_fallback', (p ->> 'conflict_copies')::boolean);
  for v_replica in select jsonb_array_elements_text(p -> 'replicas') loop
    perform public.register_replica(v_ws, v_replica::uuid, 'agent');
  end loop;
  perform tests.clear_authentication();
  for v_version in select jsonb_array_elements(p -> 'history') loop
    perform pg_temp.put_version(v_ws, p ->> 'path', v_version);
  end loop;
  if jsonb_typeof(p -> 'current') = 'object' then
    perform pg_temp.put_version(v_ws, p ->> 'path', p -> 'current');
  end if;
  if jsonb_typeof(p -> 'case_clash') = 'object' then
    perform pg_temp.put_version(v_ws, p -> 'case_clash' ->> 'path', p -> 'case_clash');
  end if;
  if p -> 'incoming' ->> 'sha256' is not null then
    insert into sandsync.blobs (owner_id, sha256, size, state, stored_at)
    values (tests.get_user_id('conflict-cases@test'), p -> 'incoming' ->> 'sha256',
      (p -> 'incoming' ->> 'size')::bigint, 'stored', now())
    on conflict (owner_id, sha256) do update set state = 'stored';
  end if;

  perform tests.authenticate_as('conflict-cases@test');
  v_item := public.commit_changes(v_ws, (p ->> 'replica')::uuid, 'case',
    jsonb_build_array(p -> 'incoming')) -> 'items' -> 0;
  perform tests.clear_authentication();
  select * into v_conflict from sandsync.conflicts where id = (v_item ->> 'conflict_id')::uuid;
  return jsonb_build_object(
    'outcome', v_item ->> 'outcome',
    'vector', v_item -> 'vector',
    'sha256', (select sha256 from sandsync.files
      where workspace_id = v_ws and path = p ->> 'path' and not deleted),
    'conflict', v_conflict.status,
    'merge_required', coalesce(v_conflict.merge_required, false),
    'conflict_copy_of', substring(v_item ->> 'conflict_copy_path' from '-([0-9a-f-]{36})\.txt$'));
end
$$;`;

/** Renders the pgTAP file for the given cases. */
export function renderConflictCasesTest(data: ConflictCases): string {
  const replicaId = (name: string): string => {
    const id = data.replicas[name];
    if (id === undefined) throw new Error(`Unknown replica "${name}" in the conflict cases`);
    return id;
  };
  const vector = (v: CaseVector): Record<string, number> =>
    Object.fromEntries(Object.entries(v).map(([name, n]) => [replicaId(name), n]));
  const sha = (content: string | null | undefined) =>
    content == null ? null : sha256Hex(new TextEncoder().encode(content));
  const size = (content: string | null | undefined) =>
    content == null ? 0 : new TextEncoder().encode(content).length;
  const version = (v: CaseVersion) => ({
    sha256: sha(v.content),
    size: size(v.content),
    mode: v.mode ?? DEFAULT_MODE,
    deleted: v.deleted === true,
    vector: vector(v.vector),
    replica: replicaId(v.replica),
  });
  const item = (c: CaseChange) =>
    c.deleted ? { path: CASE_PATH, deleted: true, base: vector(c.base) } : {
      path: CASE_PATH,
      sha256: sha(c.content),
      size: size(c.content),
      mode: c.mode ?? DEFAULT_MODE,
      base: vector(c.base),
    };

  const runs = conflictCaseRuns(data);
  const lines = [
    "-- GENERATED by supabase/tests/gen_conflict_cases.ts from shared/testdata/conflict_cases.json:",
    "-- do not edit. public.commit_changes decides every shared conflict case as the table says",
    "-- (shared/merge/ConflictResolver is held to the same table).",
    "begin;",
    `select plan(${runs.length});`,
    "",
    SETUP,
    "",
  ];
  for (const run of runs) {
    const setup = {
      label: run.label,
      strategy: run.strategy,
      merge_fallback: run.mergeFallback,
      conflict_copies: run.conflictCopies,
      path: CASE_PATH,
      replicas: Object.values(data.replicas),
      history: (run.history ?? []).map(version),
      current: run.current ? version(run.current) : null,
      case_clash: run.case_clash === undefined ? null : {
        path: run.case_clash,
        ...version({ content: "clash\n", vector: { C: 1 }, replica: "C" }),
      },
      replica: replicaId(run.incoming.replica),
      incoming: item(run.incoming),
    };
    const { expect } = run;
    const expected = {
      outcome: expect.outcome,
      vector: expect.vector === null ? null : vector(expect.vector),
      sha256: sha(expect.content),
      conflict: expect.conflict ?? null,
      merge_required: expect.merge_required ?? false,
      conflict_copy_of: expect.conflict_copy_of == null ? null : replicaId(expect.conflict_copy_of),
    };
    lines.push(
      `select is(pg_temp.run_case(${sqlLiteral(JSON.stringify(setup))}),`,
      `  ${sqlLiteral(JSON.stringify(expected))}::jsonb,`,
      `  ${sqlLiteral(run.label)});`,
    );
  }
  lines.push("", "select * from finish();", "rollback;", "");
  return lines.join("\n");
}

if (import.meta.main) {
  await Deno.writeTextFile(GENERATED_FILE, renderConflictCasesTest(CONFLICT_CASES));
  console.log(`wrote ${GENERATED_FILE.pathname}`);
}
