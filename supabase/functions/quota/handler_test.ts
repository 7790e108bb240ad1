import assert from "node:assert/strict";
import { SERVICE_CALLER } from "../_shared/edge/caller.ts";
import type { QuotaService } from "./quota_service.ts";
import { createQuotaHandler } from "./handler.ts";

const OWNER = "6f1c3a3e-3c51-4b8e-9a43-2d6b2d3f7a10";

function setup() {
  const calls: { method: string; args: unknown[] }[] = [];
  const record = (method: string) => (...args: unknown[]) => {
    calls.push({ method, args });
    return Promise.resolve({ ok: method });
  };
  const handler = createQuotaHandler({
    service: {
      usage: record("usage"),
      check: record("check"),
      setLimit: record("setLimit"),
    } as unknown as QuotaService,
    authenticate: () => Promise.resolve(SERVICE_CALLER),
  });
  const call = async (method: string, path: string, body?: string) => {
    const response = await handler(
      new Request(`http://functions.test/functions/v1/quota${path}`, { method, body }),
    );
    return { status: response.status, body: await response.json() };
  };
  return { calls, call };
}

Deno.test("quota handler: limits must be non-negative integers or null, owners uuids", async () => {
  const { calls, call } = setup();
  for (const body of ['{"limitBytes":-1}', '{"limitBytes":1.5}', '{"limitBytes":"1"}', "{}"]) {
    const answer = await call("PUT", `/${OWNER}`, body);
    assert.equal(answer.status, 400, body);
    assert.equal(answer.body.code, "validation_failed");
  }
  assert.equal((await call("PUT", "/owner", '{"limitBytes":1}')).status, 400);
  assert.equal((await call("GET", "/check?ownerId=owner")).status, 400);
  assert.equal(calls.length, 0);
  assert.equal((await call("PUT", `/${OWNER}`, '{"limitBytes":null}')).status, 200);
  assert.deepEqual(calls[0]!.args.slice(1), [OWNER, null]);
});

Deno.test("quota handler: routes usage and check", async () => {
  const { calls, call } = setup();
  assert.deepEqual((await call("GET", "/")).body, { ok: "usage" });
  assert.deepEqual((await call("GET", `/check?ownerId=${OWNER}`)).body, { ok: "check" });
  assert.deepEqual(calls[1]!.args[1], { ownerId: OWNER });
  assert.equal((await call("POST", "/check")).status, 405);
});
