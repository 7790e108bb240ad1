// Derived replica ids (the `files` API's per-user `web` replica) are keyed with a server secret:
// another user who computes the id the public way and registers it first in their own workspace
// can no longer break the victim's `files` API.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { inlineCommit, newUser, newWorkspace } from "../support/api.ts";

/** The public derivation used before: v5 UUID of `web:<workspace>:<user>` in a fixed namespace. */
function publicDerivedId(workspaceId: string, userId: string): string {
  const namespace = "3a7c1f52-9d84-4b0e-a6e1-5c2f0d8b7e94";
  const ns = Uint8Array.from(namespace.replaceAll("-", "").match(/../g)!, (h) => parseInt(h, 16));
  const hash = createHash("sha1").update(ns).update(`web:${workspaceId}:${userId}`).digest();
  const bytes = Uint8Array.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

Deno.test("registering a victim's derivable replica id first does not break their files API", async () => {
  const victim = await newUser("derived-victim");
  const attacker = await newUser("derived-attacker");
  const { workspaceId } = await newWorkspace(victim.client);
  const { workspaceId: attackerWorkspace } = await newWorkspace(attacker.client);
  const squatted = await attacker.client.call(
    "POST",
    `workspaces/${attackerWorkspace}/replicas`,
    { replicaId: publicDerivedId(workspaceId, victim.id), kind: "web" },
  );
  assert.equal(squatted.status, 200, JSON.stringify(squatted.body));
  for (const content of ["first\n", "second\n"]) {
    const put = await victim.client.call("PUT", `files/${workspaceId}/note.txt`, content, {
      "content-type": "text/plain",
    });
    assert.ok(put.status === 200 || put.status === 201, JSON.stringify(put.body));
  }
  const read = await fetch(`${victim.env.apiUrl}/functions/v1/files/${workspaceId}/note.txt`, {
    headers: { authorization: `Bearer ${victim.client.bearer}` },
  });
  assert.equal(read.status, 200);
  assert.equal(await read.text(), "second\n");
});

Deno.test("a replica id used in another tenant's workspace registers like a fresh one, and both work", async () => {
  const victim = await newUser("replica-victim");
  const other = await newUser("replica-other");
  const { workspaceId: theirs, replicas: [used] } = await newWorkspace(victim.client);
  const { workspaceId: mine } = await newWorkspace(other.client);
  const register = (replicaId: string) =>
    other.client.call<Record<string, unknown>>("POST", `workspaces/${mine}/replicas`, {
      replicaId,
      kind: "agent",
    });
  const foreign = await register(used!);
  const fresh = await register(crypto.randomUUID());
  const shape = (answer: { status: number; body: Record<string, unknown> }) => ({
    status: answer.status,
    ...answer.body,
    replicaId: "<id>",
  });
  assert.deepEqual(shape(foreign), shape(fresh));
  assert.equal(foreign.status, 200, JSON.stringify(foreign.body));
  // Same id, two workspaces: each commits in its own, neither sees the other.
  for (
    const [client, workspaceId, path] of [
      [victim.client, theirs, "victim.txt"],
      [other.client, mine, "other.txt"],
    ] as const
  ) {
    const committed = await client.call(
      "POST",
      "sync/commit",
      inlineCommit(workspaceId, used!, [{ path, content: `${path}\n` }]),
    );
    assert.equal(committed.status, 200, JSON.stringify(committed.body));
  }
  const manifest = await victim.client.call<{ files: { path: string }[] }>(
    "GET",
    `sync/manifest?workspaceId=${theirs}`,
  );
  assert.deepEqual(manifest.body.files.map((f) => f.path), ["victim.txt"]);
});
