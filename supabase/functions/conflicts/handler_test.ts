import assert from "node:assert/strict";
import { userCaller } from "../_shared/edge/caller.ts";
import type { ConflictService } from "./conflict_service.ts";
import type { MergeService } from "../_shared/conflicts/merge_service.ts";
import { createConflictsHandler } from "./handler.ts";

const CONFLICT = "6f1c3a3e-3c51-4b8e-9a43-2d6b2d3f7a10";
const REPLICA = "0d7e6b8a-5f0e-4b59-9d2a-8f3c1e2b4a67";

function setup() {
  const calls: { method: string; args: unknown[] }[] = [];
  const record = (method: string) => (...args: unknown[]) => {
    calls.push({ method, args });
    return Promise.resolve({ ok: method });
  };
  const handler = createConflictsHandler({
    conflicts: { list: record("list"), resolve: record("resolve") } as unknown as ConflictService,
    merges: { merge: record("merge") } as unknown as MergeService,
    authenticate: () => Promise.resolve(userCaller({ sub: "u", role: "authenticated" })),
  });
  const call = async (method: string, path: string, body?: string) => {
    const response = await handler(
      new Request(`http://functions.test/functions/v1/conflicts${path}`, { method, body }),
    );
    return { status: response.status, body: await response.json() };
  };
  return { calls, call };
}

Deno.test("conflicts handler: bad resolve bodies are 400 and never reach the service", async () => {
  const { calls, call } = setup();
  const bodies = [
    {},
    { replicaId: REPLICA, resolution: "merged" },
    { replicaId: REPLICA, resolution: "incoming", content: "YQ==" },
    { replicaId: REPLICA, resolution: "current", mode: 420 },
    { replicaId: REPLICA, resolution: "merged", content: "a b" },
    { replicaId: REPLICA, resolution: "current", expectedCurrentVersionId: "v1" },
  ];
  for (const body of bodies) {
    const answer = await call("POST", `/${CONFLICT}/resolve`, JSON.stringify(body));
    assert.equal(answer.status, 400, JSON.stringify(body));
    assert.equal(answer.body.code, "validation_failed");
  }
  assert.equal((await call("POST", "/not-a-uuid/resolve", "{}")).status, 400);
  assert.equal((await call("POST", `/${CONFLICT}/resolve`, "{")).body.code, "invalid_json");
  const huge = JSON.stringify({
    replicaId: REPLICA,
    resolution: "merged",
    content: "A".repeat(6 * 1024 * 1024),
  });
  assert.equal((await call("POST", `/${CONFLICT}/resolve`, huge)).status, 413);
  assert.deepEqual(calls, []);
});

Deno.test("conflicts handler: a valid resolve passes decoded bytes to the service", async () => {
  const { calls, call } = setup();
  const answer = await call(
    "POST",
    `/${CONFLICT}/resolve`,
    JSON.stringify({ replicaId: REPLICA, resolution: "merged", content: btoa("hi\n"), mode: 493 }),
  );
  assert.equal(answer.status, 200);
  const [conflictId, input] = calls[0]!.args.slice(1) as [string, { content: Uint8Array }];
  assert.equal(conflictId, CONFLICT);
  assert.deepEqual([...input.content], [...new TextEncoder().encode("hi\n")]);
});

Deno.test("conflicts handler: merge takes an empty or small JSON body; list validates its query", async () => {
  const { calls, call } = setup();
  assert.equal((await call("POST", `/${CONFLICT}/merge`)).status, 200);
  assert.deepEqual(calls[0]!.args.slice(1), [CONFLICT, {}]);
  assert.equal((await call("POST", `/${CONFLICT}/merge`, '{"replicaId":"x"}')).status, 400);
  assert.equal((await call("POST", `/${CONFLICT}/merge`, "[")).body.code, "invalid_json");
  assert.equal((await call("GET", "/?workspaceId=nope")).status, 400);
  assert.equal((await call("GET", `/?workspaceId=${CONFLICT}&status=closed`)).status, 400);
  assert.equal((await call("GET", `/?workspaceId=${CONFLICT}`)).status, 200);
  assert.deepEqual(calls.at(-1)!.args[1], { workspaceId: CONFLICT, status: "open" });
  assert.equal((await call("DELETE", `/${CONFLICT}/merge`)).status, 405);
  assert.equal((await call("GET", `/${CONFLICT}`)).status, 404);
  assert.equal(calls.length, 2);
});
