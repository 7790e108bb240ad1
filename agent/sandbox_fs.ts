/**
 * The sandbox file-system interface the agent syncs through: small on purpose, so a local
 * directory ({@linkcode LocalFs}) and an E2B sandbox (another issue) can both provide it.
 * Paths are relative to the sync root, `/`-separated; `""` is the root.
 *
 * @module
 */
import type { BlobSource } from "../client/transfer.ts";

/** One directory entry or stat result. */
export interface FsEntry {
  /** Relative path from the root. */
  readonly path: string;
  readonly kind: "file" | "dir" | "symlink" | "other";
  readonly size: number;
  /** Modification time, ms since the epoch. */
  readonly mtimeMs: number;
  /** Inode number where the file system has one (else `null`). */
  readonly ino: number | null;
  /** Permission bits. */
  readonly mode: number;
}

/** A sink for the bytes of a new file. */
export interface FileWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes to disk (fsync) and closes. */
  close(): Promise<void>;
  /** Truncates back to empty (a download restarting). */
  reset(): Promise<void>;
}

/** A batch of changed paths from the native watcher; `overflow` means "rescan everything". */
export interface FsEvents {
  readonly paths: readonly string[];
  readonly overflow: boolean;
}

/** A handle on a running watch. */
export interface FsWatch extends AsyncIterable<FsEvents> {
  close(): void;
}

/** What the agent needs from the directory it syncs. */
export interface SandboxFs {
  /** The entries directly inside `dir` (not recursive, symlinks not followed). */
  list(dir: string): Promise<FsEntry[]>;
  /** The entry at `path` (symlinks not followed), or `null` when nothing is there. */
  stat(path: string): Promise<FsEntry | null>;
  /** Random-access bytes of a file. */
  openRead(path: string): Promise<BlobSource>;
  /** Creates (or truncates) a file for writing. */
  openWrite(path: string): Promise<FileWriter>;
  /** Atomically replaces `to` with `from` (same directory). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file (or an empty directory); absent paths are fine. */
  remove(path: string): Promise<void>;
  /** Creates a directory and its parents. */
  mkdir(path: string): Promise<void>;
  /** Sets permission bits. */
  chmod(path: string, mode: number): Promise<void>;
  /** Native change events under the root. */
  watch(): FsWatch;
}
