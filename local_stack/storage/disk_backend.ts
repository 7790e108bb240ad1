/**
 * Bytes on disk. Each stored version of an object is one file named by its version uuid, so
 * keys never reach the filesystem and an overwrite never touches the bytes a reader may be
 * streaming. Writes go to a temp file that is renamed into place once complete.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ERRORS } from "./errors.ts";

/** What a write stored. */
export interface StoredBytes {
  readonly size: number;
  /** S3-style ETag: the quoted MD5 of the bytes. */
  readonly eTag: string;
}

/** A byte range, both ends inclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Where object bytes live; the domain class only sees this interface. */
export interface StorageBackend {
  /** Streams `body` into a new version, refusing more than `limit` bytes (EntityTooLarge). */
  write(version: string, body: ReadableStream<Uint8Array>, limit: number): Promise<StoredBytes>;
  /** Moves a finished file (a TUS upload) into place as `version`. */
  adopt(version: string, file: string): Promise<StoredBytes>;
  /** Streams a version's bytes, whole or a range of them. */
  read(version: string, range?: ByteRange): Promise<ReadableStream<Uint8Array>>;
  /** Copies a version's bytes to a new version. */
  copy(from: string, to: string): Promise<void>;
  /** Removes versions; missing ones are ignored. */
  remove(versions: readonly string[]): Promise<void>;
}

const VERSION = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** {@linkcode StorageBackend} on a local directory. */
export class DiskBackend implements StorageBackend {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  /** Creates the directories the backend needs. */
  async init(): Promise<void> {
    await Deno.mkdir(join(this.#root, "objects"), { recursive: true });
    await Deno.mkdir(join(this.#root, "tmp"), { recursive: true });
  }

  #path(version: string): string {
    if (!VERSION.test(version)) throw ERRORS.internal(new Error(`Bad version "${version}"`));
    return join(this.#root, "objects", version.slice(0, 2), version);
  }

  async write(
    version: string,
    body: ReadableStream<Uint8Array>,
    limit: number,
  ): Promise<StoredBytes> {
    const target = this.#path(version);
    const temp = join(this.#root, "tmp", `${version}.${crypto.randomUUID()}`);
    const file = await Deno.open(temp, { write: true, createNew: true });
    const md5 = createHash("md5");
    let size = 0;
    try {
      const writer = file.writable.getWriter();
      try {
        for await (const chunk of body) {
          size += chunk.byteLength;
          if (size > limit) throw ERRORS.entityTooLarge();
          md5.update(chunk);
          await writer.write(chunk);
        }
        await writer.close();
      } catch (error) {
        await writer.abort(error).catch(() => {});
        throw error;
      }
      await Deno.mkdir(join(target, ".."), { recursive: true });
      await Deno.rename(temp, target);
      return { size, eTag: `"${md5.digest("hex")}"` };
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      await body.cancel().catch(() => {});
      throw error;
    }
  }

  async adopt(version: string, file: string): Promise<StoredBytes> {
    const target = this.#path(version);
    await Deno.mkdir(join(target, ".."), { recursive: true });
    await Deno.rename(file, target);
    const md5 = createHash("md5");
    let size = 0;
    for await (const chunk of (await Deno.open(target)).readable) {
      size += chunk.byteLength;
      md5.update(chunk);
    }
    return { size, eTag: `"${md5.digest("hex")}"` };
  }

  async read(version: string, range?: ByteRange): Promise<ReadableStream<Uint8Array>> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.#path(version));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw ERRORS.noSuchKey(version, error);
      throw error;
    }
    if (!range) return file.readable;
    await file.seek(range.start, Deno.SeekMode.Start);
    let left = range.end - range.start + 1;
    return file.readable.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (left <= 0) return;
          const part = chunk.byteLength > left ? chunk.subarray(0, left) : chunk;
          left -= part.byteLength;
          controller.enqueue(part);
          if (left <= 0) controller.terminate();
        },
      }),
    );
  }

  async copy(from: string, to: string): Promise<void> {
    const target = this.#path(to);
    const temp = join(this.#root, "tmp", `${to}.${crypto.randomUUID()}`);
    await Deno.mkdir(join(target, ".."), { recursive: true });
    try {
      await Deno.copyFile(this.#path(from), temp);
      await Deno.rename(temp, target);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      if (error instanceof Deno.errors.NotFound) throw ERRORS.noSuchKey(from, error);
      throw error;
    }
  }

  async remove(versions: readonly string[]): Promise<void> {
    for (const version of versions) {
      await Deno.remove(this.#path(version)).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
  }
}
