/**
 * What the sync function answers, as plain types both sides share: the server builds these
 * shapes and the client reads them, so the two cannot drift apart. (Request bodies are the
 * zod schemas of wire.ts.)
 *
 * @module
 */
import type { VersionVector } from "../version_vector.ts";

/** How to move one blob into Storage, as `sync/negotiate` says. */
export type UploadInstruction =
  | { readonly sha256: string; readonly size: number; readonly method: "inline" }
  | {
    readonly sha256: string;
    readonly size: number;
    readonly method: "signed_url";
    readonly key: string;
    readonly url: string;
  }
  | {
    readonly sha256: string;
    readonly size: number;
    readonly method: "tus";
    readonly key: string;
    readonly endpoint: string;
    readonly bucket: string;
    /** Sent as `x-signature` on every TUS request. */
    readonly signature: string;
    readonly chunkSize: number;
  };

/** One journal entry (or, in a manifest, one current file). */
export interface ChangeEntry {
  readonly seq: number;
  /** `file`: the current state of `path` changed; `conflict`: a conflict was opened. */
  readonly kind: "file" | "conflict";
  readonly path: string;
  readonly versionId: string | null;
  readonly conflictId: string | null;
  readonly sha256: string | null;
  readonly size: number;
  readonly mode: number;
  /** Client modification time, ms since the epoch. */
  readonly mtime: number | null;
  readonly deleted: boolean;
  readonly vector: VersionVector;
  readonly replicaId: string | null;
  readonly committedAt: string;
  /** Signed download URL of the bytes (live files only). */
  readonly url?: string;
  /**
   * Set instead of `url` when the bytes cannot be served (their object is missing from Storage):
   * the entry is reported, the rest of the page flows. Clients skip the path and retry later.
   */
  readonly error?: EntryError;
}

/** Why one feed entry carries no bytes. */
export interface EntryError {
  /** `blob_missing`: Storage holds no object for the entry's hash. */
  readonly code: "blob_missing";
  readonly message: string;
}
