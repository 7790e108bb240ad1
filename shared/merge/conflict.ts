/**
 * Conflict resolution between the server's current version of a file and an
 * incoming change (DESIGN decisions 4 and 5). Pure: the server uses it to
 * decide, clients use the same code to preview or resolve locally.
 *
 * The order of the rules:
 * 1. Vectors first: when one side has seen the other there is no conflict
 *    (fast-forward, or a stale/replayed change that is already included).
 * 2. Identical content (both deleted included) is never a conflict.
 * 3. An edit beats a concurrent delete, under every strategy.
 * 4. Two different edits: the strategy decides. `last_write_wins` by server
 *    commit time (client clocks are not trusted), ties to the greater
 *    replica id so every replica computes the same winner; the loser is kept
 *    as a conflict copy. `user_intervention` keeps the current version and
 *    opens a conflict. `auto_merge` merges text three-way against the base;
 *    overlapping edits, binary content and files over the size limit fall
 *    back to `mergeFallback`.
 *
 * @module
 */
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

/** One version of the file as a side of a conflict. */
export interface ConflictSide {
  /** The bytes, or `null` when this side deleted the file. */
  content: Uint8Array | null;
  /** The version's vector. */
  vector: VersionVector;
  /** When the server committed it (for an incoming change: now). */
  committedAt: Date;
  /** The replica that wrote it. */
  replica: string;
}

/** The input of {@linkcode ConflictResolver.resolve}. */
export interface ConflictInput {
  /** The common ancestor, when known; `auto_merge` merges against it. */
  base?: { content: Uint8Array | null } | null;
  /** The server's current version. */
  current: ConflictSide;
  /** The change being applied on top of it. */
  incoming: ConflictSide;
}

/** What the resolution does with the file. */
export type ResolutionKind = "take_current" | "take_incoming" | "merged" | "open_conflict";

/** Why the resolver decided as it did (for logs, journals and tests). */
export type ResolutionReason =
  | "fast_forward"
  | "already_included"
  | "identical"
  | "edit_beats_delete"
  | "last_write"
  | "merged"
  | "user_intervention"
  | "merge_conflict"
  | "binary"
  | "too_large";

/** Marks that the losing side must be kept as a conflict copy. */
export interface ConflictCopyMarker {
  /** Which side lost. */
  side: "current" | "incoming";
  /** Its replica and commit time: the inputs of `conflictCopyPath`. */
  replica: string;
  at: Date;
}

/** The decision for one file. */
export interface Resolution {
  kind: ResolutionKind;
  reason: ResolutionReason;
  /** The file's content afterwards (`null`: deleted); for an open conflict, current's. */
  content: Uint8Array | null;
  /** The resulting vector: dominates both sides unless the conflict stays open. */
  vector: VersionVector;
  /** Set when a losing edit must be kept as a conflict copy. */
  conflictCopy?: ConflictCopyMarker;
  /** The hunks `auto_merge` could not merge. */
  hunks?: MergeConflict[];
}

/** Options of {@linkcode ConflictResolver}. */
export interface ConflictResolverOptions {
  /** What `auto_merge` falls back to. Default `user_intervention`. */
  mergeFallback?: MergeFallback;
  /** Largest side `auto_merge` attempts, in bytes. Default 1 MiB. */
  maxMergeBytes?: number;
  /** Time budget per line diff of a merge, in ms. Default 500. */
  mergeTimeoutMs?: number;
  /** When set, a merged version's vector is also incremented for this replica. */
  resolverReplica?: string;
}

/** Applies one conflict strategy to concurrent versions of a file. */
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

  /** Decides what happens when `incoming` is applied on top of `current`. */
  resolve(input: ConflictInput): Resolution {
    const { current, incoming } = input;
    const merged = mergeVectors(current.vector, incoming.vector);
    const order = compareVectors(current.vector, incoming.vector);
    const resolved = (kind: "take_current" | "take_incoming", reason: ResolutionReason) => ({
      kind,
      reason,
      content: (kind === "take_current" ? current : incoming).content,
      vector: merged,
    });
    if (order === "before") return resolved("take_incoming", "fast_forward");
    if (order === "after") return resolved("take_current", "already_included");
    // "equal" or "concurrent" from here. Equal vectors with different bytes
    // break the invariant (one vector, one version); treat them as concurrent
    // so nothing is lost.
    if (sameContent(current.content, incoming.content)) {
      return resolved("take_current", "identical");
    }
    if (current.content === null) return resolved("take_incoming", "edit_beats_delete");
    if (incoming.content === null) return resolved("take_current", "edit_beats_delete");
    if (this.strategy !== "auto_merge") return this.#settle(this.strategy, input, undefined);
    return this.#autoMerge(input, current.content, incoming.content, merged);
  }

  #autoMerge(
    input: ConflictInput,
    current: Uint8Array,
    incoming: Uint8Array,
    vector: VersionVector,
  ): Resolution {
    const max = this.#options.maxMergeBytes ?? 1024 * 1024;
    const baseBytes = input.base?.content ?? new Uint8Array();
    if (Math.max(current.length, incoming.length, baseBytes.length) > max) {
      return this.#settle(this.mergeFallback, input, "too_large");
    }
    const [base, cur, inc] = [decodeText(baseBytes), decodeText(current), decodeText(incoming)];
    if (base === null || cur === null || inc === null) {
      return this.#settle(this.mergeFallback, input, "binary");
    }
    const result = threeWayMerge(base, cur, inc, { timeoutMs: this.#options.mergeTimeoutMs });
    if (!result.clean) {
      return {
        ...this.#settle(this.mergeFallback, input, "merge_conflict"),
        hunks: result.conflicts,
      };
    }
    const replica = this.#options.resolverReplica;
    return {
      kind: "merged",
      reason: "merged",
      content: encodeText(result.text),
      vector: replica === undefined ? vector : incrementVector(vector, replica),
    };
  }

  /** Two different edits under a non-merging strategy. */
  #settle(
    strategy: MergeFallback,
    input: ConflictInput,
    mergeFailure: ResolutionReason | undefined,
  ): Resolution {
    const { current, incoming } = input;
    if (strategy === "user_intervention") {
      return {
        kind: "open_conflict",
        reason: mergeFailure ?? "user_intervention",
        content: current.content,
        vector: current.vector,
      };
    }
    const incomingWins = laterWins(incoming, current);
    const loser = incomingWins ? current : incoming;
    return {
      kind: incomingWins ? "take_incoming" : "take_current",
      reason: mergeFailure ?? "last_write",
      content: (incomingWins ? incoming : current).content,
      vector: mergeVectors(current.vector, incoming.vector),
      conflictCopy: {
        side: incomingWins ? "current" : "incoming",
        replica: loser.replica,
        at: loser.committedAt,
      },
    };
  }
}

/** True when `a` wins over `b` under last-write-wins; symmetric on ties. */
function laterWins(a: ConflictSide, b: ConflictSide): boolean {
  const diff = a.committedAt.getTime() - b.committedAt.getTime();
  if (diff !== 0) return diff > 0;
  if (a.replica !== b.replica) return a.replica > b.replica;
  return true;
}

function sameContent(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
