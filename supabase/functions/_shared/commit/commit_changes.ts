/**
 * The one TypeScript call of SQL `public.commit_changes`, and the one conversion of its
 * snake_case answer (docs/schema.md, Outcomes) into the camelCase {@linkcode CommitAnswer} every
 * JSON answer and every reader on the server uses. The commit service (sync, bridge) and the
 * files API both commit through here, each inside its own transaction.
 *
 * @module
 */
import type {
  CommitAnswer,
  CommitItemAnswer,
  CommitOutcome,
} from "../../../../shared/protocol/sync.ts";
import type { VersionVector } from "../../../../shared/version_vector.ts";
import type { Tx } from "../db/db.ts";

/** One item of `commit_changes`' input (a type literal, so postgres.js takes it as JSON). */
export type SqlCommitItem = {
  path: string;
  deleted: boolean;
  sha256?: string | null;
  size?: number;
  mode: number;
  /** ISO 8601. */
  mtime: string;
  base: Record<string, number>;
  lines_added?: number;
  lines_removed?: number;
};

/** What `commit_changes` is called with. */
export interface CommitCall {
  readonly workspaceId: string;
  readonly replicaId: string;
  readonly idempotencyKey: string;
  readonly items: readonly SqlCommitItem[];
}

/** Runs `public.commit_changes` in `tx` and answers its result as a {@linkcode CommitAnswer}. */
export async function commitChanges(tx: Tx, call: CommitCall): Promise<CommitAnswer> {
  const [row] = await tx<{ result: SqlCommitAnswer }[]>`
    select public.commit_changes(${call.workspaceId}, ${call.replicaId},
      ${call.idempotencyKey}, ${tx.json(call.items as SqlCommitItem[])}) as result`;
  return toCommitAnswer(row!.result);
}

/** `commit_changes`' answer as SQL builds it (a replay is the stored one plus `replayed`). */
export interface SqlCommitAnswer {
  change_set_id: string;
  workspace_id: string;
  replayed: boolean;
  cursor: number | string;
  items: SqlCommitItemAnswer[] | null;
}

/** One item of {@linkcode SqlCommitAnswer}. */
export interface SqlCommitItemAnswer {
  index: number;
  path: string;
  outcome: CommitOutcome;
  code?: string;
  version_id?: string;
  current_version_id?: string;
  vector?: VersionVector;
  conflict_id?: string;
  ancestor_version_id?: string;
  superseded_version_id?: string;
  conflict_copy_path?: string;
}

/** The snake_case answer of SQL, camelCase; absent (SQL strips nulls) stays absent. */
export function toCommitAnswer(raw: SqlCommitAnswer): CommitAnswer {
  return {
    changeSetId: raw.change_set_id,
    workspaceId: raw.workspace_id,
    replayed: raw.replayed,
    cursor: Number(raw.cursor),
    items: (raw.items ?? []).map((item): CommitItemAnswer => ({
      index: item.index,
      path: item.path,
      outcome: item.outcome,
      ...present("code", item.code),
      ...present("versionId", item.version_id),
      ...present("currentVersionId", item.current_version_id),
      ...present("vector", item.vector),
      ...present("conflictId", item.conflict_id),
      ...present("ancestorVersionId", item.ancestor_version_id),
      ...present("supersededVersionId", item.superseded_version_id),
      ...present("conflictCopyPath", item.conflict_copy_path),
    })),
  };
}

function present<K extends string, V>(key: K, value: V | null | undefined) {
  return value === undefined || value === null ? {} : { [key]: value } as Record<K, V>;
}
