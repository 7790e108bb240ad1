/**
 * The `files` function over HTTP against the local stack: upload, streamed download with ETag,
 * If-None-Match and Range, If-Match, delete, history, diff, a 5 MB binary, quota, access and
 * bad paths. Every refusal is checked to leave nothing behind (rows, blobs, reservations).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Hex } from "../../shared/hash.ts";
import { ApiClient, inlineCommit, newUser, newWorkspace, SIGNED_PUT_SIZE } from "../support/api.ts";
import { asService, connect, type Sql } from "../db/db_support.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** The URL path of a file, each segment percent-encoded. */
function fileUrl(workspaceId: string, path: string, query = ""): string {
  return `files/${workspaceId}/${path.split("/").map(encodeURIComponent).join("/")}${query}`;
}

/** A raw request to a function (bytes in, Response out: the caller reads or cancels the body). */
function send(
  client: ApiClient,
  method: string,
  url: string,
  options: { body?: Uint8Array; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${client.env.apiUrl}/functions/v1/${url}`, {
    method,
    headers: {
      authorization: `Bearer ${client.bearer}`,
      ...client.extraHeaders,
      ...options.headers,
    },
    body: options.body as BodyInit | undefined,
  });
}

async function put(
  client: ApiClient,
  workspaceId: string,
  path: string,
  content: string | Uint8Array,
  headers: Record<string, string> = {},
) {
  const response = await send(client, "PUT", fileUrl(workspaceId, path), {
    body: typeof content === "string" ? text(content) : content,
    headers,
  });
  return {
    status: response.status,
    etag: response.headers.get("etag"),
    body: await response.json() as Record<string, unknown>,
  };
}

async function getBytes(
  client: ApiClient,
  workspaceId: string,
  path: string,
  headers: Record<string, string> = {},
  query = "",
) {
  const response = await send(client, "GET", fileUrl(workspaceId, path, query), { headers });
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

async function getJson(client: ApiClient, url: string) {
  const response = await send(client, "GET", url);
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

/** What a workspace and its owner hold in the database (for "nothing changed" checks). */
async function footprint(sql: Sql, workspaceId: string, owner: string) {
  const [row] = await sql<
    { files: number; versions: number; blobs: number; reservations: number; reserved: number }[]
  >`
    select
      (select count(*)::int from sandsync.files where workspace_id = ${workspaceId}) as files,
      (select count(*)::int from sandsync.versions where workspace_id = ${workspaceId}) as versions,
      (select count(*)::int from sandsync.blobs where owner_id = ${owner}) as blobs,
      (select count(*)::int from sandsync.reservations where owner_id = ${owner}) as reservations,
      (select coalesce(sum(reserved_bytes), 0)::int from sandsync.quotas
        where owner_id = ${owner}) as reserved`;
  const [objects] = await sql<{ n: number }[]>`
    select count(*)::int as n from storage.objects
    where bucket_id = 'sandsync' and name like ${owner + "/%"}`;
  return { ...row!, objects: objects!.n };
}

function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

Deno.test("files: PUT then GET round-trips bytes with the version as ETag", async () => {
  const { client } = await newUser("files-rt");
  const { workspaceId } = await newWorkspace(client);
  const first = await put(client, workspaceId, "src/hello world.txt", "hello\n");
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.outcome, "applied");
  assert.equal(first.body.sha256, sha256Hex("hello\n"));
  assert.equal(first.body.size, 6);
  assert.equal(first.body.previousVersionId, null);
  assert.equal(first.etag, `"${first.body.versionId}"`);

  const got = await getBytes(client, workspaceId, "src/hello world.txt");
  assert.equal(got.response.status, 200);
  assert.deepEqual(got.bytes, text("hello\n"));
  assert.equal(got.response.headers.get("etag"), first.etag);
  assert.equal(got.response.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(got.response.headers.get("x-sandsync-sha256"), sha256Hex("hello\n"));

  const second = await put(client, workspaceId, "src/hello world.txt", "hello again\n");
  assert.equal(second.status, 200);
  assert.equal(second.body.previousVersionId, first.body.versionId);
  assert.notEqual(second.body.versionId, first.body.versionId);
  const again = await getBytes(client, workspaceId, "src/hello world.txt");
  assert.deepEqual(again.bytes, text("hello again\n"));
  assert.equal(again.response.headers.get("etag"), second.etag);

  const head = await send(client, "HEAD", fileUrl(workspaceId, "src/hello world.txt"));
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), "12");
  assert.equal(head.headers.get("etag"), second.etag);
  assert.equal((await head.arrayBuffer()).byteLength, 0);

  // The same replica (derived per workspace and user) wrote both versions: one vector key.
  assert.deepEqual(Object.keys(second.body.vector as object), [second.body.replicaId]);
  assert.equal(second.body.replicaId, first.body.replicaId);
  // An unchanged PUT is no new version.
  const same = await put(client, workspaceId, "src/hello world.txt", "hello again\n");
  assert.equal(same.body.outcome, "merged");
  assert.equal(same.body.versionId, second.body.versionId);
});

Deno.test("files: If-None-Match answers 304 and Range answers 206 or 416", async () => {
  const { client } = await newUser("files-cond");
  const { workspaceId } = await newWorkspace(client);
  const written = await put(client, workspaceId, "data/digits.bin", "0123456789");

  const cached = await getBytes(client, workspaceId, "data/digits.bin", {
    "if-none-match": written.etag!,
  });
  assert.equal(cached.response.status, 304);
  assert.equal(cached.bytes.byteLength, 0);
  assert.equal(cached.response.headers.get("etag"), written.etag);
  const stale = await getBytes(client, workspaceId, "data/digits.bin", {
    "if-none-match": `"${crypto.randomUUID()}"`,
  });
  assert.equal(stale.response.status, 200);
  assert.equal(stale.response.headers.get("content-type"), "application/octet-stream");

  const part = await getBytes(client, workspaceId, "data/digits.bin", { range: "bytes=2-5" });
  assert.equal(part.response.status, 206);
  assert.equal(part.response.headers.get("content-range"), "bytes 2-5/10");
  assert.equal(new TextDecoder().decode(part.bytes), "2345");
  const tail = await getBytes(client, workspaceId, "data/digits.bin", { range: "bytes=-3" });
  assert.equal(tail.response.status, 206);
  assert.equal(new TextDecoder().decode(tail.bytes), "789");

  const beyond = await getBytes(client, workspaceId, "data/digits.bin", { range: "bytes=10-" });
  assert.equal(beyond.response.status, 416);
  assert.equal(beyond.response.headers.get("content-range"), "bytes */10");
  assert.equal(JSON.parse(new TextDecoder().decode(beyond.bytes)).code, "range_not_satisfiable");
});

Deno.test("files: a stale If-Match is refused with 412 and changes nothing", async () => {
  const sql = connect(1);
  try {
    const { id, client } = await newUser("files-ifmatch");
    const { workspaceId } = await newWorkspace(client);
    const v1 = await put(client, workspaceId, "notes.md", "one\n");
    const v2 = await put(client, workspaceId, "notes.md", "two\n", { "if-match": v1.etag! });
    assert.equal(v2.status, 200, JSON.stringify(v2.body));
    const before = await footprint(sql, workspaceId, id);
    const [head] = await sql<{ cursor: string }[]>`
      select last_seq as cursor from sandsync.workspaces where id = ${workspaceId}`;

    const stale = await put(client, workspaceId, "notes.md", "three\n", { "if-match": v1.etag! });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.code, "precondition_failed");
    const staleDelete = await send(client, "DELETE", fileUrl(workspaceId, "notes.md"), {
      headers: { "if-match": v1.etag! },
    });
    assert.equal(staleDelete.status, 412);
    await staleDelete.body?.cancel();
    // If-None-Match: * means "only if there is no such file".
    const create = await put(client, workspaceId, "notes.md", "four\n", { "if-none-match": "*" });
    assert.equal(create.status, 412);

    assert.deepEqual(await footprint(sql, workspaceId, id), before);
    const [after] = await sql<{ cursor: string }[]>`
      select last_seq as cursor from sandsync.workspaces where id = ${workspaceId}`;
    assert.equal(after!.cursor, head!.cursor);
    const current = await getBytes(client, workspaceId, "notes.md");
    assert.deepEqual(current.bytes, text("two\n"));
    assert.equal(current.response.headers.get("etag"), v2.etag);
  } finally {
    await sql.end();
  }
});

Deno.test("files: of concurrent PUTs with the same If-Match exactly one wins", async () => {
  const { client } = await newUser("files-race");
  const { workspaceId } = await newWorkspace(client);
  const base = await put(client, workspaceId, "race.txt", "base\n");
  const attempts = await Promise.all(
    Array.from(
      { length: 6 },
      (_, i) => put(client, workspaceId, "race.txt", `writer ${i}\n`, { "if-match": base.etag! }),
    ),
  );
  const statuses = attempts.map((attempt) => attempt.status).sort();
  assert.deepEqual(statuses, [200, 412, 412, 412, 412, 412]);
  const winner = attempts.find((attempt) => attempt.status === 200)!;
  const current = await getBytes(client, workspaceId, "race.txt");
  assert.equal(current.response.headers.get("etag"), winner.etag);
  const history = await getJson(client, fileUrl(workspaceId, "race.txt", "?history"));
  assert.equal((history.body.versions as unknown[]).length, 2);
});

Deno.test("files: a PUT shows in sync/changes and sync/manifest; a named replica is used", async () => {
  const { client } = await newUser("files-feed");
  const { workspaceId, replicas } = await newWorkspace(client, { replicas: 1 });
  const agent = replicas[0]!;
  const written = await put(client, workspaceId, "app/main.py", "print('hi')\n", {
    "x-sandsync-replica": agent,
    "x-sandsync-mtime": "1700000000000",
  });
  assert.equal(written.status, 201, JSON.stringify(written.body));
  assert.equal(written.body.replicaId, agent);

  const changes = await client.call<{ changes: Record<string, unknown>[]; cursor: number }>(
    "GET",
    `sync/changes?workspaceId=${workspaceId}&cursor=0`,
  );
  assert.equal(changes.status, 200);
  const entry = changes.body.changes.find((change) => change.path === "app/main.py");
  assert.ok(entry, JSON.stringify(changes.body));
  assert.equal(entry.versionId, written.body.versionId);
  assert.equal(entry.sha256, written.body.sha256);
  assert.equal(entry.replicaId, agent);
  assert.equal(entry.mtime, 1700000000000);
  assert.equal(changes.body.cursor, written.body.cursor);

  const manifest = await client.call<{ files: Record<string, unknown>[] }>(
    "GET",
    `sync/manifest?workspaceId=${workspaceId}`,
  );
  assert.equal(manifest.status, 200);
  assert.deepEqual(
    manifest.body.files.map((file) => [file.path, file.versionId]),
    [["app/main.py", written.body.versionId]],
  );

  const unknownReplica = await put(client, workspaceId, "app/other.py", "x", {
    "x-sandsync-replica": crypto.randomUUID(),
  });
  assert.equal(unknownReplica.status, 404);
  assert.equal(unknownReplica.body.code, "replica_not_found");
  const badMtime = await put(client, workspaceId, "app/other.py", "x", {
    "x-sandsync-mtime": "yesterday",
  });
  assert.equal(badMtime.status, 400);
  assert.equal(badMtime.body.code, "validation_failed");
});

Deno.test("files: DELETE commits a tombstone; GET is 404, history and ?version keep the bytes", async () => {
  const { client } = await newUser("files-del");
  const { workspaceId } = await newWorkspace(client);
  const written = await put(client, workspaceId, "tmp/scratch.txt", "scratch\n");
  const deleted = await send(client, "DELETE", fileUrl(workspaceId, "tmp/scratch.txt"));
  const body = await deleted.json();
  assert.equal(deleted.status, 200, JSON.stringify(body));
  assert.equal(body.deleted, true);
  assert.equal(body.outcome, "applied");
  assert.equal(body.previousVersionId, written.body.versionId);

  const gone = await getBytes(client, workspaceId, "tmp/scratch.txt");
  assert.equal(gone.response.status, 404);
  assert.equal(JSON.parse(new TextDecoder().decode(gone.bytes)).code, "file_not_found");
  const again = await send(client, "DELETE", fileUrl(workspaceId, "tmp/scratch.txt"));
  assert.equal(again.status, 404);
  assert.equal((await again.json()).code, "file_not_found");

  const history = await getJson(client, fileUrl(workspaceId, "tmp/scratch.txt", "?history"));
  assert.equal(history.status, 200);
  const versions = history.body.versions as Record<string, unknown>[];
  assert.deepEqual(versions.map((v) => [v.versionId, v.deleted]), [
    [body.versionId, true],
    [written.body.versionId, false],
  ]);
  assert.equal(history.body.currentVersionId, body.versionId);

  const old = await getBytes(
    client,
    workspaceId,
    "tmp/scratch.txt",
    {},
    `?version=${written.body.versionId}`,
  );
  assert.equal(old.response.status, 200);
  assert.deepEqual(old.bytes, text("scratch\n"));
  assert.match(old.response.headers.get("cache-control") ?? "", /immutable/);
  const tombstone = await getBytes(
    client,
    workspaceId,
    "tmp/scratch.txt",
    {},
    `?version=${body.versionId}`,
  );
  assert.equal(tombstone.response.status, 404);
  const unknown = await getBytes(
    client,
    workspaceId,
    "tmp/scratch.txt",
    {},
    `?version=${crypto.randomUUID()}`,
  );
  assert.equal(unknown.response.status, 404);
  assert.equal(JSON.parse(new TextDecoder().decode(unknown.bytes)).code, "version_not_found");

  // Writing the path again revives it.
  const revived = await put(client, workspaceId, "tmp/scratch.txt", "back\n");
  assert.equal(revived.status, 201);
  assert.deepEqual((await getBytes(client, workspaceId, "tmp/scratch.txt")).bytes, text("back\n"));
});

Deno.test("files: history pages newest first and diff compares two text versions", async () => {
  const { client } = await newUser("files-diff");
  const { workspaceId } = await newWorkspace(client);
  const path = "src/lib.ts";
  const v1 = await put(client, workspaceId, path, "const a = 1;\nconst b = 2;\nconst c = 3;\n");
  const v2 = await put(client, workspaceId, path, "const a = 1;\nconst b = 20;\nconst c = 3;\n");
  const v3 = await put(client, workspaceId, path, "const a = 1;\nconst b = 20;\n");
  const ids = [v3, v2, v1].map((v) => v.body.versionId);

  const page1 = await getJson(client, fileUrl(workspaceId, path, "?history&limit=2"));
  assert.equal(page1.status, 200);
  const first = page1.body.versions as Record<string, unknown>[];
  assert.deepEqual(first.map((v) => v.versionId), ids.slice(0, 2));
  assert.equal(page1.body.next, ids[1]);
  const page2 = await getJson(
    client,
    fileUrl(workspaceId, path, `?history&limit=2&before=${page1.body.next}`),
  );
  assert.deepEqual((page2.body.versions as Record<string, unknown>[]).map((v) => v.versionId), [
    ids[2],
  ]);
  assert.equal(page2.body.next, null);

  // Default: the current version against its predecessor.
  const latest = await getJson(client, fileUrl(workspaceId, path, "?diff"));
  assert.equal(latest.status, 200, JSON.stringify(latest.body));
  assert.equal((latest.body.to as Record<string, unknown>).versionId, ids[0]);
  assert.equal((latest.body.from as Record<string, unknown>).versionId, ids[1]);
  assert.equal(
    latest.body.diff,
    `--- a/${path}\n+++ b/${path}\n@@ -1,3 +1,2 @@\n const a = 1;\n const b = 20;\n-const c = 3;\n`,
  );
  assert.deepEqual(latest.body.stats, { added: 0, removed: 1 });

  const explicit = await getJson(
    client,
    fileUrl(workspaceId, path, `?diff&from=${ids[2]}&to=${ids[1]}`),
  );
  assert.equal(explicit.status, 200);
  assert.match(explicit.body.diff as string, /^-const b = 2;$/m);
  assert.match(explicit.body.diff as string, /^\+const b = 20;$/m);
  assert.deepEqual(explicit.body.stats, { added: 1, removed: 1 });

  // The first version diffs against nothing.
  const initial = await getJson(client, fileUrl(workspaceId, path, `?diff&to=${ids[2]}`));
  assert.equal(initial.body.from, null);
  assert.deepEqual(initial.body.stats, { added: 3, removed: 0 });

  const foreign = await getJson(
    client,
    fileUrl(workspaceId, path, `?diff&from=${crypto.randomUUID()}`),
  );
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.code, "version_not_found");

  await put(client, workspaceId, "img/logo.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1]));
  await put(client, workspaceId, "img/logo.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 2]));
  const binary = await getJson(client, fileUrl(workspaceId, "img/logo.png", "?diff"));
  assert.equal(binary.status, 422);
  assert.equal(binary.body.code, "diff_unavailable");

  const missing = await getJson(client, fileUrl(workspaceId, "nope.txt", "?history"));
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, "file_not_found");
});

Deno.test("files: a 5 MB binary round-trips with the same SHA-256", async () => {
  const { client } = await newUser("files-big");
  const { workspaceId } = await newWorkspace(client);
  const bytes = randomBytes(5 * 1024 * 1024);
  const sha256 = sha256Hex(bytes);
  const written = await put(client, workspaceId, "assets/blob.bin", bytes);
  assert.equal(written.status, 201, JSON.stringify(written.body));
  assert.equal(written.body.sha256, sha256);
  assert.equal(written.body.size, bytes.byteLength);

  const response = await send(client, "GET", fileUrl(workspaceId, "assets/blob.bin"));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-length"), String(bytes.byteLength));
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of response.body!) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  assert.equal(size, bytes.byteLength);
  assert.equal(hash.digest("hex"), sha256);
});

Deno.test("files: a PUT over the size cap is refused with payload_too_large", async () => {
  const { client } = await newUser("files-cap");
  const { workspaceId } = await newWorkspace(client);
  const tooBig = await put(client, workspaceId, "huge.bin", new Uint8Array(16 * 1024 * 1024 + 1));
  assert.equal(tooBig.status, 413);
  assert.equal(tooBig.body.code, "payload_too_large");
  assert.match(tooBig.body.message as string, /sync\/negotiate/);
});

Deno.test("files: over quota is refused and leaves no reservation, blob or row", async () => {
  const sql = connect(1);
  try {
    const { id, client } = await newUser("files-quota");
    const { workspaceId } = await newWorkspace(client);
    await asService(sql, (tx) => tx`select public.service_set_quota_limit(${id}, 1000)`);
    const before = await footprint(sql, workspaceId, id);
    const refused = await put(client, workspaceId, "big.bin", randomBytes(1500));
    assert.equal(refused.status, 507);
    assert.equal(refused.body.code, "quota_exceeded");
    assert.deepEqual(await footprint(sql, workspaceId, id), before);
    assert.equal(before.reservations, 0);
    assert.equal(before.reserved, 0);
    assert.equal(before.files, 0);
    const [quota] = await sql<{ used: string }[]>`
      select used_bytes as used from sandsync.quotas where owner_id = ${id}`;
    assert.equal(Number(quota!.used), 0);

    const fits = await put(client, workspaceId, "small.bin", randomBytes(800));
    assert.equal(fits.status, 201, JSON.stringify(fits.body));
    const after = await footprint(sql, workspaceId, id);
    assert.equal(after.reservations, 0, "the landed object released its reservation");
    assert.equal(after.objects, 1);
  } finally {
    await sql.end();
  }
});

Deno.test("files: other users, foreign agent tokens and the bare anon key are refused", async () => {
  const owner = await newUser("files-owner");
  const other = await newUser("files-other");
  const { workspaceId } = await newWorkspace(owner.client);
  const { workspaceId: otherWorkspace } = await newWorkspace(owner.client);
  await put(owner.client, workspaceId, "secret.txt", "mine\n");

  const issued = await owner.client.call<{ token: string }>(
    "POST",
    `workspaces/${otherWorkspace}/tokens`,
    { name: "agent" },
  );
  assert.equal(issued.status, 201);
  const foreignAgent = new ApiClient(owner.env, owner.env.anonKey, {
    "x-sandsync-token": issued.body.token,
  });
  const anon = new ApiClient(owner.env, owner.env.anonKey);

  for (
    const [who, client, status, code] of [
      ["another user", other.client, 404, "workspace_not_found"],
      ["an agent of another workspace", foreignAgent, 404, "workspace_not_found"],
      ["the anon key", anon, 401, "unauthorized"],
    ] as const
  ) {
    for (const query of ["", "?history", "?diff"]) {
      const read = await getJson(client, fileUrl(workspaceId, "secret.txt", query));
      assert.equal(read.status, status, `${who} GET${query}`);
      assert.equal(read.body.code, code, `${who} GET${query}`);
    }
    // The same answer for a path that does not exist: nothing leaks.
    const absent = await getJson(client, fileUrl(workspaceId, "absent.txt"));
    assert.equal(absent.status, status);
    const write = await put(client, workspaceId, "secret.txt", "theirs\n");
    assert.equal(write.status, status, `${who} PUT`);
    assert.equal(write.body.code, code);
    const remove = await send(client, "DELETE", fileUrl(workspaceId, "secret.txt"));
    assert.equal(remove.status, status, `${who} DELETE`);
    await remove.body?.cancel();
  }
  const still = await getBytes(owner.client, workspaceId, "secret.txt");
  assert.deepEqual(still.bytes, text("mine\n"));

  // The agent works in its own workspace, as the owner.
  const own = await put(foreignAgent, otherWorkspace, "from-agent.txt", "hi\n");
  assert.equal(own.status, 201, JSON.stringify(own.body));
  const back = await getBytes(owner.client, otherWorkspace, "from-agent.txt");
  assert.deepEqual(back.bytes, text("hi\n"));
});

Deno.test("files: bad paths are refused with invalid_path and nothing is written", async () => {
  const sql = connect(1);
  try {
    const { id, client } = await newUser("files-paths");
    const { workspaceId } = await newWorkspace(client);
    const before = await footprint(sql, workspaceId, id);
    const raw = [
      ["..%2Fescape.txt", "path_dot_segment"],
      ["a%2F..%2F..%2Fb", "path_dot_segment"],
      ["a%00b.txt", "path_control_char"],
      ["a//b.txt", "path_empty_segment"],
      ["dir/", "path_empty_segment"],
      ["%2Fetc%2Fpasswd", "path_absolute"],
      ["", "path_empty"],
    ];
    for (const [encoded, problem] of raw) {
      for (const method of ["PUT", "GET", "DELETE"]) {
        const response = await send(client, method, `files/${workspaceId}/${encoded}`, {
          ...(method === "PUT" ? { body: text("x") } : {}),
        });
        const body = await response.json();
        assert.equal(response.status, 400, `${method} ${encoded}: ${JSON.stringify(body)}`);
        assert.equal(body.code, "invalid_path", `${method} ${encoded}`);
        assert.equal(body.details?.problem, problem, `${method} ${encoded}`);
      }
    }
    const notUuid = await put(client, "not-a-workspace", "a.txt", "x");
    assert.equal(notUuid.status, 400);
    assert.equal(notUuid.body.code, "validation_failed");
    assert.deepEqual(await footprint(sql, workspaceId, id), before);
  } finally {
    await sql.end();
  }
});

Deno.test("files: a new path differing only in case is refused before anything is stored", async () => {
  const sql = connect(1);
  try {
    const { id, client } = await newUser("files-case");
    const { workspaceId } = await newWorkspace(client);
    await put(client, workspaceId, "README.md", "# hi\n");
    const before = await footprint(sql, workspaceId, id);
    const clash = await put(client, workspaceId, "readme.md", "# other\n");
    assert.equal(clash.status, 409);
    assert.equal(clash.body.code, "path_case_conflict");
    assert.deepEqual(await footprint(sql, workspaceId, id), before);
  } finally {
    await sql.end();
  }
});

Deno.test("files: reads what sync/commit wrote, and repairs an unverified upload", async () => {
  const { client } = await newUser("files-sync");
  const { workspaceId, replicas } = await newWorkspace(client, { replicas: 1 });
  const replicaId = replicas[0]!;
  const committed = await client.call<{ items: { versionId: string }[] }>(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicaId, [{ path: "synced.txt", content: "from sync\n" }]),
  );
  assert.equal(committed.status, 200, JSON.stringify(committed.body));
  const read = await getBytes(client, workspaceId, "synced.txt");
  assert.deepEqual(read.bytes, text("from sync\n"));
  assert.equal(read.response.headers.get("etag"), `"${committed.body.items[0]!.versionId}"`);
  // The same bytes inline again: the blob is stored already and the commit still goes through.
  const again = await client.call(
    "POST",
    "sync/commit",
    inlineCommit(workspaceId, replicaId, [{ path: "copy.txt", content: "from sync\n" }]),
  );
  assert.equal(again.status, 200, JSON.stringify(again.body));

  // A signed upload of wrong bytes that was never committed sits under the key of the true
  // bytes; a files PUT of the true bytes must not vouch for it.
  const truth = randomBytes(SIGNED_PUT_SIZE);
  const sha256 = sha256Hex(truth);
  const negotiated = await client.call<{ uploads: { method: string; url: string }[] }>(
    "POST",
    "sync/negotiate",
    {
      workspaceId,
      replicaId,
      changes: [{
        path: "big.bin",
        sha256,
        size: truth.byteLength,
        mode: 420,
        mtime: 0,
        base: null,
      }],
    },
  );
  assert.equal(negotiated.body.uploads[0]?.method, "signed_url", JSON.stringify(negotiated.body));
  const uploaded = await fetch(negotiated.body.uploads[0]!.url, {
    method: "PUT",
    body: randomBytes(truth.byteLength),
  });
  assert.equal(uploaded.status, 200, await uploaded.text());
  const written = await put(client, workspaceId, "big.bin", truth);
  assert.equal(written.status, 201, JSON.stringify(written.body));
  const response = await send(client, "GET", fileUrl(workspaceId, "big.bin"));
  assert.equal(sha256Hex(new Uint8Array(await response.arrayBuffer())), sha256);
});

Deno.test("files: a version whose bytes Storage lost answers 409 blob_missing, never a 5xx", async () => {
  const { id: owner, client, env } = await newUser("files-lost");
  const { workspaceId } = await newWorkspace(client);
  const stored = await put(client, workspaceId, "lost.txt", "soon gone\n");
  assert.equal(stored.status, 201, JSON.stringify(stored.body));
  const sha = sha256Hex("soon gone\n");
  // Bytes lost behind Sandsync's back (an operator, a restored backup): removed through Storage.
  const removed = await fetch(`${env.apiUrl}/storage/v1/object/sandsync`, {
    method: "DELETE",
    headers: {
      authorization: `Bearer ${env.serviceRoleKey}`,
      apikey: env.serviceRoleKey,
      "content-type": "application/json",
    },
    body: JSON.stringify({ prefixes: [`${owner}/${sha.slice(0, 2)}/${sha}`] }),
  });
  assert.equal(removed.status, 200, await removed.text());
  const got = await getBytes(client, workspaceId, "lost.txt");
  assert.equal(got.response.status, 409);
  const body = JSON.parse(new TextDecoder().decode(got.bytes));
  assert.equal(body.code, "blob_missing");
  assert.match(body.message, /missing from Storage/);
});
