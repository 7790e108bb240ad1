import assert from "node:assert/strict";
import { startHousekeeping } from "./housekeeping_timer.ts";

Deno.test("startHousekeeping() calls the housekeeping function as the service role on a timer", async () => {
  const calls: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (request) => {
    calls.push(
      `${request.method} ${new URL(request.url).pathname} ${request.headers.get("authorization")}`,
    );
    return Response.json({ expiredReservations: 0 });
  });
  const timer = startHousekeeping({
    apiUrl: `http://127.0.0.1:${server.addr.port}`,
    serviceRoleKey: "service-key",
    intervalSeconds: 0.05,
  });
  await new Promise((resolve) => setTimeout(resolve, 180));
  await timer.stop();
  const seen = calls.length;
  await new Promise((resolve) => setTimeout(resolve, 120));
  await server.shutdown();
  assert.ok(seen >= 2, `called ${seen} times`);
  assert.equal(calls.length, seen, "no call after stop()");
  assert.equal(calls[0], "POST /functions/v1/housekeeping Bearer service-key");
});

Deno.test("startHousekeeping() with 0 seconds never calls", async () => {
  let calls = 0;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () => {
    calls++;
    return new Response("{}");
  });
  const timer = startHousekeeping({
    apiUrl: `http://127.0.0.1:${server.addr.port}`,
    serviceRoleKey: "k",
    intervalSeconds: 0,
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await timer.stop();
  await server.shutdown();
  assert.equal(calls, 0);
});
