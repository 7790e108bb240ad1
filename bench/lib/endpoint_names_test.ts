import assert from "node:assert/strict";
import { endpointName } from "./endpoint_names.ts";

const WS = "0b6f3c1e-7d2a-4f0e-9a43-5c1d2e3f4a5b";

Deno.test("endpointName() leaves out ids, keys, buckets and queries", () => {
  const cases: [string, string, string][] = [
    ["POST", "/functions/v1/sync/negotiate", "POST functions/sync/negotiate"],
    ["get", "/functions/v1/sync/changes", "GET functions/sync/changes"],
    [
      "POST",
      `/functions/v1/workspaces/${WS}/replicas/${WS}/heartbeat`,
      "POST functions/workspaces/:id/replicas/:id/heartbeat",
    ],
    ["GET", "/functions/v1/workspaces", "GET functions/workspaces"],
    ["POST", "/functions/v1/conflicts/17/resolve", "POST functions/conflicts/:id/resolve"],
    ["GET", `/functions/v1/files/${WS}/src/deep/a.ts`, "GET functions/files/:id/*"],
    ["PUT", `/functions/v1/files/${WS}`, "PUT functions/files/:id"],
    ["POST", "/functions/v1/e2b-bridge/pull", "POST functions/e2b-bridge/pull"],
    ["GET", "/storage/v1/object/sign/sandsync/ab/cd/abcdef0123", "GET storage/object/sign"],
    ["POST", "/storage/v1/object/sign/sandsync", "POST storage/object/sign"],
    ["PUT", "/storage/v1/object/upload/sign/sandsync/ab/x", "PUT storage/object/upload/sign"],
    ["POST", "/storage/v1/upload/resumable/sign", "POST storage/upload/resumable/sign"],
    [
      "PATCH",
      "/storage/v1/upload/resumable/sign/c2FuZHN5bmMvYWIvY2Q",
      "PATCH storage/upload/resumable/sign",
    ],
    ["PATCH", "/storage/v1/upload/resumable/abc123", "PATCH storage/upload/resumable"],
    ["GET", "/storage/v1/object/sandsync/k", "GET storage/object"],
    ["GET", "/storage/v1/bucket/sandsync", "GET storage/bucket"],
    ["GET", "/auth/v1/user", "GET auth/v1"],
    ["GET", "/", "GET /"],
    ["GET", "/12/x", "GET :id/x"],
  ];
  for (const [method, path, want] of cases) assert.equal(endpointName(method, path), want, path);
});
