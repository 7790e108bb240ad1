/**
 * envd's `filesystem.Filesystem` Connect service over a sandbox directory: Stat, ListDir
 * (with depth, pre-order, names sorted, symlinked directories not descended), MakeDir,
 * Move, Remove and WatchDir (server streaming over `Deno.watchFs`). Codes and messages
 * follow envd: a missing path is `not_found`, an existing directory on MakeDir
 * `already_exists`, a file where a directory is needed `invalid_argument`.
 *
 * @module
 */
import { dirname, join, relative } from "node:path";
import { ConnectError, type JsonObject, type Method } from "./connect_protocol.ts";
import { entryInfo } from "./entry_info.ts";
import { booleanField, numberField, stringField } from "./message_fields.ts";
import { resolveForCall, type SandboxCall } from "./sandbox_call.ts";
import type { ResolvedPath } from "./sandbox_paths.ts";

function notFoundOr(error: unknown, message: string): never {
  if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
    throw new ConnectError("not_found", `${message}: ${(error as Error).message}`);
  }
  throw error;
}

async function directory(call: SandboxCall, path: string): Promise<ResolvedPath> {
  const dir = await resolveForCall(call, path, { followLast: true });
  const info = await Deno.stat(dir.hostPath).catch((error) =>
    notFoundOr(error, `directory not found: ${dir.sandboxPath}`)
  );
  if (!info.isDirectory) {
    throw new ConnectError("invalid_argument", `path is not a directory: ${dir.sandboxPath}`);
  }
  return dir;
}

async function stat(message: JsonObject, call: SandboxCall): Promise<JsonObject> {
  const target = await resolveForCall(call, stringField(message, "path"), { followLast: false });
  const entry = await entryInfo(call.sandboxRoot, target.sandboxPath, target.hostPath, call.user)
    .catch((error) => notFoundOr(error, `file not found: ${target.sandboxPath}`));
  return { entry };
}

async function walk(
  call: SandboxCall,
  dir: ResolvedPath,
  level: number,
  depth: number,
  entries: JsonObject[],
): Promise<void> {
  const children: Deno.DirEntry[] = [];
  for await (const child of Deno.readDir(dir.hostPath)) children.push(child);
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) {
    const sandboxPath = dir.sandboxPath === "/"
      ? `/${child.name}`
      : `${dir.sandboxPath}/${child.name}`;
    const hostPath = join(dir.hostPath, child.name);
    entries.push(await entryInfo(call.sandboxRoot, sandboxPath, hostPath, call.user));
    if (child.isDirectory && level < depth) {
      await walk(call, { sandboxPath, hostPath }, level + 1, depth, entries);
    }
  }
}

async function listDir(message: JsonObject, call: SandboxCall): Promise<JsonObject> {
  const depth = numberField(message, "depth") || 1;
  const dir = await directory(call, stringField(message, "path"));
  const entries: JsonObject[] = [];
  await walk(call, dir, 1, depth, entries);
  return { entries };
}

async function makeDir(message: JsonObject, call: SandboxCall): Promise<JsonObject> {
  const dir = await resolveForCall(call, stringField(message, "path"), { followLast: true });
  const existing = await Deno.stat(dir.hostPath).catch(() => null);
  if (existing?.isDirectory) {
    throw new ConnectError("already_exists", `directory already exists: ${dir.sandboxPath}`);
  }
  if (existing) {
    throw new ConnectError(
      "invalid_argument",
      `path already exists but it is not a directory: ${dir.sandboxPath}`,
    );
  }
  try {
    await Deno.mkdir(dir.hostPath, { recursive: true });
  } catch (error) {
    throw new ConnectError("internal", `error creating directory: ${(error as Error).message}`);
  }
  const name = dir.sandboxPath.slice(dir.sandboxPath.lastIndexOf("/") + 1);
  return { entry: { name, type: "FILE_TYPE_DIRECTORY", path: dir.sandboxPath } };
}

async function move(message: JsonObject, call: SandboxCall): Promise<JsonObject> {
  const source = await resolveForCall(call, stringField(message, "source"), { followLast: false });
  const destination = await resolveForCall(call, stringField(message, "destination"), {
    followLast: false,
  });
  if (source.sandboxPath === "/" || destination.sandboxPath === "/") {
    throw new ConnectError("invalid_argument", "cannot move the sandbox root");
  }
  try {
    await Deno.mkdir(dirname(destination.hostPath), { recursive: true });
    await Deno.rename(source.hostPath, destination.hostPath);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ConnectError("not_found", `source file not found: ${source.sandboxPath}`);
    }
    throw new ConnectError("internal", `error renaming: ${(error as Error).message}`);
  }
  const entry = await entryInfo(
    call.sandboxRoot,
    destination.sandboxPath,
    destination.hostPath,
    call.user,
  );
  return { entry };
}

async function remove(message: JsonObject, call: SandboxCall): Promise<JsonObject> {
  const target = await resolveForCall(call, stringField(message, "path"), { followLast: false });
  if (target.sandboxPath === "/") {
    throw new ConnectError("invalid_argument", "cannot remove the sandbox root");
  }
  // envd uses os.RemoveAll: removing what is not there succeeds.
  await Deno.remove(target.hostPath, { recursive: true }).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return;
    throw new ConnectError("internal", `error removing file or directory: ${error.message}`);
  });
  return {};
}

const EVENT_TYPES: Partial<Record<Deno.FsEvent["kind"], string>> = {
  create: "EVENT_TYPE_CREATE",
  modify: "EVENT_TYPE_WRITE",
  remove: "EVENT_TYPE_REMOVE",
  rename: "EVENT_TYPE_RENAME",
};

/** One FsEvent as envd's (name, type) pairs; a rename with two paths is rename + create. */
function eventsOf(event: Deno.FsEvent): Array<{ hostPath: string; type: string }> {
  const type = EVENT_TYPES[event.kind];
  if (!type) return [];
  if (event.kind === "rename" && event.paths.length === 2) {
    return [
      { hostPath: event.paths[0]!, type },
      { hostPath: event.paths[1]!, type: "EVENT_TYPE_CREATE" },
    ];
  }
  return event.paths.map((hostPath) => ({ hostPath, type }));
}

async function* watchDir(message: JsonObject, call: SandboxCall): AsyncIterable<JsonObject> {
  const dir = await directory(call, stringField(message, "path"));
  const recursive = booleanField(message, "recursive");
  const includeEntry = booleanField(message, "includeEntry");
  const watcher = Deno.watchFs(dir.hostPath, { recursive });
  const stop = () => {
    try {
      watcher.close();
    } catch { /* already closed */ }
  };
  call.signal.addEventListener("abort", stop, { once: true });
  try {
    yield { start: {} };
    for await (const event of watcher) {
      for (const { hostPath, type } of eventsOf(event)) {
        const name = relative(dir.hostPath, hostPath);
        if (name === "" || name.startsWith("..") || (!recursive && name.includes("/"))) continue;
        const filesystem: JsonObject = { name, type };
        if (includeEntry) {
          const sandboxPath = `${dir.sandboxPath === "/" ? "" : dir.sandboxPath}/${name}`;
          const entry = await entryInfo(call.sandboxRoot, sandboxPath, hostPath, call.user)
            .catch(() => undefined);
          if (entry) filesystem.entry = entry;
        }
        yield { filesystem };
      }
    }
  } finally {
    call.signal.removeEventListener("abort", stop);
    stop();
  }
}

/** The methods of `filesystem.Filesystem` the stand-in serves, by method name. */
export const FILESYSTEM_METHODS: Record<string, Method<SandboxCall>> = {
  Stat: { unary: stat },
  ListDir: { unary: listDir },
  MakeDir: { unary: makeDir },
  Move: { unary: move },
  Remove: { unary: remove },
  WatchDir: { stream: watchDir, keepalive: { keepalive: {} } },
};
