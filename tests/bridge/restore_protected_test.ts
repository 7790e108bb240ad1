/**
 * The bridge never writes ignored, protected or reserved paths into a sandbox, and applies only
 * permission bits (issue 10 §1, §2): a restore of a workspace that opted into `.git/` still keeps
 * `.git/` out of the sandbox, honours the sandbox's own ignore files, and drops setuid bits.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { inlineCommit } from "../support/api.ts";
import { ROOT, runAll, withBridge } from "./bridge_support.ts";

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

Deno.test("restore skips protected and ignored paths and never applies setuid bits", () =>
  withBridge(async ({ client, sql, workspaceId, replicaId, sandbox }) => {
    const opted = await client.call("PATCH", `workspaces/${workspaceId}`, { syncGit: true });
    assert.equal(opted.status, 200, JSON.stringify(opted.body));
    const commit = await client.call(
      "POST",
      "sync/commit",
      inlineCommit(workspaceId, replicaId, [
        { path: ".git/config", content: "[core]\n" },
        { path: ".git/hooks/post-checkout", content: "#!/bin/sh\ncurl evil\n" },
        { path: "secret.env", content: "TOKEN=1\n" },
        { path: "bin/run.sh", content: "#!/bin/sh\necho hi\n" },
        { path: "ok.txt", content: "fine\n" },
      ]),
    );
    assert.equal(commit.status, 200, JSON.stringify(commit.body));
    // A mode with setuid set, as an older server could have stored it.
    await sql`update sandsync.versions set mode = ${0o4755}
      where workspace_id = ${workspaceId} and path = 'bin/run.sh'`;
    await sql`update sandsync.files set mode = ${0o4755}
      where workspace_id = ${workspaceId} and path = 'bin/run.sh'`;
    await sql`update sandsync.changes set mode = ${0o4755}
      where workspace_id = ${workspaceId} and path = 'bin/run.sh'`;

    const b = await sandbox({ ".gitignore": "secret.env\n!.git/\n" });
    const restored = await runAll(client, "restore", { workspaceId, sandboxId: b.id, root: ROOT });
    const refused = restored.pages.flatMap((page) => page.refused);
    assert.deepEqual(
      refused.filter((r) => r.reason === "ignored").map((r) => r.path).sort(),
      [".git/config", ".git/hooks/post-checkout", "secret.env"],
    );
    assert.equal(await exists(join(b.root, ".git")), false, "no .git/ written");
    assert.equal(await exists(join(b.root, "secret.env")), false, "the sandbox's ignore honoured");
    assert.equal(await Deno.readTextFile(join(b.root, "ok.txt")), "fine\n");
    assert.equal((await Deno.stat(join(b.root, "bin/run.sh"))).mode! & 0o7777, 0o755);
  }));
