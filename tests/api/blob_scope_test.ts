// An agent token learns nothing about, and gains nothing from, bytes outside its workspace
// (blobs are deduplicated per owner, tokens are scoped to one workspace). Black-box over HTTP:
// the owner's workspace W2 holds a secret; a token of W1 names its hash.
import assert from "node:assert/strict";
import postgres from "postgres";
import { sha256Hex } from "../../shared/hash.ts";
import { ApiClient, inlineCommit, newUser, newWorkspace, SIGNED_PUT_SIZE } from "../support/api.ts";

interface Upload {
  sha256: string;
  size: number;
  method: string;
  key?: string;
  url?: string;
}
interface Negotiated {
  uploads: Upload[];
  present: string[];
}

function change(bytes: Uint8Array, path: string, size = bytes.byteLength) {
  return { path, sha256: sha256Hex(bytes), size, mode: 420, mtime: Date.now(), base: null };
}

function random(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

/** What a negotiate answer says about one blob, with its hash taken out (to compare shapes). */
function shape(answer: Negotiated, owner: string) {
  return {
    present: answer.present.length,
    uploads: answer.uploads.map((u) => ({
      method: u.method,
      key: u.key?.replace(u.sha256, "<sha>").replace(/[0-9a-f]{2}\/<sha>$/, "<xx>/<sha>")
        .replace(owner, "<owner>"),
    })),
  };
}

/** negotiate → PUT each signed URL → commit, as a client would (no inline bytes). */
async function uploadAndCommit(
  caller: ApiClient,
  workspaceId: string,
  replicaId: string,
  files: { path: string; bytes: Uint8Array<ArrayBuffer> }[],
) {
  const changes = files.map((f) => change(f.bytes, f.path));
  const negotiated = await caller.call<Negotiated>("POST", "sync/negotiate", {
    workspaceId,
    replicaId,
    changes,
  });
  assert.equal(negotiated.status, 200, JSON.stringify(negotiated.body));
  for (const upload of negotiated.body.uploads) {
    const file = files.find((f) => sha256Hex(f.bytes) === upload.sha256)!;
    assert.equal(upload.method, "signed_url");
    const put = await fetch(upload.url!, { method: "PUT", body: file.bytes });
    assert.ok(put.ok, await put.text());
  }
  return await caller.call<{ items: { outcome: string }[] }>("POST", "sync/commit", {
    workspaceId,
    replicaId,
    idempotencyKey: crypto.randomUUID(),
    changes,
  });
}

async function setting() {
  const { id: owner, client, env } = await newUser("blob-scope");
  const { workspaceId: w1, replicas: [r1] } = await newWorkspace(client);
  const { workspaceId: w2, replicas: [r2] } = await newWorkspace(client);
  const issued = await client.call<{ token: string }>("POST", `workspaces/${w1}/tokens`, {
    name: "w1-agent",
  });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  const agent = new ApiClient(env, env.anonKey, { "x-sandsync-token": issued.body.token });
  // The secrets of W2: a small file (inline) and a medium one (signed URL upload).
  const small = new TextEncoder().encode(`PIN=${crypto.randomUUID()}\n`);
  const medium = random(SIGNED_PUT_SIZE);
  const stored = await client.call(
    "POST",
    "sync/commit",
    inlineCommit(w2, r2!, [
      { path: ".env", content: small },
    ]),
  );
  assert.equal(stored.status, 200, JSON.stringify(stored.body));
  const big = await uploadAndCommit(client, w2, r2!, [{ path: "db.dump", bytes: medium }]);
  assert.equal(big.status, 200, JSON.stringify(big.body));
  const sql = postgres(env.dbUrl, { max: 1, onnotice: () => {} });
  return { owner, client, agent, w1, r1: r1!, w2, small, medium, sql };
}

Deno.test("negotiate answers an agent token the same for another workspace's content and new content", async () => {
  const { owner, agent, w1, r1, small, medium, sql } = await setting();
  try {
    const ask = async (changes: unknown[]) => {
      const answer = await agent.call<Negotiated>("POST", "sync/negotiate", {
        workspaceId: w1,
        replicaId: r1,
        changes,
      });
      return answer;
    };
    for (const [secret, label] of [[small, "inline"], [medium, "signed URL"]] as const) {
      const known = await ask([change(secret, "guess")]);
      const fresh = await ask([change(random(secret.byteLength), "guess")]);
      assert.equal(known.status, 200, JSON.stringify(known.body));
      assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
      assert.deepEqual(shape(known.body, owner), shape(fresh.body, owner), label);
      assert.deepEqual(known.body.present, [], `${label}: not present for W1`);
      // The same hash announced with another size: no 400 telling that it exists.
      const resized = await ask([change(secret, "guess", secret.byteLength + 1)]);
      const resizedFresh = await ask([change(random(16), "guess", secret.byteLength + 1)]);
      assert.deepEqual(
        [resized.status, shape(resized.body, owner)],
        [resizedFresh.status, shape(resizedFresh.body, owner)],
      );
    }
    const medium2 = await ask([change(medium, "m")]);
    assert.match(medium2.body.uploads[0]!.key!, new RegExp(`^${owner}/staging/[0-9a-f-]{36}/`));
  } finally {
    await sql.end();
  }
});

Deno.test("an agent token cannot commit another workspace's blob by its hash; sending the bytes works, stored once", async () => {
  const { owner, client, agent, w1, r1, small, medium, sql } = await setting();
  try {
    const commitByHash = (bytes: Uint8Array, path: string) =>
      agent.call<{ code: string }>("POST", "sync/commit", {
        workspaceId: w1,
        replicaId: r1,
        idempotencyKey: crypto.randomUUID(),
        changes: [change(bytes, path)],
      });
    for (const [secret, path] of [[small, "stolen.env"], [medium, "stolen.dump"]] as const) {
      const stolen = await commitByHash(secret, path);
      assert.deepEqual([stolen.status, stolen.body.code], [409, "blob_missing"], path);
    }
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from sandsync.files where workspace_id = ${w1}`;
    assert.equal(row?.n, 0, "nothing of W2 reached W1");

    // Wrong bytes at the staging key: refused and removed.
    const negotiated = await agent.call<Negotiated>("POST", "sync/negotiate", {
      workspaceId: w1,
      replicaId: r1,
      changes: [change(medium, "real.dump")],
    });
    const put = await fetch(negotiated.body.uploads[0]!.url!, {
      method: "PUT",
      body: random(medium.byteLength),
    });
    assert.ok(put.ok, await put.text());
    const lied = await commitByHash(medium, "real.dump");
    assert.deepEqual([lied.status, lied.body.code], [422, "hash_mismatch"]);

    // Real possession: the bytes sent (staged, hashed), the commit applies, one copy is kept.
    // Loose objects and staging keys (a small blob sent inline rests in W1's own pack, below).
    const before = await sql<{ n: number; bytes: string }[]>`
      select count(*)::int as n, coalesce(sum((metadata ->> 'size')::bigint), 0) as bytes
      from storage.objects where bucket_id = 'sandsync' and name like ${owner + "/%"}
        and name not like ${owner + "/packs/%"}`;
    const sent = await uploadAndCommit(agent, w1, r1, [{ path: "real.dump", bytes: medium }]);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.items[0]?.outcome, "applied");
    const inline = await agent.call(
      "POST",
      "sync/commit",
      inlineCommit(w1, r1, [
        { path: "real.env", content: small },
      ]),
    );
    assert.equal(inline.status, 200, JSON.stringify(inline.body));
    const after = await sql<{ n: number; bytes: string }[]>`
      select count(*)::int as n, coalesce(sum((metadata ->> 'size')::bigint), 0) as bytes
      from storage.objects where bucket_id = 'sandsync' and name like ${owner + "/%"}
        and name not like ${owner + "/packs/%"}`;
    assert.deepEqual(after, before, "the owner's bytes are stored once, no staged copy stays");
    // A pack is one workspace's: the small secret W1 proved it holds rests in a pack of W1.
    const [own] = await sql<{ n: number }[]>`select count(*)::int as n
      from sandsync.pack_entries where workspace_id = ${w1} and sha256 = ${sha256Hex(small)}`;
    assert.equal(own?.n, 1, "W1 reads the small blob from a pack of its own");

    // From now on W1 reads them, and may name them by hash like any of its own content.
    const again = await commitByHash(medium, "copy.dump");
    assert.equal(again.status, 200, JSON.stringify(again.body));
    const manifest = await agent.call<{ files: { path: string; url?: string }[] }>(
      "GET",
      `sync/manifest?workspaceId=${w1}`,
    );
    const url = manifest.body.files.find((f) => f.path === "copy.dump")!.url!;
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    assert.equal(sha256Hex(bytes), sha256Hex(medium));
    const check = await client.call<{ consistent: boolean }>("GET", "quota");
    assert.equal(check.status, 200);
  } finally {
    await sql.end();
  }
});

Deno.test("a user session still reuses its own bytes across its workspaces", async () => {
  const { client, w1, r1, medium, sql } = await setting();
  try {
    const negotiated = await client.call<Negotiated>("POST", "sync/negotiate", {
      workspaceId: w1,
      replicaId: r1,
      changes: [change(medium, "same.dump")],
    });
    assert.deepEqual(negotiated.body.present, [sha256Hex(medium)]);
    assert.deepEqual(negotiated.body.uploads, []);
  } finally {
    await sql.end();
  }
});
