/**
 * Restoring a directory from the workspace (one with no state, another instance's, or whose
 * root came up empty): the workspace's manifest is read first, files already identical to it
 * are adopted rather than committed again, and after the push every manifest file comes down,
 * files missing here included; missing files are never taken as deletions. Safety rules:
 * docs/decisions/0009-sandbox-side-safety.md.
 *
 * @module
 */
import type { ChangeEntry } from "../../client/types.ts";
import type { IgnoreRules } from "../../shared/paths/ignore_rules.ts";
import type { ScannedFile } from "../scanner.ts";
import type { EngineContext } from "./options.ts";
import { adoptable } from "./plan.ts";
import { applyAll } from "./pull.ts";
import type { SyncOutcome } from "./sync_outcome.ts";

/** The workspace's current files and the journal cursor they are current at. */
export interface Manifest {
  readonly cursor: number;
  readonly files: ChangeEntry[];
}

/** Reads the workspace's manifest and adopts the scanned files already identical to it. */
export async function beginRestore(
  ctx: EngineContext,
  scanned: ReadonlyMap<string, ScannedFile>,
  options: { emptied: boolean; result: SyncOutcome; signal?: AbortSignal },
): Promise<Manifest> {
  const manifest = await ctx.api.fullManifest(ctx.workspaceId, { signal: options.signal });
  options.result.restored = manifest.files.length > 0;
  if (options.emptied) ctx.log(`root is empty: restoring ${manifest.files.length} files`);
  const adopted = adoptable(manifest.files, scanned);
  ctx.state.transaction(() => {
    for (const st of adopted) ctx.state.put(st);
  });
  return manifest;
}

/** Options of {@linkcode finishRestore}. */
export interface FinishRestoreOptions {
  readonly rules: IgnoreRules;
  readonly result: SyncOutcome;
  /** The root came up empty: recorded paths the workspace no longer has are forgotten. */
  readonly emptied: boolean;
  /** The instance the state now belongs to. */
  readonly instance: string;
  readonly signal?: AbortSignal;
}

/** Brings every manifest file down, then moves the cursor to the manifest's. */
export async function finishRestore(
  ctx: EngineContext,
  manifest: Manifest,
  options: FinishRestoreOptions,
): Promise<void> {
  const { state } = ctx;
  const { rules, result, signal } = options;
  await applyAll(ctx, manifest.files, { rules, result, restore: true, signal });
  state.transaction(() => {
    if (options.emptied) {
      const live = new Set(manifest.files.map((entry) => entry.path));
      for (const path of state.all().keys()) if (!live.has(path)) state.remove(path);
    }
    state.setMeta("cursor", String(manifest.cursor));
    state.setMeta("instance", options.instance);
  });
}
