/**
 * {@linkcode SandboxFs} over a local directory with Deno's file APIs: lstat (symlinks are not
 * followed), positional reads, fsync'd writes, rename for atomic replacement, and
 * `Deno.watchFs` (inotify on Linux) for change events.
 *
 * @module
 */
import { join } from "node:path";
import { KEEP_PREFIX } from "../shared/paths/ignore_rules.ts";
import { permissionBits } from "../shared/paths/protected_paths.ts";
import { syncedMode } from "../shared/paths/syncable.ts";
import type {
  BlobSource,
  FileWriter,
  FsEntry,
  FsEvents,
  FsWatch,
  SandboxFs,
} from "../shared/sandbox_fs.ts";

function kindOf(info: Deno.FileInfo): FsEntry["kind"] {
  if (info.isSymlink) return "symlink";
  if (info.isFile) return "file";
  if (info.isDirectory) return "dir";
  return "other";
}

function sameFile(a: FsEntry | null, b: FsEntry): boolean {
  return a !== null && a.size === b.size && Math.round(a.mtimeMs) === Math.round(b.mtimeMs) &&
    a.ino === b.ino;
}

function toEntry(path: string, info: Deno.FileInfo): FsEntry {
  return {
    path,
    kind: kindOf(info),
    size: info.size,
    mtimeMs: info.mtime?.getTime() ?? 0,
    ino: info.ino ?? null,
    mode: syncedMode(info.mode),
  };
}

/** A local directory as a {@linkcode SandboxFs}. */
export class LocalFs implements SandboxFs {
  /** The absolute root directory. */
  readonly root: string;

  constructor(root: string) {
    this.root = root.replace(/\/+$/, "") || "/";
  }

  /** The absolute path of a relative one. */
  abs(path: string): string {
    return path === "" ? this.root : join(this.root, path);
  }

  async list(dir: string): Promise<FsEntry[]> {
    const out: FsEntry[] = [];
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(this.abs(dir)));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
        return [];
      }
      throw error;
    }
    for (const entry of entries) {
      const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
      const info = await this.stat(path);
      if (info) out.push(info);
    }
    return out;
  }

  async stat(path: string): Promise<FsEntry | null> {
    try {
      return toEntry(path, await Deno.lstat(this.abs(path)));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
        return null;
      }
      throw error;
    }
  }

  async openRead(path: string): Promise<BlobSource> {
    const file = await Deno.open(this.abs(path), { read: true });
    const size = (await file.stat()).size;
    let closed = false;
    let position = 0;
    return {
      size,
      async read(offset, length, into) {
        const buffer = into && into.byteLength >= length
          ? into.subarray(0, length)
          : new Uint8Array(length);
        // Sequential reads (hashing, uploading) need no seek.
        if (offset !== position) await file.seek(offset, Deno.SeekMode.Start);
        let filled = 0;
        while (filled < length) {
          const n = await file.read(buffer.subarray(filled));
          if (n === null) break;
          filled += n;
        }
        position = offset + filled;
        return buffer.subarray(0, filled);
      },
      close() {
        if (!closed) file.close();
        closed = true;
      },
    };
  }

  async openWrite(path: string): Promise<FileWriter> {
    const file = await Deno.open(this.abs(path), { write: true, create: true, truncate: true });
    return {
      async write(chunk) {
        let written = 0;
        while (written < chunk.byteLength) written += await file.write(chunk.subarray(written));
      },
      async close() {
        try {
          await file.sync();
        } finally {
          file.close();
        }
      },
      async reset() {
        await file.truncate(0);
        await file.seek(0, Deno.SeekMode.Start);
      },
    };
  }

  async rename(from: string, to: string): Promise<void> {
    await Deno.rename(this.abs(from), this.abs(to));
  }

  /**
   * Linux has no "rename unless the target changed": the target is first moved aside (an
   * atomic rename, so it takes whatever inode is there at that instant) and compared with
   * `expected`; the new file is then hard-linked into place, which fails if anything was
   * created at `to` meanwhile. A lost race puts the moved-aside file back (or, if `to` was
   * created again meanwhile, keeps it at `keepAs`); nothing the user wrote is unlinked.
   */
  async replaceIfUnchanged(
    from: string,
    to: string,
    options: { expected: FsEntry | null; keepAs: string },
  ): Promise<boolean> {
    const { expected, keepAs } = options;
    const slash = to.lastIndexOf("/");
    const aside = `${to.slice(0, slash + 1)}${KEEP_PREFIX}${crypto.randomUUID().slice(0, 8)}-${
      to.slice(slash + 1)
    }`;
    if (expected !== null) {
      try {
        await Deno.rename(this.abs(to), this.abs(aside));
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        await this.remove(from); // deleted here meanwhile: a local deletion, not ours to undo
        return false;
      }
      if (!sameFile(await this.stat(aside), expected)) {
        await this.#putBack(aside, to, keepAs);
        await this.remove(from);
        return false;
      }
    }
    try {
      await Deno.link(this.abs(from), this.abs(to));
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      // Created here meanwhile: the local file wins; what was moved aside is the recorded one.
      await this.remove(from);
      if (expected !== null) await this.#dropAside(aside, expected, keepAs);
      return false;
    }
    await this.remove(from);
    if (expected !== null) await this.#dropAside(aside, expected, keepAs);
    return true;
  }

  /** The file is moved aside (atomically), compared, then removed or put back. */
  async removeIfUnchanged(
    path: string,
    options: { expected: FsEntry; keepAs: string },
  ): Promise<boolean> {
    const slash = path.lastIndexOf("/");
    const aside = `${path.slice(0, slash + 1)}${KEEP_PREFIX}${crypto.randomUUID().slice(0, 8)}-${
      path.slice(slash + 1)
    }`;
    try {
      await Deno.rename(this.abs(path), this.abs(aside));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      return true; // gone already
    }
    if (!sameFile(await this.stat(aside), options.expected)) {
      await this.#putBack(aside, path, options.keepAs);
      return false;
    }
    await this.#dropAside(aside, options.expected, options.keepAs);
    return true;
  }

  /** Removes a moved-aside file unless it was written since (then it is kept at `keepAs`). */
  async #dropAside(aside: string, expected: FsEntry, keepAs: string): Promise<void> {
    if (sameFile(await this.stat(aside), expected)) await this.remove(aside);
    else await this.rename(aside, await this.#free(keepAs));
  }

  /** Moves a file set aside back to `to`, or to `keepAs` if `to` exists again. */
  async #putBack(aside: string, to: string, keepAs: string): Promise<void> {
    try {
      await Deno.link(this.abs(aside), this.abs(to));
      await this.remove(aside);
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      await this.rename(aside, await this.#free(keepAs));
    }
  }

  /** `path`, or `path` with a counter when taken. */
  async #free(path: string): Promise<string> {
    for (let i = 1;; i++) {
      const candidate = i === 1 ? path : `${path}.${i}`;
      if ((await this.stat(candidate)) === null) return candidate;
    }
  }

  async remove(path: string): Promise<void> {
    try {
      await Deno.remove(this.abs(path));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }

  async mkdir(path: string): Promise<void> {
    await Deno.mkdir(this.abs(path), { recursive: true });
  }

  async chmod(path: string, mode: number): Promise<void> {
    // Permission bits only: setuid, setgid and sticky bits are never applied.
    await Deno.chmod(this.abs(path), permissionBits(mode));
  }

  watch(): FsWatch {
    const watcher = Deno.watchFs(this.root, { recursive: true });
    const root = this.root;
    const relative = (abs: string) =>
      abs === root ? "" : abs.startsWith(`${root}/`) ? abs.slice(root.length + 1) : null;
    return {
      close: () => {
        try {
          watcher.close();
        } catch { /* already closed */ }
      },
      async *[Symbol.asyncIterator](): AsyncIterator<FsEvents> {
        for await (const event of watcher) {
          const paths = event.paths.map(relative).filter((p): p is string => p !== null);
          // "other" covers inotify's queue overflow (IN_Q_OVERFLOW) and rescan hints.
          yield { paths, overflow: event.kind === "other" };
        }
      },
    };
  }
}
