/**
 * The archive a pull downloads from the sandbox is hostile input: a sandbox (here, a proxy on the
 * bridge's envd port that swaps the archive the sandbox made for a crafted one) may send names
 * that climb out (`../`), absolute names, symlinks, hard links and devices under expected names,
 * wrong sizes, other bytes, second copies, names nobody asked for and sizes larger than the
 * stream. Only regular files the listing expected, of the expected size and hash, are committed;
 * the rest is refused and none of its bytes is stored.
 */
import assert from "node:assert/strict";
import { startEnvdStandin } from "../e2b_standin/standin.ts";
import { type BridgePage, ROOT, sandboxPort, sha256, withBridge } from "./bridge_support.ts";

const encoder = new TextEncoder();

/** One raw tar header (ustar), any name, type and size, checksum filled in. */
function header(name: string, size: number, type: string): Uint8Array {
  const block = new Uint8Array(512);
  block.set(encoder.encode(name).subarray(0, 100));
  block.set(encoder.encode("0000644\0"), 100);
  block.set(encoder.encode(size.toString(8).padStart(11, "0") + "\0"), 124);
  block.fill(0x20, 148, 156);
  block[156] = type.charCodeAt(0);
  block.set(encoder.encode("ustar\u000000"), 257);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.set(encoder.encode(sum.toString(8).padStart(6, "0") + "\0"), 148);
  return block;
}

function member(name: string, text: string, type = "0", size?: number): Uint8Array[] {
  const data = encoder.encode(text);
  const padded = new Uint8Array(Math.ceil(data.byteLength / 512) * 512);
  padded.set(data);
  return [header(name, size ?? data.byteLength, type), padded];
}

function archive(parts: Uint8Array[][], end = true): Uint8Array {
  const flat = parts.flat();
  if (end) flat.push(new Uint8Array(1024));
  const out = new Uint8Array(flat.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of flat) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Forwards to the stand-in, but answers every download of an archive with `crafted`. */
function swappingProxy(port: number, upstream: string, crafted: () => Uint8Array) {
  return Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/files") {
      if (url.searchParams.get("path")?.endsWith(".tar")) {
        const bytes = crafted();
        return new Response(bytes as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": "application/octet-stream" },
        });
      }
    }
    const response = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  });
}

const FILES: Record<string, string> = {
  "a.txt": "good a\n",
  "b.txt": "good b\n",
  "c.txt": "good c\n",
  "d.txt": "good d\n",
  "e.txt": "good e\n",
  "f.txt": "good f\n",
  "g.txt": "good g\n",
};

Deno.test("a crafted archive commits only the expected regular files with the right bytes", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox, standin }) => {
    const { id } = await sandbox(FILES);
    const evil = "evil bytes\n";
    const crafted = () =>
      archive([
        member("../../../../etc/passwd", "root:x:0:0\n"),
        member("/home/user/.bashrc", evil),
        member("./a.txt", FILES["a.txt"]!),
        member("./a.txt", evil), // a second copy of an accepted name
        member("./b.txt", "", "2"), // symlink under an expected name
        member("./c.txt", "good C\n"), // same size, other bytes
        member("./d.txt", "good d and more\n"), // other size
        member("./e.txt", "", "1"), // hard link
        member("./f.txt", "", "3"), // device
        member("./unexpected.txt", evil), // nobody asked for it
        // g.txt never comes
      ]);
    const proxy = swappingProxy(sandboxPort(), standin.url, crafted);
    let page: BridgePage;
    try {
      const answer = await client.call<BridgePage>("POST", "e2b-bridge/pull", {
        workspaceId,
        sandboxId: id,
        root: ROOT,
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      page = answer.body;
    } finally {
      await proxy.shutdown();
    }
    assert.equal(page.pulled, 1);
    assert.deepEqual(
      page.refused.map((r) => [r.path, r.reason]).sort(),
      [
        ["b.txt", "changed_during_pull"],
        ["c.txt", "changed_during_pull"],
        ["d.txt", "changed_during_pull"],
        ["e.txt", "changed_during_pull"],
        ["f.txt", "changed_during_pull"],
        ["g.txt", "vanished"],
      ],
    );
    const files = await sql<{ path: string; sha256: string }[]>`
      select path, sha256 from sandsync.files where workspace_id = ${workspaceId}`;
    assert.deepEqual(files.map((f) => [f.path, f.sha256]), [["a.txt", sha256(FILES["a.txt"]!)]]);
    const stored = await sql<{ sha256: string }[]>`
      select b.sha256 from sandsync.blobs b join sandsync.workspaces w on w.owner_id = b.owner_id
      where w.id = ${workspaceId} and b.state = 'stored'`;
    assert.deepEqual(stored.map((b) => b.sha256), [sha256(FILES["a.txt"]!)], "no other bytes");
  }, { port: 0 }));

Deno.test("an archive that claims more bytes than it has, or ends early, commits what was verified", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox, standin }) => {
    const { id } = await sandbox(FILES);
    const crafted = () =>
      archive([
        member("./a.txt", FILES["a.txt"]!),
        member("./b.txt", FILES["b.txt"]!),
        [header("./c.txt", 2 ** 33, "0"), encoder.encode("good c\n")], // 8 GiB claimed
      ], false);
    const proxy = swappingProxy(sandboxPort(), standin.url, crafted);
    let page: BridgePage;
    try {
      const answer = await client.call<BridgePage>("POST", "e2b-bridge/pull", {
        workspaceId,
        sandboxId: id,
        root: ROOT,
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      page = answer.body;
    } finally {
      await proxy.shutdown();
    }
    assert.equal(page.pulled, 2);
    const refused = new Map(page.refused.map((r) => [r.path, r.reason]));
    assert.equal(refused.get("c.txt"), "changed_during_pull");
    for (const path of ["d.txt", "e.txt", "f.txt", "g.txt"]) {
      assert.equal(refused.get(path), "vanished", path);
    }
    const files = await sql<{ path: string }[]>`
      select path from sandsync.files where workspace_id = ${workspaceId} order by path`;
    assert.deepEqual(files.map((f) => f.path), ["a.txt", "b.txt"]);

    // The sandbox's own archive again: the refused files come on the next pull.
    const direct = await startEnvdStandin({ root: standin.root, port: sandboxPort() });
    try {
      const again = await client.call<BridgePage>("POST", "e2b-bridge/pull", {
        workspaceId,
        sandboxId: id,
        root: ROOT,
      });
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.pulled, 5);
    } finally {
      await direct.close();
    }
  }, { port: 0 }));
