/**
 * Helpers for the conflicts and quota integration tests: two replicas editing one file
 * concurrently through the real sync function, and reading a workspace's current bytes back
 * through the manifest's signed URLs.
 *
 * @module
 */
import type { CommitAnswer, CommitItemAnswer } from "../../shared/protocol/sync.ts";
import { type ApiClient, inlineCommit, newWorkspace } from "../support/api.ts";

/** One item of a commit answer: the protocol's own type, what server and client share. */
export type CommitItem = CommitItemAnswer;

/** Commits inline files; fails the test on any status but 200. */
export async function commit(
  client: ApiClient,
  body: ReturnType<typeof inlineCommit>,
): Promise<CommitAnswer> {
  const answer = await client.call<CommitAnswer>("POST", "sync/commit", body);
  if (answer.status !== 200) {
    throw new Error(`commit: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

/** What {@linkcode concurrentEdits} set up. */
export interface ConcurrentEdits {
  readonly workspaceId: string;
  /** r1 wrote base and then `current`; r2 wrote `incoming` on base. */
  readonly replicas: [string, string];
  readonly baseVector: Record<string, number>;
  readonly currentItem: CommitItem;
  readonly incomingItem: CommitItem;
  /** r2's whole commit (to replay it). */
  readonly incomingCommit: ReturnType<typeof inlineCommit>;
}

/**
 * A workspace where replica 1 commits `base`, then `current` on it, and replica 2 commits
 * `incoming` on `base` too: concurrent with `current`.
 */
export async function concurrentEdits(
  client: ApiClient,
  options: {
    readonly strategy: string;
    readonly mergeFallback?: string;
    readonly path?: string;
    readonly base: string | Uint8Array;
    readonly current: string | Uint8Array;
    readonly incoming: string | Uint8Array;
  },
): Promise<ConcurrentEdits> {
  const path = options.path ?? "notes.txt";
  const { workspaceId, replicas } = await newWorkspace(client, {
    strategy: options.strategy,
    ...(options.mergeFallback ? { mergeFallback: options.mergeFallback } : {}),
    replicas: 2,
  });
  const [r1, r2] = replicas as [string, string];
  const first = await commit(
    client,
    inlineCommit(workspaceId, r1, [{ path, content: options.base }]),
  );
  const baseVector = first.items[0]!.vector!;
  const second = await commit(
    client,
    inlineCommit(workspaceId, r1, [{ path, content: options.current, base: baseVector }]),
  );
  const incomingCommit = inlineCommit(workspaceId, r2, [
    { path, content: options.incoming, base: baseVector },
  ]);
  const third = await commit(client, incomingCommit);
  return {
    workspaceId,
    replicas: [r1, r2],
    baseVector,
    currentItem: second.items[0]!,
    incomingItem: third.items[0]!,
    incomingCommit,
  };
}

/** A file of the manifest. */
export interface ManifestFile {
  readonly path: string;
  readonly versionId: string;
  readonly sha256: string | null;
  readonly vector: Record<string, number>;
  readonly url?: string;
}

/** The current files of a workspace. */
export async function manifest(client: ApiClient, workspaceId: string): Promise<ManifestFile[]> {
  const answer = await client.call<{ files: ManifestFile[] }>(
    "GET",
    `sync/manifest?workspaceId=${workspaceId}`,
  );
  if (answer.status !== 200) throw new Error(`manifest: ${JSON.stringify(answer.body)}`);
  return answer.body.files;
}

/** Downloads bytes from a signed URL. */
export async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download ${url}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The current text of `path` in the workspace (through the manifest's signed URL). */
export async function currentText(
  client: ApiClient,
  workspaceId: string,
  path = "notes.txt",
): Promise<{ text: string; file: ManifestFile }> {
  const file = (await manifest(client, workspaceId)).find((f) => f.path === path);
  if (!file?.url) throw new Error(`no current "${path}"`);
  return { text: new TextDecoder().decode(await download(file.url)), file };
}

/** Base64 of text. */
export function base64Text(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
