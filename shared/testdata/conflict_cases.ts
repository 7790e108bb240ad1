/**
 * The shared conflict cases of `conflict_cases.json`, typed, one run per strategy. Read by the
 * pgTAP generator (supabase/tests/gen_conflict_cases.ts), the resolver's test
 * (shared/merge/conflict_cases_test.ts) and the server merge step's test
 * (supabase/functions/_shared/conflicts/merge_plan_cases_test.ts). The JSON's `description` says
 * what each field means.
 *
 * @module
 */
import data from "./conflict_cases.json" with { type: "json" };

/** A workspace strategy, as SQL spells it. */
export type CaseStrategy = "last_write_wins" | "user_intervention" | "auto_merge";

/** A vector keyed by replica name (`A`, `B`, `C`). */
export type CaseVector = Readonly<Record<string, number>>;

/** A version the server holds: live content, or a tombstone (`deleted`). */
export interface CaseVersion {
  readonly content?: string;
  readonly deleted?: boolean;
  readonly mode?: number;
  readonly vector: CaseVector;
  readonly replica: string;
}

/** The change being committed. */
export interface CaseChange {
  readonly content?: string;
  readonly deleted?: boolean;
  readonly mode?: number;
  readonly base: CaseVector;
  readonly replica: string;
}

/** The state of the path after a step, in SQL's vocabulary. */
export interface CaseOutcome {
  readonly outcome: "applied" | "merged" | "superseded" | "conflict" | "rejected";
  readonly vector: CaseVector | null;
  readonly content: string | null;
  readonly conflict?: "open" | "resolved" | null;
  readonly merge_required?: boolean;
  readonly conflict_copy_of?: string | null;
}

/** One row of the table as stored. */
export interface ConflictCase {
  readonly name: string;
  readonly strategies: readonly CaseStrategy[];
  readonly merge_fallback?: "last_write_wins" | "user_intervention";
  readonly conflict_copies?: boolean;
  readonly case_clash?: string;
  readonly history?: readonly CaseVersion[];
  readonly current: CaseVersion | null;
  readonly incoming: CaseChange;
  readonly expect: CaseOutcome;
  readonly after_merge?: Pick<CaseOutcome, "outcome" | "vector" | "content">;
}

/** The whole file. */
export interface ConflictCases {
  readonly description: readonly string[];
  /** Replica name → the uuid SQL registers it under. */
  readonly replicas: Readonly<Record<string, string>>;
  readonly cases: readonly ConflictCase[];
}

/** One case under one strategy, defaults filled in. */
export interface ConflictCaseRun extends ConflictCase {
  /** `<name> (<strategy>)`: unique, used as test and workspace name. */
  readonly label: string;
  readonly strategy: CaseStrategy;
  readonly mergeFallback: "last_write_wins" | "user_intervention";
  readonly conflictCopies: boolean;
}

/** The table as stored in `conflict_cases.json`. */
// Through unknown: TypeScript types the JSON's vectors with absent keys as `?: undefined`, which
// no index signature accepts; every case is exercised by three suites, so a bad row fails there.
export const CONFLICT_CASES: ConflictCases = data as unknown as ConflictCases;

/** Every case once per strategy it lists. */
export function conflictCaseRuns(cases: ConflictCases = CONFLICT_CASES): ConflictCaseRun[] {
  return cases.cases.flatMap((c) =>
    c.strategies.map((strategy) => ({
      ...c,
      label: `${c.name} (${strategy})`,
      strategy,
      mergeFallback: c.merge_fallback ?? "user_intervention",
      conflictCopies: c.conflict_copies ?? true,
    }))
  );
}
