/**
 * Test support for the engine's phases: a temp directory with its state database and an
 * {@linkcode EngineContext} over it, whose API is a fake holding only the calls a test gives.
 *
 * @module
 */
import { join } from "node:path";
import type { SyncApi } from "../../client/sync_api.ts";
import type { ChangeEntry } from "../../client/types.ts";
import { sha256Hex } from "../../shared/hash.ts";
import { LocalFs } from "../local_fs.ts";
import { StateDb } from "../state_db.ts";
import type { EngineContext } from "./options.ts";

/** What {@linkcode withEngine} hands a test. */
export interface EngineFixture {
  readonly dir: string;
  readonly fs: LocalFs;
  readonly state: StateDb;
  readonly ctx: EngineContext;
  /** Everything the phases logged. */
  readonly logs: string[];
}

/** Runs `test` with a fresh directory, state and context; `api` stands in for the API. */
export async function withEngine(
  api: Partial<SyncApi>,
  test: (fixture: EngineFixture) => Promise<void> | void,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sandsync-engine-" });
  const root = join(dir, "root");
  await Deno.mkdir(root);
  const state = new StateDb(join(dir, "state.db"));
  const fs = new LocalFs(root);
  const logs: string[] = [];
  const ctx: EngineContext = {
    api: api as SyncApi,
    fs,
    state,
    workspaceId: "ws",
    replicaId: "r1",
    log: (message) => logs.push(message),
  };
  try {
    await test({ dir: root, fs, state, ctx, logs });
  } finally {
    state.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** A data: URL serving `text` (what a signed download URL serves). */
export function dataUrl(text: string): string {
  return `data:application/octet-stream;base64,${btoa(text)}`;
}

/** A journal entry for `path` (a live file unless `fields` say otherwise). */
export function changeEntry(path: string, fields: Partial<ChangeEntry> = {}): ChangeEntry {
  return {
    seq: 1,
    kind: "file",
    path,
    versionId: `v-${path}`,
    conflictId: null,
    sha256: null,
    size: 0,
    mode: 0o644,
    mtime: null,
    deleted: false,
    vector: { srv: 1 },
    replicaId: "r2",
    committedAt: "2026-01-01T00:00:00.000Z",
    ...fields,
  };
}

/** A live entry serving `text` from a data: URL. */
export function liveEntry(path: string, text: string, fields: Partial<ChangeEntry> = {}) {
  return changeEntry(path, {
    sha256: sha256Hex(text),
    size: new TextEncoder().encode(text).byteLength,
    url: dataUrl(text),
    ...fields,
  });
}
