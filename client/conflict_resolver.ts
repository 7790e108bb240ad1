/**
 * The conflict resolver clients use to preview what the server will decide for a change
 * (shared/merge/conflict.ts), re-exported for the client library. The server never runs it: it
 * mirrors SQL's `commit_changes` and the server's auto-merge step, and a shared case table
 * (shared/testdata/conflict_cases.json) holds both to the same answers.
 *
 * @module
 */
export {
  CONFLICT_STRATEGIES,
  conflictCopyPath,
  type ConflictInput,
  ConflictResolver,
  type ConflictResolverOptions,
  type ConflictStrategy,
  type CurrentVersion,
  type IncomingChange,
  isConflictCopyPath,
  type MergeFallback,
  type MergeStep,
  parseConflictCopyPath,
  type Resolution,
  type StoredVersion,
} from "../shared/merge/conflict.ts";
