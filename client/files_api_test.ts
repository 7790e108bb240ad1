import assert from "node:assert/strict";
import { isSyncError } from "../shared/protocol/errors.ts";
import { sha256Hex } from "../shared/hash.ts";
import { filesPath, getFile, putFile } from "./files_api.ts";
import { SyncApi } from "./sync_api.ts";

/** A local HTTP server (the seam is HTTP itself) that records requests. */
interface Seen {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string;
}

async function withServer(
  handler: () => Response,
  test: (api: SyncApi, seen: Seen[]) => Promise<void>,
) {
  const seen: Seen[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (request) => {
    const { method, headers } = request;
    seen.push({ method, headers, url: new URL(request.url), body: await request.text() });
    return handler();
  });
  try {
    const api = new SyncApi({
      url: `http://127.0.0.1:${server.addr.port}`,
      token: "jwt",
      retry: { baseDelayMs: 1, attempts: 2 },
    });
    await test(api, seen);
  } finally {
    await server.shutdown();
  }
}

const WS = "5c07a32b-9f19-4206-b920-418ec563f5e5";

Deno.test("filesPath() encodes each segment and keeps the slashes", () => {
  assert.equal(
    filesPath({ workspaceId: WS, path: "src/my file#1.ts" }),
    `files/${WS}/src/my%20file%231.ts`,
  );
});

Deno.test("putFile() sends raw bytes with a quoted If-Match, the replica and the mtime", async () => {
  await withServer(
    () => Response.json({ versionId: "v2", outcome: "applied" }),
    async (api, seen) => {
      const answer = await putFile(api, {
        workspaceId: WS,
        path: "a b.txt",
        content: new TextEncoder().encode("hi\n"),
      }, { ifMatch: "v1", replicaId: "r1", mtime: 1234.5 });
      assert.equal(answer.versionId, "v2");
      const request = seen[0]!;
      assert.equal(request.method, "PUT");
      assert.equal(request.url.pathname, `/functions/v1/files/${WS}/a%20b.txt`);
      assert.equal(request.headers.get("if-match"), '"v1"');
      assert.equal(request.headers.get("x-sandsync-replica"), "r1");
      assert.equal(request.headers.get("x-sandsync-mtime"), "1234");
      assert.equal(request.body, "hi\n");
    },
  );
});

Deno.test("getFile() checks the bytes against x-sandsync-sha256 and refuses a mismatch", async () => {
  let body = "hello\n";
  await withServer(
    () =>
      new Response(body, {
        headers: { "x-sandsync-sha256": sha256Hex("hello\n"), "x-sandsync-version": "v1" },
      }),
    async (api, seen) => {
      const file = await getFile(api, { workspaceId: WS, path: "a.txt", versionId: "v1" });
      assert.equal(new TextDecoder().decode(file.bytes), "hello\n");
      assert.equal(file.versionId, "v1");
      assert.equal(seen[0]!.url.search, "?version=v1");
      body = "tampered\n";
      await assert.rejects(
        getFile(api, { workspaceId: WS, path: "a.txt" }),
        (error) => isSyncError(error, "hash_mismatch"),
      );
    },
  );
});

Deno.test("files calls keep the function's error code (a 412 is final, never retried)", async () => {
  await withServer(
    () =>
      Response.json({ code: "precondition_failed", message: 'Cannot write "a.txt"' }, {
        status: 412,
      }),
    async (api, seen) => {
      await assert.rejects(
        putFile(api, { workspaceId: WS, path: "a.txt", content: new Uint8Array(1) }),
        (error) => isSyncError(error, "precondition_failed"),
      );
      assert.equal(seen.length, 1);
    },
  );
});
