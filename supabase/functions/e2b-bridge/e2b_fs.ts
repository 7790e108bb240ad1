/**
 * {@linkcode SandboxFs} for an E2B sandbox, over the official `e2b` SDK: one sync root inside
 * the sandbox (`/home/user/project`), paths relative to it. Beyond the interface it offers what
 * the bridge needs to touch a sandbox in few round trips: a recursive listing in one RPC
 * (`files.list` with `depth`), bash scripts that touch many files in one command
 * (`runScript`, see `sandbox_scripts.ts`), SHA-256 computed inside the sandbox (`sha256sum`,
 * batched), and streams in and out (`files.read` / `files.write` with a `ReadableStream`).
 *
 * Commands run with `cwd` at the root and relative, single-quoted paths: inside a real sandbox
 * absolute paths would work too, but relative ones stay correct wherever the root lives (the
 * test stand-in maps it into a host directory).
 *
 * Errors are the SDK's (`FileNotFoundError`, `InvalidArgumentError`, ...); callers map them.
 *
 * @module
 */
import {
  CommandExitError,
  type EntryInfo,
  FileNotFoundError,
  type FilesystemEvent,
  FileType,
  type Sandbox,
} from "e2b";
import { permissionBits } from "../../../shared/paths/protected_paths.ts";
import { syncedMode } from "../../../shared/paths/syncable.ts";
import type {
  BlobSource,
  FileWriter,
  FsEntry,
  FsEvents,
  FsWatch,
  SandboxFs,
} from "../../../shared/sandbox_fs.ts";

/** An entry as E2B reports it, with where a symlink points (never followed). */
export interface E2bEntry extends FsEntry {
  /** The sandbox path a symlink resolves to; `null` for anything else. */
  readonly symlinkTarget: string | null;
}

/** Most bytes of quoted paths in one command line (well under Linux's 128 KiB per argument). */
const COMMAND_BYTES = 64 * 1024;
/** How long one command may run (a page's hashing and archiving included). */
const COMMAND_TIMEOUT_MS = 120_000;
/**
 * Largest script sent as the command itself: bash gets it as one argument, and Linux caps one
 * argument at 128 KiB (`MAX_ARG_STRLEN`).
 */
export const INLINE_SCRIPT_BYTES = 100 * 1024;

/** Quotes `text` for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** Splits `paths` into batches whose quoted form stays under {@linkcode COMMAND_BYTES}. */
export function commandBatches(paths: readonly string[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const path of paths) {
    const size = new TextEncoder().encode(path).length + 3;
    if (current.length > 0 && bytes + size > COMMAND_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(path);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Parses `sha256sum` output (`<hex>  <path>` lines) into path → hash. */
export function parseSha256sum(stdout: string): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    // Names with a backslash or newline come escaped (`\<hex>  ...`); synced paths have neither.
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match) hashes.set(match[2]!, match[1]!);
  }
  return hashes;
}

/** A sync root inside an E2B sandbox. */
export class E2bFs implements SandboxFs {
  readonly sandbox: Sandbox;
  /** Absolute sandbox path of the root, without a trailing slash. */
  readonly root: string;

  constructor(sandbox: Sandbox, root: string) {
    this.sandbox = sandbox;
    this.root = root.replace(/\/+$/, "") || "/";
  }

  /** The absolute sandbox path of a root-relative path. */
  absolute(path: string): string {
    if (path === "") return this.root;
    return this.root === "/" ? `/${path}` : `${this.root}/${path}`;
  }

  /** The root-relative path of an absolute sandbox path; `undefined` outside the root. */
  relative(absolute: string): string | undefined {
    if (absolute === this.root) return "";
    const prefix = this.root === "/" ? "/" : `${this.root}/`;
    return absolute.startsWith(prefix) ? absolute.slice(prefix.length) : undefined;
  }

  /** An SDK entry as an {@linkcode E2bEntry}; `undefined` when it lies outside the root. */
  toEntry(info: EntryInfo): E2bEntry | undefined {
    const path = this.relative(info.path);
    if (path === undefined) return undefined;
    // envd reports a symlink with its target's type; its mode string starts with "L".
    const symlink = info.symlinkTarget !== undefined || info.permissions?.startsWith("L");
    const kind = symlink
      ? "symlink"
      : info.type === FileType.FILE
      ? "file"
      : info.type === FileType.DIR
      ? "dir"
      : "other";
    return {
      path,
      kind,
      size: info.size,
      mtimeMs: info.modifiedTime?.getTime() ?? 0,
      ino: null,
      mode: syncedMode(info.mode),
      symlinkTarget: info.symlinkTarget ?? null,
    };
  }

  /** The entries directly inside `dir`. */
  list(dir: string): Promise<E2bEntry[]> {
    return this.listTree(dir, 1);
  }

  /**
   * Every entry under `dir` down to `depth` levels, in one RPC (envd lists pre-order and does
   * not descend into symlinked directories).
   */
  async listTree(dir: string, depth: number): Promise<E2bEntry[]> {
    const infos = await this.sandbox.files.list(this.absolute(dir), { depth });
    return infos.map((info) => this.toEntry(info)).filter((entry) => entry !== undefined);
  }

  /** The entry at `path` (a symlink is reported, not followed), or `null`. */
  async stat(path: string): Promise<E2bEntry | null> {
    try {
      return this.toEntry(await this.sandbox.files.getInfo(this.absolute(path))) ?? null;
    } catch (error) {
      if (error instanceof FileNotFoundError) return null;
      throw error;
    }
  }

  /** The bytes of a file as a stream (the caller reads it to the end or cancels it). */
  readStream(path: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    return this.sandbox.files.read(this.absolute(path), { format: "stream", signal });
  }

  /**
   * Random access over streamed reads: envd serves whole files, so reading on from where the
   * last read stopped continues one stream and any other offset reopens it and skips ahead.
   */
  async openRead(path: string): Promise<BlobSource> {
    const entry = await this.stat(path);
    if (!entry || entry.kind !== "file") throw new FileNotFoundError(`${path}: not a file`);
    return new StreamedSource(entry.size, () => this.readStream(path));
  }

  /** Writes a stream into `path` (created or truncated in place: temp + rename is the caller's). */
  async writeStream(path: string, body: ReadableStream<Uint8Array>): Promise<void> {
    await this.sandbox.files.write(this.absolute(path), body);
  }

  /** A writer feeding one streamed upload; `reset` starts the upload over. */
  openWrite(path: string): Promise<FileWriter> {
    return Promise.resolve(new StreamedWriter((body) => this.writeStream(path, body)));
  }

  /** Moves `from` over `to` (envd creates missing parents); returns the moved entry. */
  async move(from: string, to: string): Promise<E2bEntry | undefined> {
    return this.toEntry(await this.sandbox.files.rename(this.absolute(from), this.absolute(to)));
  }

  async rename(from: string, to: string): Promise<void> {
    await this.move(from, to);
  }

  async remove(path: string): Promise<void> {
    await this.sandbox.files.remove(this.absolute(path));
  }

  async mkdir(path: string): Promise<void> {
    await this.sandbox.files.makeDir(this.absolute(path));
  }

  /** Sets permission bits (the SDK has no chmod: a command). */
  chmod(path: string, mode: number): Promise<void> {
    return this.chmodMany([{ path, mode }]);
  }

  /** Sets permission bits of many files, one command per mode and batch. */
  async chmodMany(items: readonly { path: string; mode: number }[]): Promise<void> {
    const byMode = Map.groupBy(items, (item) => permissionBits(item.mode));
    for (const [mode, group] of byMode) {
      for (const batch of commandBatches(group.map((item) => item.path))) {
        await this.#run(`chmod ${mode.toString(8)} -- ${batch.map(shellQuote).join(" ")}`);
      }
    }
  }

  /**
   * SHA-256 of each file, computed inside the sandbox (`sha256sum`, batched). Paths that are
   * missing or unreadable are absent from the answer.
   */
  async hash(paths: readonly string[]): Promise<Map<string, string>> {
    const hashes = new Map<string, string>();
    for (const batch of commandBatches(paths)) {
      const stdout = await this.#run(`sha256sum -- ${batch.map(shellQuote).join(" ")}`, true);
      for (const [path, hash] of parseSha256sum(stdout)) hashes.set(path, hash);
    }
    return hashes;
  }

  /** Which of `dirs` are symlinks (writing through one could leave the root). */
  async symlinks(dirs: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const batch of commandBatches(dirs)) {
      const stdout = await this.#run(
        `for d in ${batch.map(shellQuote).join(" ")}; do ` +
          `if [ -L "$d" ]; then printf '%s\\n' "$d"; fi; done`,
      );
      for (const line of stdout.split("\n")) if (line) found.add(line);
    }
    return found;
  }

  /**
   * Runs a bash script in the root and answers its stdout: one envd request when the script fits
   * on a command line ({@linkcode INLINE_SCRIPT_BYTES}), else two (the script is uploaded under
   * `tempName`, run and removed). A failing exit still yields the stdout.
   */
  async runScript(script: string, tempName: string): Promise<string> {
    if (new TextEncoder().encode(script).byteLength <= INLINE_SCRIPT_BYTES) {
      return await this.#run(script, true);
    }
    await this.sandbox.files.write(this.absolute(tempName), script);
    const file = shellQuote(tempName);
    return await this.#run(`bash ${file}; s=$?; rm -f -- ${file}; exit $s`, true);
  }

  /** Runs `command` in the root; with `partial`, a failing exit still yields its stdout. */
  async #run(command: string, partial = false): Promise<string> {
    try {
      const result = await this.sandbox.commands.run(command, {
        cwd: this.root,
        timeoutMs: COMMAND_TIMEOUT_MS,
      });
      return result.stdout;
    } catch (error) {
      if (partial && error instanceof CommandExitError) return error.stdout;
      throw error;
    }
  }

  /** Native change events under the root (`files.watchDir`, recursive). */
  watch(): FsWatch {
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    let failed: unknown;
    const handle = this.sandbox.files.watchDir(this.root, (event: FilesystemEvent) => {
      queue.push(event.name);
      wake?.();
    }, {
      recursive: true,
      timeoutMs: 0,
      onExit: (error) => {
        if (error) failed = error;
        closed = true;
        wake?.();
      },
    });
    handle.catch((error) => {
      failed = error;
      closed = true;
      wake?.();
    });
    return {
      close() {
        closed = true;
        wake?.();
        handle.then((watch) => watch.stop()).catch(() => {});
      },
      async *[Symbol.asyncIterator](): AsyncIterator<FsEvents> {
        while (true) {
          if (queue.length > 0) {
            const paths = [...new Set(queue.splice(0))];
            yield { paths, overflow: false };
            continue;
          }
          if (failed) throw failed;
          if (closed) return;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
    };
  }
}

/** {@linkcode BlobSource} over reopenable streams. */
class StreamedSource implements BlobSource {
  readonly size: number;
  readonly #open: () => Promise<ReadableStream<Uint8Array>>;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #position = 0;
  #leftover: Uint8Array = new Uint8Array();

  constructor(size: number, open: () => Promise<ReadableStream<Uint8Array>>) {
    this.size = size;
    this.#open = open;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!this.#reader || offset < this.#position) await this.#reopen();
    await this.#skip(offset - this.#position);
    const out = new Uint8Array(Math.max(0, Math.min(length, this.size - offset)));
    let filled = 0;
    while (filled < out.length) {
      const chunk = await this.#next();
      if (!chunk) break;
      const take = Math.min(chunk.length, out.length - filled);
      out.set(chunk.subarray(0, take), filled);
      this.#leftover = chunk.subarray(take);
      filled += take;
    }
    this.#position = offset + filled;
    return filled === out.length ? out : out.subarray(0, filled);
  }

  async close(): Promise<void> {
    await this.#reader?.cancel().catch(() => {});
    this.#reader = undefined;
  }

  async #reopen(): Promise<void> {
    await this.close();
    this.#reader = (await this.#open()).getReader();
    this.#position = 0;
    this.#leftover = new Uint8Array();
  }

  async #skip(count: number): Promise<void> {
    let left = count;
    while (left > 0) {
      const chunk = await this.#next();
      if (!chunk) return;
      const take = Math.min(chunk.length, left);
      this.#leftover = chunk.subarray(take);
      left -= take;
      this.#position += take;
    }
  }

  async #next(): Promise<Uint8Array | undefined> {
    if (this.#leftover.length > 0) {
      const chunk = this.#leftover;
      this.#leftover = new Uint8Array();
      return chunk;
    }
    const { done, value } = await this.#reader!.read();
    return done ? undefined : value;
  }
}

/** {@linkcode FileWriter} that pipes chunks into one streamed upload. */
class StreamedWriter implements FileWriter {
  readonly #upload: (body: ReadableStream<Uint8Array>) => Promise<void>;
  #writer!: WritableStreamDefaultWriter<Uint8Array>;
  #done!: Promise<void>;

  constructor(upload: (body: ReadableStream<Uint8Array>) => Promise<void>) {
    this.#upload = upload;
    this.#start();
  }

  #start(): void {
    const pipe = new TransformStream<Uint8Array, Uint8Array>();
    this.#writer = pipe.writable.getWriter();
    this.#done = this.#upload(pipe.readable);
    // Surfaced by close(); never an unhandled rejection meanwhile.
    this.#done.catch(() => {});
  }

  write(chunk: Uint8Array): Promise<void> {
    return this.#writer.write(chunk);
  }

  async close(): Promise<void> {
    await this.#writer.close();
    await this.#done;
  }

  async reset(): Promise<void> {
    await this.#writer.abort(new Error("upload restarted")).catch(() => {});
    await this.#done.catch(() => {});
    this.#start();
  }
}
