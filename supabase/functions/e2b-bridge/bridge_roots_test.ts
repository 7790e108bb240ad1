import assert from "node:assert/strict";
import { isSyncError } from "../../../shared/protocol/errors.ts";
import { assertBridgeRoot, bridgeRootsFromEnv } from "./bridge_roots.ts";

const refused = (root: string, allowed: string[]) => {
  try {
    assertBridgeRoot(root, allowed);
    return false;
  } catch (error) {
    assert.ok(isSyncError(error, "sandbox_path_refused"), String(error));
    return true;
  }
};

Deno.test("assertBridgeRoot() admits the default root and what lies below it", () => {
  const allowed = bridgeRootsFromEnv({ get: () => undefined });
  assert.deepEqual(allowed, ["/home/user/project"]);
  assert.equal(refused("/home/user/project", allowed), false);
  assert.equal(refused("/home/user/project/app", allowed), false);
  assert.equal(refused("/home/user/projects", allowed), true);
  assert.equal(refused("/home/user/other", allowed), true);
  assert.equal(refused("/tmp", allowed), true);
});

Deno.test("assertBridgeRoot() refuses home, its dot-directories and system trees whatever is configured", () => {
  const allowed = bridgeRootsFromEnv({ get: () => "/, /home/user, /etc,/proc,/root, /srv" });
  for (
    const root of [
      "/home",
      "/home/user",
      "/home/user/.ssh",
      "/home/user/.config/sandsync",
      "/etc",
      "/etc/ssh",
      "/proc/1",
      "/root",
      "/root/project",
    ]
  ) {
    assert.equal(refused(root, allowed), true, root);
  }
  assert.equal(refused("/home/user/work", allowed), false);
  assert.equal(refused("/srv/app", allowed), false);
  assert.equal(refused("/home/user/work/.cache", allowed), false);
});
