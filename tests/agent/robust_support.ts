/**
 * Helpers of the robustness tests (faults, resumes, kills, large files): content hashes of a
 * whole tree, random file contents, the workspace's rows as the database holds them, and the
 * peak memory of a process.
 *
 * @module
 */
import { join } from "node:path";
import postgres from "postgres";
import { createSha256 } from "../../shared/hash.ts";
import { loadStackEnv } from "../support/stack_env.ts";

/** SHA-256 of every synced file under `dir` (`.sandsync/` left out), by relative path. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    for await (const entry of Deno.readDir(join(dir, rel))) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (path === ".sandsync") continue;
      // An agent's in-flight download (renamed into place or removed any moment) is not content.
      if (entry.name.startsWith(".sandsync-tmp-")) continue;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) {
        try {
          out[path] = await hashPath(join(dir, path));
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error; // deleted while we looked
        }
      }
    }
  };
  await walk("");
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** SHA-256 of one file, read in 4 MiB chunks (memory stays flat for a 1 GiB file). */
export async function hashPath(file: string): Promise<string> {
  const hash = createSha256();
  using handle = await Deno.open(file);
  const buffer = new Uint8Array(4 * 1024 * 1024);
  for (;;) {
    const n = await handle.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
  }
  return hash.digestHex();
}

/** `size` random bytes (getRandomValues caps one call at 64 KiB). */
export function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

/**
 * Writes a file of `size` pseudo-random bytes in 8 MiB blocks without holding it in memory:
 * a 64 MiB random pool, each block taken at a different offset and stamped with its index,
 * so no two blocks are alike (a reordered or repeated chunk changes the hash).
 */
export async function writeLargeFile(file: string, size: number): Promise<void> {
  const block = 8 * 1024 * 1024;
  const pool = randomBytes(64 * 1024 * 1024 + block);
  await Deno.mkdir(join(file, ".."), { recursive: true });
  using handle = await Deno.open(file, { write: true, create: true, truncate: true });
  for (let offset = 0, index = 0; offset < size; offset += block, index++) {
    const start = (index * 7_340_033) % (pool.length - block);
    const chunk = pool.slice(start, start + Math.min(block, size - offset));
    new DataView(chunk.buffer).setFloat64(0, index);
    for (let written = 0; written < chunk.length;) {
      written += await handle.write(chunk.subarray(written));
    }
  }
}

/** What the database holds for a workspace: live paths, versions per path, conflicts. */
export async function workspaceRows(workspaceId: string) {
  const sql = postgres(loadStackEnv().dbUrl, { max: 1, onnotice: () => {} });
  try {
    const files = await sql<{ path: string; sha256: string | null; deleted: boolean }[]>`
      select path, sha256, deleted from sandsync.files where workspace_id = ${workspaceId}`;
    const versions = await sql<{ path: string; sha256: string | null; outcome: string }[]>`
      select path, sha256, outcome from sandsync.versions where workspace_id = ${workspaceId}`;
    const conflicts = await sql<{ path: string; status: string }[]>`
      select path, status from sandsync.conflicts where workspace_id = ${workspaceId}`;
    const live = Object.fromEntries(
      files.filter((f) => !f.deleted).map((f) => [f.path, f.sha256!]).sort(([a], [b]) =>
        a!.localeCompare(b!)
      ),
    );
    return { live, files: [...files], versions: [...versions], conflicts: [...conflicts] };
  } finally {
    await sql.end();
  }
}

/** Peak resident memory (VmHWM) of a running process, in bytes. */
export async function peakRss(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`No VmHWM in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/**
 * Samples a process's VmHWM every `everyMs` until `stop()`, which returns the highest value
 * seen (the high-water mark only grows, so the last sample before exit is close to the peak).
 */
export function trackPeakRss(pid: number, everyMs = 50): { stop(): Promise<number> } {
  let peak = 0;
  let done = false;
  const loop = (async () => {
    while (!done) {
      peak = Math.max(peak, await peakRss(pid).catch(() => 0));
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      done = true;
      await loop;
      return peak;
    },
  };
}
