/**
 * The stand-in's wire format checked byte by byte with plain fetch (what the SDK tests take
 * on trust): Connect unary and streaming framing, error shapes and statuses, envd's HTTP
 * errors, routing on `E2b-Sandbox-Id`.
 */
import assert from "node:assert/strict";
import { envelope } from "./connect_protocol.ts";
import { type EnvdStandin, startEnvdStandin } from "./standin.ts";

async function withStandin(work: (standin: EnvdStandin) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "envd-standin-" });
  const standin = await startEnvdStandin({ root });
  try {
    await standin.createSandbox("s1");
    await work(standin);
  } finally {
    await standin.close();
    await Deno.remove(root, { recursive: true });
  }
}

const SANDBOX = { "e2b-sandbox-id": "s1" };

function unary(standin: EnvdStandin, method: string, body: unknown, headers = SANDBOX) {
  return fetch(`${standin.url}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", "connect-protocol-version": "1", ...headers },
    body: JSON.stringify(body),
  });
}

/** Splits a Connect streaming body into [flags, message] frames. */
function frames(bytes: Uint8Array): Array<[number, Record<string, unknown>]> {
  const out: Array<[number, Record<string, unknown>]> = [];
  let offset = 0;
  while (offset < bytes.length) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + offset + 1, 4).getUint32(0);
    const json = new TextDecoder().decode(bytes.subarray(offset + 5, offset + 5 + length));
    out.push([bytes[offset]!, JSON.parse(json)]);
    offset += 5 + length;
  }
  return out;
}

Deno.test("unary RPCs answer JSON; errors carry a Connect code and its HTTP status", () =>
  withStandin(async (standin) => {
    const made = await unary(standin, "filesystem.Filesystem/MakeDir", { path: "/home/user/d" });
    assert.equal(made.status, 200);
    assert.match(made.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(await made.json(), {
      entry: { name: "d", type: "FILE_TYPE_DIRECTORY", path: "/home/user/d" },
    });
    const again = await unary(standin, "filesystem.Filesystem/MakeDir", { path: "/home/user/d" });
    assert.equal(again.status, 409);
    assert.equal((await again.json()).code, "already_exists");
    const missing = await unary(standin, "filesystem.Filesystem/Stat", { path: "/nope" });
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).code, "not_found");
    const unknown = await unary(standin, "filesystem.Filesystem/CreateWatcher", {});
    assert.equal(unknown.status, 501);
    assert.equal((await unknown.json()).code, "unimplemented");
  }));

Deno.test("Stat answers envd's EntryInfo in proto3 JSON (int64 size as a string)", () =>
  withStandin(async (standin) => {
    await Deno.writeTextFile(`${standin.sandboxDir("s1")}/home/user/f.txt`, "12345");
    await Deno.chmod(`${standin.sandboxDir("s1")}/home/user/f.txt`, 0o640);
    const { entry } =
      await (await unary(standin, "filesystem.Filesystem/Stat", { path: "~/f.txt" }))
        .json();
    assert.deepEqual(
      { ...entry, modifiedTime: typeof entry.modifiedTime },
      {
        name: "f.txt",
        path: "/home/user/f.txt",
        type: "FILE_TYPE_FILE",
        size: "5",
        mode: 0o640,
        permissions: "-rw-r-----",
        owner: "user",
        group: "user",
        modifiedTime: "string",
      },
    );
  }));

Deno.test("a streaming RPC frames every message and ends with an end-of-stream envelope", () =>
  withStandin(async (standin) => {
    const response = await fetch(`${standin.url}/process.Process/Start`, {
      method: "POST",
      headers: { "content-type": "application/connect+json", ...SANDBOX },
      body: envelope(0, { process: { cmd: "/bin/sh", args: ["-c", "printf hi; exit 2"] } }),
    });
    assert.equal(response.headers.get("content-type"), "application/connect+json");
    const got = frames(new Uint8Array(await response.arrayBuffer()));
    const [first, ...rest] = got;
    assert.equal(first![0], 0);
    assert.equal(
      typeof (first![1] as { event: { start: { pid: number } } }).event.start.pid,
      "number",
    );
    assert.deepEqual(rest, [
      [0, { event: { data: { stdout: btoa("hi") } } }],
      [0, {
        event: {
          end: { exitCode: 2, exited: true, status: "exit status 2", error: "exit status 2" },
        },
      }],
      [2, {}],
    ]);
  }));

Deno.test("a streaming error is an end-of-stream envelope with the error, under HTTP 200", () =>
  withStandin(async (standin) => {
    const response = await fetch(`${standin.url}/filesystem.Filesystem/WatchDir`, {
      method: "POST",
      headers: { "content-type": "application/connect+json", ...SANDBOX },
      body: envelope(0, { path: "/missing" }),
    });
    assert.equal(response.status, 200);
    const [[flags, message]] = frames(new Uint8Array(await response.arrayBuffer())) as [
      [number, { error: { code: string } }],
    ];
    assert.equal(flags, 2);
    assert.equal(message.error.code, "not_found");
  }));

Deno.test("/files errors use envd's { code, message } and the routing header is required", () =>
  withStandin(async (standin) => {
    const missing = await fetch(`${standin.url}/files?path=/nope.txt`, { headers: SANDBOX });
    assert.deepEqual([missing.status, (await missing.json()).code], [404, 404]);
    const directory = await fetch(`${standin.url}/files?path=/home`, { headers: SANDBOX });
    assert.deepEqual([directory.status, (await directory.json()).code], [400, 400]);
    const badType = await fetch(`${standin.url}/files?path=/a`, {
      method: "POST",
      headers: { "content-type": "text/plain", ...SANDBOX },
      body: "x",
    });
    assert.equal(badType.status, 400);
    await badType.body?.cancel();
    const noHeader = await fetch(`${standin.url}/files?path=/a`);
    assert.equal(noHeader.status, 400);
    await noHeader.body?.cancel();
    const ghost = await fetch(`${standin.url}/files?path=/a`, {
      headers: { "e2b-sandbox-id": "ghost" },
    });
    assert.deepEqual([ghost.status, (await ghost.json()).sandboxId], [502, "ghost"]);
    const health = await fetch(`${standin.url}/health`);
    assert.equal(health.status, 204);
    await health.body?.cancel();
  }));

Deno.test("a quiet stream sends keepalives at the Keepalive-Ping-Interval", () =>
  withStandin(async (standin) => {
    const response = await fetch(`${standin.url}/filesystem.Filesystem/WatchDir`, {
      method: "POST",
      headers: {
        "content-type": "application/connect+json",
        "keepalive-ping-interval": "0.05",
        ...SANDBOX,
      },
      body: envelope(0, { path: "/home/user" }),
    });
    const reader = response.body!.getReader();
    let bytes = new Uint8Array();
    const seen = () =>
      frames(bytes.subarray(0, completeLength(bytes))).map(([, message]) => message);
    while (seen().length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes = new Uint8Array([...bytes, ...value]);
    }
    await reader.cancel();
    assert.deepEqual(seen().slice(0, 3), [{ start: {} }, { keepalive: {} }, { keepalive: {} }]);
  }));

Deno.test("Connect-Timeout-Ms kills a command and ends its stream with deadline_exceeded", () =>
  withStandin(async (standin) => {
    const started = Date.now();
    const response = await fetch(`${standin.url}/process.Process/Start`, {
      method: "POST",
      headers: {
        "content-type": "application/connect+json",
        "connect-timeout-ms": "200",
        ...SANDBOX,
      },
      body: envelope(0, { process: { cmd: "sleep", args: ["5"] } }),
    });
    const got = frames(new Uint8Array(await response.arrayBuffer()));
    assert.ok(Date.now() - started < 3000, "the command outlived its deadline");
    assert.deepEqual(got.slice(1), [
      [0, {
        event: {
          end: { exitCode: -1, exited: false, status: "signal: killed", error: "signal: killed" },
        },
      }],
      [2, { error: { code: "deadline_exceeded", message: "Deadline of 200 ms exceeded" } }],
    ]);
  }));

/** The length of the complete frames at the start of `bytes`. */
function completeLength(bytes: Uint8Array): number {
  let offset = 0;
  while (offset + 5 <= bytes.length) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + offset + 1, 4).getUint32(0);
    if (offset + 5 + length > bytes.length) break;
    offset += 5 + length;
  }
  return offset;
}
