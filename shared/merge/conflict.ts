/**
 * A client-side preview of what the server decides when a change of one path is committed
 * (docs/decisions/0004-version-vectors.md, docs/decisions/0005-conflict-strategies.md). The
 * server never runs this code: the decision is made by SQL (`sandsync.commit_outcome`, which
 * `public.commit_changes` performs; supabase/migrations/20261206000800_commit.sql), and for `auto_merge` the text merge by the conflicts
 * function (supabase/functions/_shared/conflicts/merge_service.ts) right after the commit.
 * {@linkcode ConflictResolver} mirrors both and answers in SQL's vocabulary; the shared case
 * table `shared/testdata/conflict_cases.json` holds SQL (pgTAP) and this copy
 * (shared/merge/conflict_cases_test.ts) to the same answers, so change them together.
 *
 * The order of SQL's rules:
 * 1. The path does not exist: a delete is `merged` (both agree), an edit is `applied`, unless
 *    another live path differs from it only in case (`rejected`, as over a tombstone).
 * 2. The base has seen the current version (equal or after): a fast-forward, `applied`, or
 *    `merged` with nothing changed when the content (bytes and mode, or both deleted) is the same.
 * 3. Otherwise the change is concurrent, however stale its base. The same content is `merged`
 *    (vectors merged). The version whose vector equals the base (the ancestor) having the
 *    current content (only vectors moved since), or an edit over a tombstone, is `applied`. A
 *    delete over an edit is `superseded`.
 * 4. Two different edits: `last_write_wins` applies the incoming one (the later commit on the
 *    server; client clocks are never used) and keeps current as a conflict copy;
 *    `user_intervention` keeps current and opens a `conflict`; `auto_merge` does the same with a
 *    merge required when the ancestor is a live version, else applies `merge_fallback`. The
 *    server then merges text three-way ({@linkcode Resolution.afterMerge}).
 *
 * @module
 */
import type { CommitOutcome } from "../protocol/sync.ts";
import { type MergeConflict, threeWayMerge } from "./merge.ts";
import { decodeText, encodeText } from "./text.ts";
import {
  compareVectors,
  incrementVector,
  mergeVectors,
  type VersionVector,
} from "../version_vector.ts";

export { conflictCopyPath, isConflictCopyPath, parseConflictCopyPath } from "./conflict_copy.ts";

/** How a workspace settles two concurrent edits of one file. */
export type ConflictStrategy = "last_write_wins" | "user_intervention" | "auto_merge";

/** Every {@linkcode ConflictStrategy}, for validation and UIs. */
export const CONFLICT_STRATEGIES: readonly ConflictStrategy[] = [
  "last_write_wins",
  "user_intervention",
  "auto_merge",
];

/** What `auto_merge` does when it cannot merge. */
export type MergeFallback = Exclude<ConflictStrategy, "auto_merge">;

/** The mode SQL records when a change names none. */
const DEFAULT_MODE = 0o644;

/** A version of the path the server holds. */
export interface StoredVersion {
  /** The bytes, or `null` for a tombstone. */
  content: Uint8Array | null;
  /** Unix mode bits; default 0o644, as SQL records a change without one. */
  mode?: number;
  /** The version's vector. */
  vector: VersionVector;
}

/** The server's current version of the path. */
export interface CurrentVersion extends StoredVersion {
  /** The replica that wrote it (`null`: made by the server). */
  replica: string | null;
  /** When the server committed it (names a conflict copy). */
  committedAt: Date;
}

/** The change being committed. */
export interface IncomingChange {
  /** The new bytes, or `null` to delete the path. */
  content: Uint8Array | null;
  /** Unix mode bits; default 0o644, as SQL records a change without one. */
  mode?: number;
  /** The vector of the version the committer last had. */
  base: VersionVector;
  /** The committing replica. */
  replica: string;
}

/** The input of {@linkcode ConflictResolver.resolve}. */
export interface ConflictInput {
  /** The path's current version, `null` when the path does not exist. */
  current: CurrentVersion | null;
  /** Earlier versions of the path, oldest first: the ancestor is looked up among them. */
  history?: readonly StoredVersion[];
  /** The change. */
  incoming: IncomingChange;
  /** Another live path of the workspace differs from this one only in case. */
  caseClash?: boolean;
}

/** Why the answer is what it is (for logs and tests). */
export type ResolutionReason =
  | "new_path"
  | "absent"
  | "case_clash"
  | "fast_forward"
  | "identical"
  | "base_unchanged"
  | "edit_beats_delete"
  | "delete_superseded"
  | "last_write"
  | "user_intervention"
  | "merge_required";

/** Why the server's merge step did not merge (as merge_plan.ts names it). */
export type MergeRefusalReason = "too_large" | "binary" | "overlapping";

/** Marks that the current version is kept as a conflict copy. */
export interface ConflictCopyMarker {
  /** Its replica and commit time: the inputs of `conflictCopyPath`. */
  replica: string;
  at: Date;
}

/** The path after the server's auto-merge step. */
export interface MergeStep {
  /** `merged` (clean), `applied` (refused, fallback last_write_wins), `conflict` (left open). */
  outcome: "merged" | "applied" | "conflict";
  reason: "merged" | MergeRefusalReason;
  /** The path's content afterwards. */
  content: Uint8Array | null;
  /** The path's vector afterwards. */
  vector: VersionVector;
  /** The hunks both sides changed differently (`overlapping`). */
  hunks?: MergeConflict[];
}

/** What `commit_changes` answers for the change, and what the path is afterwards. */
export interface Resolution {
  outcome: CommitOutcome;
  reason: ResolutionReason;
  /** The path's live content afterwards (`null`: a tombstone, or no such path). */
  content: Uint8Array | null;
  /** The path's vector afterwards, as the answer's `vector` (`null`: no such path). */
  vector: VersionVector | null;
  /** The conflict this commit records: `open`, or `resolved` by last_write_wins. */
  conflict?: "open" | "resolved";
  /** The open conflict asks the server for a three-way merge (`auto_merge`). */
  mergeRequired?: boolean;
  /** Set when the server keeps the losing current version as a conflict copy (unless taken). */
  conflictCopy?: ConflictCopyMarker;
  /** With {@linkcode mergeRequired}: what the server's merge step makes of the conflict. */
  afterMerge?: MergeStep;
}

/** Options of {@linkcode ConflictResolver}: the workspace's settings and the merge limits. */
export interface ConflictResolverOptions {
  /** What `auto_merge` falls back to. Default `user_intervention`. */
  mergeFallback?: MergeFallback;
  /** Whether last_write_wins keeps the loser as a conflict copy. Default true. */
  conflictCopies?: boolean;
  /** Largest side the server merges, in bytes. Default 1 MiB (merge_plan.ts). */
  maxMergeBytes?: number;
  /** Time budget per line diff of a merge, in ms. Default 400 (merge_plan.ts). */
  mergeTimeoutMs?: number;
}

/** Previews the server's decision for one change under a workspace's strategy. */
export class ConflictResolver {
  /** The workspace's strategy. */
  readonly strategy: ConflictStrategy;
  /** The fallback of `auto_merge`. */
  readonly mergeFallback: MergeFallback;
  readonly #options: ConflictResolverOptions;

  /** Creates a resolver for `strategy`. */
  constructor(strategy: ConflictStrategy, options: ConflictResolverOptions = {}) {
    if (!CONFLICT_STRATEGIES.includes(strategy)) {
      throw new RangeError(`Unknown conflict strategy "${strategy}"`);
    }
    const fallback = options.mergeFallback ?? "user_intervention";
    if (fallback !== "last_write_wins" && fallback !== "user_intervention") {
      throw new RangeError(`Invalid merge fallback "${fallback}"`);
    }
    this.strategy = strategy;
    this.mergeFallback = fallback;
    this.#options = options;
  }

  /** What the server answers when `incoming` is committed over `current`. */
  resolve(input: ConflictInput): Resolution {
    const { current, incoming } = input;
    // SQL gives a committed change the vector bump(base, replica).
    const incomingVector = incrementVector(incoming.base, incoming.replica);
    if (current === null) {
      if (incoming.content === null) return answer("merged", "absent", null, null);
      if (input.caseClash) return answer("rejected", "case_clash", null, null);
      return answer("applied", "new_path", incoming.content, incomingVector);
    }
    if (current.content === null && incoming.content !== null && input.caseClash) {
      return answer("rejected", "case_clash", null, current.vector);
    }
    const same = sameVersion(current, incoming);
    const order = compareVectors(incoming.base, current.vector);
    if (order === "equal" || order === "after") {
      return same ? answer("merged", "fast_forward", current.content, current.vector) : answer(
        "applied",
        "fast_forward",
        incoming.content,
        mergeVectors(current.vector, incomingVector),
      );
    }
    if (same) {
      return answer(
        "merged",
        "identical",
        current.content,
        mergeVectors(current.vector, incomingVector),
      );
    }
    const ancestor = findAncestor(input.history ?? [], incoming.base);
    // Strictly after current and the base, whatever the committer's own counter was.
    const after = incrementVector(mergeVectors(current.vector, incoming.base), incoming.replica);
    if (ancestor && sameStoredVersion(ancestor, current)) {
      return answer("applied", "base_unchanged", incoming.content, after);
    }
    if (current.content === null) {
      return answer("applied", "edit_beats_delete", incoming.content, after);
    }
    if (incoming.content === null) {
      return answer("superseded", "delete_superseded", current.content, current.vector);
    }
    let strategy: ConflictStrategy = this.strategy;
    if (strategy === "auto_merge" && (!ancestor || ancestor.content === null)) {
      strategy = this.mergeFallback; // nothing to three-way merge against
    }
    if (strategy === "last_write_wins") {
      const copy = this.#options.conflictCopies ?? true;
      return {
        ...answer("applied", "last_write", incoming.content, after),
        conflict: "resolved",
        ...(copy
          ? {
            conflictCopy: { replica: current.replica ?? incoming.replica, at: current.committedAt },
          }
          : {}),
      };
    }
    if (strategy === "user_intervention") {
      return {
        ...answer("conflict", "user_intervention", current.content, current.vector),
        conflict: "open",
      };
    }
    return {
      ...answer("conflict", "merge_required", current.content, current.vector),
      conflict: "open",
      mergeRequired: true,
      afterMerge: this.#merge(ancestor!.content!, current, incoming, incomingVector),
    };
  }

  /**
   * The server's merge step (merge_service.ts, planMerge): the merged bytes become a resolution
   * by the committing replica, with the vector `resolve_conflict` gives it.
   */
  #merge(
    base: Uint8Array,
    current: CurrentVersion,
    incoming: IncomingChange,
    incomingVector: VersionVector,
  ): MergeStep {
    const ours = current.content!;
    const theirs = incoming.content!;
    const resolved = incrementVector(
      mergeVectors(current.vector, incomingVector),
      incoming.replica,
    );
    const refuse = (reason: MergeRefusalReason, hunks?: MergeConflict[]): MergeStep => ({
      ...(this.mergeFallback === "last_write_wins"
        ? { outcome: "applied", content: theirs, vector: resolved }
        : { outcome: "conflict", content: ours, vector: current.vector }),
      reason,
      ...(hunks ? { hunks } : {}),
    });
    const max = this.#options.maxMergeBytes ?? 1024 * 1024;
    if (Math.max(base.length, ours.length, theirs.length) > max) return refuse("too_large");
    const [b, o, t] = [decodeText(base), decodeText(ours), decodeText(theirs)];
    if (b === null || o === null || t === null) return refuse("binary");
    const merged = threeWayMerge(b, o, t, { timeoutMs: this.#options.mergeTimeoutMs ?? 400 });
    if (!merged.clean) return refuse("overlapping", merged.conflicts);
    return {
      outcome: "merged",
      reason: "merged",
      content: encodeText(merged.text),
      vector: resolved,
    };
  }
}

function answer(
  outcome: CommitOutcome,
  reason: ResolutionReason,
  content: Uint8Array | null,
  vector: VersionVector | null,
): Resolution {
  return { outcome, reason, content, vector };
}

/** SQL: the latest version whose vector equals the base (jsonb equality: same keys, same counters). */
function findAncestor(
  history: readonly StoredVersion[],
  base: VersionVector,
): StoredVersion | undefined {
  const key = vectorKey(base);
  for (let i = history.length - 1; i >= 0; i--) {
    const version = history[i]!;
    if (vectorKey(version.vector) === key) return version;
  }
  return undefined;
}

function vectorKey(vector: VersionVector): string {
  return JSON.stringify(Object.entries(vector).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** SQL's "the content did not change since the base": same deletedness, mode and bytes. */
function sameStoredVersion(a: StoredVersion, b: StoredVersion): boolean {
  return (a.mode ?? DEFAULT_MODE) === (b.mode ?? DEFAULT_MODE) && sameVersion(a, b);
}

/** SQL's "same content" of a change and the current version: both deleted, or same bytes and mode. */
function sameVersion(
  a: { content: Uint8Array | null; mode?: number },
  b: { content: Uint8Array | null; mode?: number },
): boolean {
  if (a.content === null || b.content === null) return a.content === b.content;
  if ((a.mode ?? DEFAULT_MODE) !== (b.mode ?? DEFAULT_MODE)) return false;
  if (a.content.length !== b.content.length) return false;
  for (let i = 0; i < a.content.length; i++) if (a.content[i] !== b.content[i]) return false;
  return true;
}
