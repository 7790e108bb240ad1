/**
 * The conflict resolver clients use to preview or settle conflicts locally: the very code
 * the server applies (shared/conflict.ts), re-exported for the client library.
 *
 * @module
 */
export {
  CONFLICT_STRATEGIES,
  conflictCopyPath,
  type ConflictInput,
  ConflictResolver,
  type ConflictResolverOptions,
  type ConflictSide,
  type ConflictStrategy,
  isConflictCopyPath,
  type MergeFallback,
  parseConflictCopyPath,
  type Resolution,
} from "../shared/merge/conflict.ts";
