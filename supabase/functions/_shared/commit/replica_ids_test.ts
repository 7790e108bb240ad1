import assert from "node:assert/strict";
import { defaultReplicaId, REPLICA_NAMESPACE, uuidV5 } from "./replica_ids.ts";

Deno.test("uuidV5() matches the RFC 9562 example", () => {
  // RFC 9562 appendix A.4: "www.example.com" in the DNS namespace.
  assert.equal(
    uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"),
    "2ed6657d-e927-568b-95e1-2665a8aea6a2",
  );
});

Deno.test("defaultReplicaId() is stable per workspace and user, and differs otherwise", () => {
  const ws = crypto.randomUUID();
  const user = crypto.randomUUID();
  const id = defaultReplicaId(ws, user);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(defaultReplicaId(ws.toUpperCase(), user), id);
  assert.notEqual(defaultReplicaId(ws, crypto.randomUUID()), id);
  assert.notEqual(defaultReplicaId(crypto.randomUUID(), user), id);
  assert.notEqual(defaultReplicaId(ws, undefined), id);
});

Deno.test("defaultReplicaId() depends on the server secret (nobody else can compute it)", () => {
  const ws = crypto.randomUUID();
  const user = crypto.randomUUID();
  assert.equal(defaultReplicaId(ws, user, "one secret"), defaultReplicaId(ws, user, "one secret"));
  assert.notEqual(defaultReplicaId(ws, user, "one secret"), defaultReplicaId(ws, user, "another"));
  assert.notEqual(
    defaultReplicaId(ws, user, "one secret"),
    uuidV5(REPLICA_NAMESPACE, `web:${ws}:${user}`),
  );
});
