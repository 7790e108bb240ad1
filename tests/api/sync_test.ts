// The sync function end to end over HTTP: negotiate -> upload -> commit -> changes for two
// replicas, long polling, conflicts per strategy, and manifests.
import assert from "node:assert/strict";
import { sha256Hex } from "../../shared/hash.ts";
import type { CommitItemAnswer } from "../../shared/protocol/sync.ts";
import { inlineCommit, newUser, newWorkspace, SIGNED_PUT_SIZE } from "../support/api.ts";

/** An item of the commit answer, as the protocol defines it (camelCase on the wire). */
type CommitItem = CommitItemAnswer;
interface Change {
  seq: number;
  kind: string;
  path: string;
  sha256: string | null;
  deleted: boolean;
  vector: Record<string, number>;
  url?: string;
  replicaId: string;
}

function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return new Uint8Array(await response.arrayBuffer());
}

Deno.test("two replicas sync through negotiate, upload, commit and changes", async () => {
  const { client } = await newUser("sync");
  const { workspaceId, replicas } = await newWorkspace(client, { replicas: 2 });
  const [a, b] = replicas as [string, string];
  const small = new TextEncoder().encode("export const a = 1;\n");
  const medium = randomBytes(SIGNED_PUT_SIZE);
  const changes = [small, medium].map((bytes, i) => ({
    path: i === 0 ? "src/a.ts" : "assets/blob.bin",
    sha256: sha256Hex(bytes),
    size: bytes.byteLength,
    mode: 420,
    mtime: Date.now(),
    base: null,
  }));

  const negotiated = await client.call<
    { uploads: { sha256: string; method: string; url?: string }[] }
  >(
    "POST",
    "sync/negotiate",
    { workspaceId, replicaId: a, changes },
  );
  assert.equal(negotiated.status, 200, JSON.stringify(negotiated.body));
  const methods = Object.fromEntries(negotiated.body.uploads.map((u) => [u.sha256, u.method]));
  assert.equal(methods[changes[0]!.sha256], "inline");
  assert.equal(methods[changes[1]!.sha256], "signed_url");
  const signed = negotiated.body.uploads.find((u) => u.method === "signed_url")!;
  const put = await fetch(signed.url!, { method: "PUT", body: medium });
  assert.ok(put.ok, await put.text());

  const inline = inlineCommit(workspaceId, a, [{ path: "src/a.ts", content: small }]).inline;
  const committed = await client.call<{ items: CommitItem[]; cursor: number }>(
    "POST",
    "sync/commit",
    {
      workspaceId,
      replicaId: a,
      idempotencyKey: crypto.randomUUID(),
      changes,
      inline,
    },
  );
  assert.equal(committed.status, 200, JSON.stringify(committed.body));
  assert.deepEqual(committed.body.items.map((i) => i.outcome), ["applied", "applied"]);

  // Replica B catches up from cursor 0 and gets verified bytes.
  const feed = await client.call<{ changes: Change[]; cursor: number }>(
    "GET",
    `sync/changes?workspaceId=${workspaceId}&cursor=0`,
  );
  assert.equal(feed.status, 200);
  assert.equal(feed.body.changes.length, 2);
  for (const change of feed.body.changes) {
    assert.equal(sha256Hex(await download(change.url!)), change.sha256);
    assert.equal(change.replicaId, a);
  }
  const aChange = feed.body.changes.find((c) => c.path === "src/a.ts")!;

  // B edits on top of A's version: a fast-forward, seen by A after its cursor.
  const edit = inlineCommit(workspaceId, b, [{
    path: "src/a.ts",
    content: "export const a = 2;\n",
    base: aChange.vector,
  }]);
  const bCommit = await client.call<{ items: CommitItem[] }>("POST", "sync/commit", edit);
  assert.equal(bCommit.body.items[0]?.outcome, "applied");
  assert.deepEqual(bCommit.body.items[0]?.vector, { [a]: 1, [b]: 1 });
  const after = await client.call<{ changes: Change[] }>(
    "GET",
    `sync/changes?workspaceId=${workspaceId}&cursor=${committed.body.cursor}`,
  );
  assert.deepEqual(after.body.changes.map((c) => [c.path, c.replicaId]), [["src/a.ts", b]]);
  assert.equal(
    new TextDecoder().decode(await download(after.body.changes[0]!.url!)),
    "export const a = 2;\n",
  );

  // The manifest shows the current state with the journal cursor.
  const manifest = await client.call<{ files: Change[]; cursor: number }>(
    "GET",
    `sync/manifest?workspaceId=${workspaceId}`,
  );
  assert.deepEqual(manifest.body.files.map((f) => f.path), ["assets/blob.bin", "src/a.ts"]);
  assert.equal(manifest.body.cursor, 3);
});

Deno.test("a retried commit with the same idempotency key applies once", async () => {
  const { client } = await newUser("retry");
  const { workspaceId, replicas: [a] } = await newWorkspace(client);
  const body = inlineCommit(workspaceId, a!, [{ path: "x.txt", content: "x" }]);
  const first = await client.call<{ cursor: number }>("POST", "sync/commit", body);
  const second = await client.call<{ cursor: number; replayed: boolean }>(
    "POST",
    "sync/commit",
    body,
  );
  assert.equal(second.status, 200);
  assert.equal(second.body.replayed, true);
  assert.equal(second.body.cursor, first.body.cursor);
  const feed = await client.call<{ changes: Change[] }>(
    "GET",
    `sync/changes?workspaceId=${workspaceId}`,
  );
  assert.equal(feed.body.changes.length, 1);
});

Deno.test("a long poll wakes on a commit before its wait ends", async () => {
  const { client } = await newUser("poll");
  const { workspaceId, replicas: [a] } = await newWorkspace(client);
  const started = performance.now();
  const poll = client.call<{ changes: Change[] }>(
    "GET",
    `sync/changes?workspaceId=${workspaceId}&cursor=0&wait=20`,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  await client.call(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, a!, [{ path: "p.txt", content: "p" }]),
  );
  const answer = await poll;
  const elapsed = performance.now() - started;
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body.changes.map((c) => c.path), ["p.txt"]);
  assert.ok(elapsed < 15_000, `woke after ${elapsed} ms, before the 20 s wait ended`);
});

Deno.test("a long poll with nothing to report ends empty at its wait", async () => {
  const { client } = await newUser("poll-empty");
  const { workspaceId } = await newWorkspace(client);
  const started = performance.now();
  const answer = await client.call<{ changes: Change[]; cursor: number }>(
    "GET",
    `sync/changes?workspaceId=${workspaceId}&cursor=0&wait=1`,
  );
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body.changes, []);
  assert.equal(answer.body.cursor, 0);
  assert.ok(performance.now() - started >= 900);
});

async function concurrentEdits(strategy: string) {
  const { client } = await newUser(strategy);
  const { workspaceId, replicas } = await newWorkspace(client, { strategy, replicas: 2 });
  const [a, b] = replicas as [string, string];
  const base = await client.call<{ items: CommitItem[] }>(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, a!, [{ path: "doc.txt", content: "one\ntwo\nthree\n" }]),
  );
  const vector = base.body.items[0]!.vector;
  const first = await client.call<{ items: CommitItem[] }>(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, a!, [{
      path: "doc.txt",
      content: "ONE\ntwo\nthree\n",
      base: vector,
    }]),
  );
  const second = await client.call<{ items: CommitItem[] }>(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, b!, [{
      path: "doc.txt",
      content: "one\ntwo\nTHREE\n",
      base: vector,
    }]),
  );
  assert.equal(first.body.items[0]?.outcome, "applied");
  const manifest = await client.call<{ files: Change[] }>(
    "GET",
    `sync/manifest?workspaceId=${workspaceId}`,
  );
  const contents = new Map<string, string>();
  for (const file of manifest.body.files) {
    contents.set(file.path, new TextDecoder().decode(await download(file.url!)));
  }
  return { client, workspaceId, second: second.body.items[0]!, contents };
}

Deno.test("last_write_wins: the later commit wins and the loser survives as a conflict copy", async () => {
  const { second, contents } = await concurrentEdits("last_write_wins");
  assert.equal(second.outcome, "applied");
  assert.equal(contents.get("doc.txt"), "one\ntwo\nTHREE\n");
  const copies = [...contents].filter(([path]) => path.includes(".sync-conflict-"));
  assert.equal(copies.length, 1, JSON.stringify([...contents.keys()]));
  assert.equal(copies[0]![1], "ONE\ntwo\nthree\n");
});

Deno.test("user_intervention: the server keeps its version and opens a conflict", async () => {
  const { client, workspaceId, second, contents } = await concurrentEdits("user_intervention");
  assert.equal(second.outcome, "conflict");
  assert.ok(second.conflictId);
  assert.equal(contents.get("doc.txt"), "ONE\ntwo\nthree\n");
  const feed = await client.call<{ changes: Change[] }>(
    "GET",
    `sync/changes?workspaceId=${workspaceId}`,
  );
  assert.ok(feed.body.changes.some((c) => c.kind === "conflict" && c.path === "doc.txt"));
});
