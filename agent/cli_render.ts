/**
 * How the CLI prints results for people (`--json` prints the data itself).
 *
 * @module
 */
import type { Conflict, ConflictSide } from "../client/conflicts_api.ts";
import type { FileHistory } from "../client/files_api.ts";
import type { ResolveReport } from "./resolve.ts";
import type { HeldFile, SyncOutcome } from "./sync_engine.ts";

/** One sync run. */
export function renderOutcome(outcome: SyncOutcome): string {
  return `uploaded ${outcome.uploaded}, downloaded ${outcome.downloaded}, deleted ${outcome.deleted}, ` +
    `conflicts ${outcome.conflicts}, skipped ${outcome.skipped}, ${outcome.bytes} bytes in ` +
    `${outcome.durationMs} ms${outcome.restored ? " (restored from the workspace)" : ""}` +
    (outcome.rejectedDeletes > 0
      ? `\n${outcome.rejectedDeletes} deleted files brought back from the workspace`
      : "") +
    (outcome.heldDeletes > 0
      ? `\n${outcome.heldDeletes} deletions held: run \`sandsync confirm-deletes\` to commit ` +
        "them or `sandsync reject-deletes` to bring the files back"
      : "") +
    heldOverQuotaLines(outcome.heldOverQuota);
}

/** Files held back over the quota, one line each (empty when none). */
export function heldOverQuotaLines(held: readonly HeldFile[] | undefined): string {
  if (!held || held.length === 0) return "";
  return `\n  held over quota ${held.length} (free space or raise the quota; retried every run)` +
    held.map((file) => `\n    ${file.path} (${file.size} bytes)`).join("");
}

function side(label: string, s: ConflictSide | null): string {
  if (!s) return `    ${label}: unknown`;
  const what = s.deleted ? "deleted" : `${s.size} bytes, sha256 ${s.sha256?.slice(0, 12)}`;
  return `    ${label}: ${s.versionId} (${what}) by ${s.replicaId ?? "?"} at ${s.committedAt}`;
}

/** Open conflicts. */
export function renderConflicts(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 0) return "no open conflicts";
  return conflicts.map((c) =>
    [
      `${c.path}  ${c.id}  (${c.strategy}, opened ${c.createdAt})`,
      side("current ", c.current),
      side("incoming", c.incoming),
      side("ancestor", c.ancestor),
    ].join("\n")
  ).join("\n") +
    "\nresolve with: sandsync resolve <path> --ours (keep the local file) | --theirs | --merge";
}

/** A resolution, or the hunks that stopped a merge. */
export function renderResolve(report: ResolveReport): string {
  if (report.resolved) {
    return `resolved ${report.path} (${report.side}: ${report.resolution}) as ${report.versionId}`;
  }
  const hunks = (report.hunks ?? []).map((h) =>
    [
      `@@ base ${h.base.start},${h.base.count} current ${h.current.start},${h.current.count} ` +
      `incoming ${h.incoming.start},${h.incoming.count} @@`,
      ...h.base.lines.map((l) => `  base     | ${l}`),
      ...h.current.lines.map((l) => `  current  | ${l}`),
      ...h.incoming.lines.map((l) => `  incoming | ${l}`),
    ].join("\n")
  );
  return [
    `cannot merge ${report.path}: ${report.reason}; the conflict stays open`,
    ...hunks,
    "resolve with --ours (after editing the file) or --theirs",
  ].join("\n");
}

/** A path's versions, newest first. */
export function renderHistory(history: FileHistory): string {
  return history.versions.map((v) => {
    const what = v.deleted ? "deleted" : `${v.size} bytes`;
    const current = v.versionId === history.currentVersionId ? "  (current)" : "";
    return `${v.versionId}  ${v.committedAt}  ${v.outcome.padEnd(13)} ${what}  ` +
      `${v.authorKind ?? ""} ${v.replicaId ?? ""}${current}`;
  }).join("\n");
}
