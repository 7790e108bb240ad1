import assert from "node:assert/strict";
import { isSyncError } from "../shared/protocol/errors.ts";
import { SyncApi } from "./sync_api.ts";

/** A local HTTP server answering from a script of statuses (the seam is HTTP itself). */
async function withServer(
  answers: { status: number; body: unknown }[],
  test: (url: string, seen: string[]) => Promise<void>,
) {
  const seen: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    seen.push(new URL(request.url).pathname);
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
    return Response.json(answer.body, { status: answer.status });
  });
  try {
    await test(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

Deno.test("SyncApi sends an agent token with the anon key, a user token as bearer", () => {
  const agent = new SyncApi({ url: "http://x/", anonKey: "anon", token: "sst_abc" });
  assert.deepEqual(agent.authHeaders(), {
    authorization: "Bearer anon",
    apikey: "anon",
    "x-sandsync-token": "sst_abc",
  });
  const user = new SyncApi({ url: "http://x", token: "jwt" });
  assert.deepEqual(user.authHeaders(), { authorization: "Bearer jwt" });
  assert.throws(() => new SyncApi({ url: "http://x", token: "sst_abc" }), TypeError);
});

Deno.test("SyncApi retries 503 and WORKER_LIMIT (546), then returns the answer", async () => {
  await withServer([
    { status: 503, body: { code: "service_unavailable", message: "Service unavailable: x" } },
    { status: 546, body: { code: "WORKER_LIMIT", message: "limit" } },
    { status: 200, body: { workspaces: [{ id: "w" }] } },
  ], async (url, seen) => {
    const api = new SyncApi({ url, token: "jwt", retry: { baseDelayMs: 1 } });
    const list = await api.listWorkspaces();
    assert.equal(list[0]?.id, "w");
    assert.equal(seen.length, 3);
    assert.equal(seen[0], "/functions/v1/workspaces");
  });
});

Deno.test("SyncApi never retries a 4xx and keeps its stable code", async () => {
  await withServer([
    { status: 409, body: { code: "version_conflict", message: 'Cannot commit "a"' } },
  ], async (url, seen) => {
    const api = new SyncApi({ url, token: "jwt", retry: { baseDelayMs: 1 } });
    await assert.rejects(
      api.negotiate({ workspaceId: crypto.randomUUID(), replicaId: "r", changes: [] }),
      (error) => isSyncError(error, "version_conflict"),
    );
    assert.equal(seen.length, 1);
  });
});

Deno.test("SyncApi moves the Storage URLs it is handed onto its own project URL", async () => {
  const elsewhere = "http://10.9.8.7:54321/storage/v1";
  await withServer([
    {
      status: 200,
      body: {
        workspaceId: "w",
        present: [],
        uploads: [
          { sha256: "a", size: 1, method: "inline" },
          { sha256: "b", size: 9, method: "signed_url", key: "k", url: `${elsewhere}/x?token=t` },
          {
            sha256: "c",
            size: 9,
            method: "tus",
            key: "k",
            endpoint: `${elsewhere}/upload/resumable/sign`,
            bucket: "sync",
            signature: "s",
            chunkSize: 6,
          },
        ],
      },
    },
    {
      status: 200,
      body: {
        workspaceId: "w",
        cursor: 2,
        hasMore: false,
        changes: [{ path: "p", url: `${elsewhere}/object/sign/sync/k?token=t` }, { path: "q" }],
      },
    },
  ], async (url) => {
    const api = new SyncApi({ url, token: "jwt" });
    const plan = await api.negotiate({
      workspaceId: crypto.randomUUID(),
      replicaId: "r",
      changes: [],
    });
    assert.deepEqual(
      plan.uploads.map((u) =>
        u.method === "signed_url" ? u.url : u.method === "tus" ? u.endpoint : u.method
      ),
      [
        "inline",
        `${url}/storage/v1/x?token=t`,
        `${url}/storage/v1/upload/resumable/sign`,
      ],
    );
    const page = await api.changes({ workspaceId: "w", cursor: 0 });
    assert.deepEqual(page.changes.map((c) => c.url), [
      `${url}/storage/v1/object/sign/sync/k?token=t`,
      undefined,
    ]);
  });
});
