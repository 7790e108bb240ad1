/**
 * envd's `process.Process` Connect service, running real host subprocesses with their
 * working directory inside the sandbox directory: Start (server streaming: a start event
 * with the pid, stdout/stderr data events, an end event shaped like Go's `ProcessState`),
 * List, SendSignal, SendInput and CloseStdin. Commands are not confined (no chroot): they
 * see host paths, so callers should name files relative to `cwd`.
 *
 * A client that goes away stops the stream, not the process (as in envd); a passed
 * `Connect-Timeout-Ms` kills it. PTY sessions are not supported.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { AsyncQueue } from "./async_queue.ts";
import { ConnectError, DeadlineError, type JsonObject, type Method } from "./connect_protocol.ts";
import {
  messageField,
  numberField,
  optionalStringField,
  stringField,
  stringListField,
  stringMapField,
} from "./message_fields.ts";
import { resolveForCall, type SandboxCall } from "./sandbox_call.ts";
import { homeOf } from "./sandbox_paths.ts";

interface RunningProcess {
  readonly child: Deno.ChildProcess;
  readonly config: JsonObject;
  readonly tag: string | undefined;
  readonly sandboxId: string;
  stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
}

/** The processes one stand-in runs, by pid. */
export class ProcessTable {
  readonly #running = new Map<number, RunningProcess>();

  /** Registers a process until `status` settles. */
  add(process: RunningProcess): void {
    this.#running.set(process.child.pid, process);
    process.child.status.finally(() => this.#running.delete(process.child.pid));
  }

  /** The process a `ProcessSelector` (`{ pid }` or `{ tag }`) names in a sandbox. */
  find(sandboxId: string, selector: JsonObject): RunningProcess {
    const pid = numberField(selector, "pid");
    const tag = optionalStringField(selector, "tag");
    for (const process of this.#running.values()) {
      if (process.sandboxId !== sandboxId) continue;
      if ((pid !== 0 && process.child.pid === pid) || (tag !== undefined && process.tag === tag)) {
        return process;
      }
    }
    throw new ConnectError(
      "not_found",
      `process with ${pid ? `pid ${pid}` : `tag ${tag}`} not found`,
    );
  }

  /** The processes of one sandbox. */
  list(sandboxId: string): RunningProcess[] {
    return [...this.#running.values()].filter((process) => process.sandboxId === sandboxId);
  }

  /** Kills every process and waits for them (the stand-in is closing). */
  async killAll(): Promise<void> {
    const all = [...this.#running.values()];
    for (const { child } of all) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    await Promise.allSettled(all.map(({ child }) => child.status));
  }
}

const GO_SIGNAL_NAMES: Record<string, string> = {
  SIGKILL: "killed",
  SIGTERM: "terminated",
  SIGINT: "interrupt",
  SIGHUP: "hangup",
  SIGPIPE: "broken pipe",
};

/** The end event as envd derives it from Go's `exec.Cmd.Wait` and `ProcessState`. */
function endEvent(status: Deno.CommandStatus): JsonObject {
  if (status.signal) {
    const text = `signal: ${GO_SIGNAL_NAMES[status.signal] ?? status.signal.toLowerCase()}`;
    return { exitCode: -1, exited: false, status: text, error: text };
  }
  const text = `exit status ${status.code}`;
  return status.code === 0
    ? { exitCode: 0, exited: true, status: text }
    : { exitCode: status.code, exited: true, status: text, error: text };
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  name: string,
  queue: AsyncQueue<JsonObject>,
) {
  for await (const chunk of stream) {
    queue.push({ event: { data: { [name]: Buffer.from(chunk).toString("base64") } } });
  }
}

function environment(call: SandboxCall, hostHome: string, envs: Record<string, string>) {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: hostHome,
    USER: call.user,
    LOGNAME: call.user,
    LANG: "C.UTF-8",
    E2B_SANDBOX: "true",
    E2B_SANDBOX_ID: call.sandboxId,
    ...envs,
  };
}

function spawn(
  process: JsonObject,
  cwd: string,
  env: Record<string, string>,
  stdin: boolean,
): Deno.ChildProcess {
  const cmd = stringField(process, "cmd");
  try {
    return new Deno.Command(cmd, {
      args: stringListField(process, "args"),
      cwd,
      env,
      clearEnv: true,
      stdin: stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new ConnectError(
      "invalid_argument",
      `error starting process '${cmd}': ${(error as Error).message}`,
    );
  }
}

async function hostDirectory(call: SandboxCall, path: string): Promise<string> {
  const dir = await resolveForCall(call, path, { followLast: true });
  const info = await Deno.stat(dir.hostPath).catch(() => null);
  if (!info?.isDirectory) {
    throw new ConnectError(
      "invalid_argument",
      `error starting process: cwd '${dir.sandboxPath}' is not a directory`,
    );
  }
  return dir.hostPath;
}

function startMethod(table: ProcessTable) {
  return async function* start(message: JsonObject, call: SandboxCall): AsyncIterable<JsonObject> {
    if ("pty" in message && message.pty) {
      throw new ConnectError("unimplemented", "the envd stand-in does not run PTY sessions");
    }
    const config = messageField(message, "process");
    const cwd = await hostDirectory(call, optionalStringField(config, "cwd") ?? homeOf(call.user));
    const hostHome = await hostDirectory(call, homeOf(call.user)).catch(() => cwd);
    const env = environment(call, hostHome, stringMapField(config, "envs"));
    const wantsStdin = message.stdin === true;
    const child = spawn(config, cwd, env, wantsStdin);
    const tag = optionalStringField(message, "tag");
    table.add({
      child,
      config,
      tag,
      sandboxId: call.sandboxId,
      stdin: wantsStdin ? child.stdin.getWriter() : undefined,
    });
    const queue = new AsyncQueue<JsonObject>();
    const onAbort = () => {
      if (call.signal.reason instanceof DeadlineError) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      } else {
        queue.close();
      }
    };
    call.signal.addEventListener("abort", onAbort, { once: true });
    Promise.all([pump(child.stdout, "stdout", queue), pump(child.stderr, "stderr", queue)])
      .then(() => child.status)
      .then((status) => queue.push({ event: { end: endEvent(status) } }))
      .finally(() => queue.end());
    try {
      yield { event: { start: { pid: child.pid } } };
      yield* queue;
    } finally {
      call.signal.removeEventListener("abort", onAbort);
    }
  };
}

function listMethod(table: ProcessTable) {
  return (_message: JsonObject, call: SandboxCall): Promise<JsonObject> => {
    const processes = table.list(call.sandboxId).map(({ child, config, tag }) => ({
      config,
      pid: child.pid,
      ...(tag === undefined ? {} : { tag }),
    }));
    return Promise.resolve({ processes });
  };
}

const SIGNALS: Record<string, Deno.Signal> = {
  SIGNAL_SIGKILL: "SIGKILL",
  "9": "SIGKILL",
  SIGNAL_SIGTERM: "SIGTERM",
  "15": "SIGTERM",
};

function sendSignalMethod(table: ProcessTable) {
  return (message: JsonObject, call: SandboxCall): Promise<JsonObject> => {
    const process = table.find(call.sandboxId, messageField(message, "process"));
    const signal = SIGNALS[String(message.signal)];
    if (!signal) throw new ConnectError("invalid_argument", `unsupported signal ${message.signal}`);
    try {
      process.child.kill(signal);
    } catch (error) {
      throw new ConnectError("internal", `error sending signal: ${(error as Error).message}`);
    }
    return Promise.resolve({});
  };
}

function stdinOf(table: ProcessTable, message: JsonObject, call: SandboxCall) {
  const process = table.find(call.sandboxId, messageField(message, "process"));
  if (!process.stdin) {
    throw new ConnectError("failed_precondition", `process ${process.child.pid} has no stdin`);
  }
  return process;
}

function sendInputMethod(table: ProcessTable) {
  return async (message: JsonObject, call: SandboxCall): Promise<JsonObject> => {
    const process = stdinOf(table, message, call);
    const input = stringField(messageField(message, "input"), "stdin");
    await process.stdin!.write(Buffer.from(input, "base64"));
    return {};
  };
}

function closeStdinMethod(table: ProcessTable) {
  return async (message: JsonObject, call: SandboxCall): Promise<JsonObject> => {
    const process = stdinOf(table, message, call);
    const writer = process.stdin!;
    process.stdin = undefined;
    await writer.close();
    return {};
  };
}

/** The methods of `process.Process` the stand-in serves, over one process table. */
export function processMethods(table: ProcessTable): Record<string, Method<SandboxCall>> {
  return {
    Start: { stream: startMethod(table), keepalive: { event: { keepalive: {} } } },
    List: { unary: listMethod(table) },
    SendSignal: { unary: sendSignalMethod(table) },
    SendInput: { unary: sendInputMethod(table) },
    CloseStdin: { unary: closeStdinMethod(table) },
  };
}
