/**
 * The sandbox file-system interface a replica syncs through, defined once (types only, no
 * runtime APIs): small on purpose, so a local directory (the agent's `agent/local_fs.ts`) and an
 * E2B sandbox (the bridge's `supabase/functions/e2b-bridge/e2b_fs.ts`) both provide it. Paths
 * are relative to the sync root, `/`-separated; `""` is the root.
 *
 * @module
 */

/** Random-access bytes of one file (the agent's `BlobSource`, `client/transfer.ts`). */
export interface BlobSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Reads `length` bytes at `offset` (fewer only at the end). With `into` (at least `length`
   * bytes), a source may read into it and answer a view of it, valid until the caller reuses it:
   * a caller streaming a large file reuses one buffer instead of allocating one per read.
   */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  /** Releases the source (closes a file). */
  close?(): void | Promise<void>;
}

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
  /**
   * Replaces `to` with `from` (same directory) only while `to` still is `expected` (same
   * inode, size and mtime; `null`: nothing there), checked atomically where the platform
   * can. Returns `false`, with `to` untouched and `from` removed, when `to` changed first.
   * Bytes written into the replaced file while it was being replaced are kept at `keepAs`.
   * Optional: without it the caller checks with `stat` and calls `rename`.
   */
  replaceIfUnchanged?(
    from: string,
    to: string,
    options: { expected: FsEntry | null; keepAs: string },
  ): Promise<boolean>;
  /**
   * Removes the file `path` only while it still is `expected`, checked atomically where the
   * platform can; `false` (the file left in place) when it changed first. Bytes written into it
   * while it was being removed are kept at `keepAs`. Optional: without it the caller removes.
   */
  removeIfUnchanged?(
    path: string,
    options: { expected: FsEntry; keepAs: string },
  ): Promise<boolean>;
  /** Removes a file (or an empty directory); absent paths are fine. */
  remove(path: string): Promise<void>;
  /** Creates a directory and its parents. */
  mkdir(path: string): Promise<void>;
  /** Sets permission bits. */
  chmod(path: string, mode: number): Promise<void>;
  /** Native change events under the root. */
  watch(): FsWatch;
}
