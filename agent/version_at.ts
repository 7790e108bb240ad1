/**
 * Which version of a path was current at a moment, from its history: the newest version
 * committed at or before that moment that became current. Versions that never did (a delete
 * that lost to an edit, an open conflict's incoming side) are skipped.
 *
 * @module
 */
import type { FileVersion } from "../client/files_api.ts";

/** Outcomes of versions that never became the path's current version. */
const NEVER_CURRENT: ReadonlySet<string> = new Set(["superseded", "conflict"]);

/** A point in time or a version id, as `--at` takes it. */
export type RestorePoint = { readonly time: number } | { readonly versionId: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses `--at`: a version id (uuid) or an ISO 8601 time; `undefined` when it is neither. */
export function parseRestorePoint(value: string): RestorePoint | undefined {
  if (UUID.test(value)) return { versionId: value.toLowerCase() };
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : { time };
}

/** The version current at `point` (`versions` newest first, as history lists them). */
export function versionAt(
  versions: readonly FileVersion[],
  point: RestorePoint,
): FileVersion | undefined {
  if ("versionId" in point) return versions.find((v) => v.versionId === point.versionId);
  return versions.find((v) =>
    !NEVER_CURRENT.has(v.outcome) && Date.parse(v.committedAt) <= point.time
  );
}
