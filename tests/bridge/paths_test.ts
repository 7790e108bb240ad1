/**
 * Paths through the bridge: spaces, Unicode, shell metacharacters and deep nesting survive a
 * pull and a restore byte for byte; symlinks (to `/`, climbing out with `..`, even pointing
 * inside) are never followed; a symlinked root or parent directory is refused.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runAll, sha256, treeHashes, withBridge, workspaceFiles } from "./bridge_support.ts";

const DEEP = Array.from({ length: 30 }, (_, i) => `level${i}`).join("/");
const NAMES: Record<string, string> = {
  "dir with space/file name.txt": "spaces\n",
  "ünïcödé/日本語 ファイル.md": "unicode\n",
  "quote's/it's \"quoted\".txt": "quotes\n",
  "-leading-dash.txt": "dash\n",
  "shell/$(echo pwned);`id`&|*.txt": "metacharacters\n",
  [`${DEEP}/leaf.txt`]: "deep\n",
};

Deno.test("odd names and deep nesting survive pull and restore byte for byte", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox, use }) => {
    const a = await sandbox(NAMES);
    const pulled = await runAll(client, "pull", { workspaceId, sandboxId: a.id });
    assert.equal(pulled.pulled, Object.keys(NAMES).length);
    assert.deepEqual(
      [...(await workspaceFiles(sql, workspaceId)).keys()].sort(),
      Object.keys(NAMES).sort(),
    );
    const b = await sandbox();
    await runAll(client, "restore", { workspaceId, sandboxId: b.id });
    assert.deepEqual(await treeHashes(b.root), await treeHashes(a.root));
    await use(a.id);
    const again = await runAll(client, "pull", { workspaceId, sandboxId: a.id });
    assert.deepEqual([again.pulled, again.bytes], [0, 0]);
  }));

Deno.test("symlinks are refused, never followed; names the sync rules refuse are skipped", () =>
  withBridge(async ({ client, sql, workspaceId, sandbox, standin }) => {
    await Deno.writeTextFile(join(standin.root, "outside.txt"), "host secret");
    const a = await sandbox({ "real.txt": "real\n", "etc/hosts.txt": "in sandbox\n" });
    await Deno.symlink("/", join(a.root, "to-root"));
    await Deno.symlink("../../../../..", join(a.root, "up"));
    await Deno.symlink("../../../../../../outside.txt", join(a.root, "escape.txt"));
    await Deno.symlink("real.txt", join(a.root, "inside-link.txt"));
    await Deno.writeTextFile(join(a.root, "cafe\u0301.txt"), "NFD name");
    const pulled = await runAll(client, "pull", { workspaceId, sandboxId: a.id });
    const refused = new Map(pulled.pages[0]!.refused.map((r) => [r.path, r.reason]));
    assert.equal(refused.get("to-root"), "symlink");
    // Links that climb out of the sandbox have no type envd can report: the SDK drops them
    // from listings, so the bridge never even sees them (skipped, not followed).
    assert.equal(refused.has("up") || refused.has("escape.txt"), false);
    assert.equal(refused.get("inside-link.txt"), "symlink");
    assert.equal(refused.get("cafe\u0301.txt"), "invalid_path");
    assert.deepEqual([...(await workspaceFiles(sql, workspaceId)).keys()].sort(), [
      "etc/hosts.txt",
      "real.txt",
    ]);
    const [leak] = await sql<{ n: number }[]>`
      select count(*)::int as n from sandsync.versions
      where workspace_id = ${workspaceId} and sha256 = ${sha256("host secret")}`;
    assert.equal(leak?.n, 0, "nothing from outside the sandbox was committed");
  }));

Deno.test("a symlinked root is refused; restore skips files below a symlinked directory", () =>
  withBridge(async ({ client, workspaceId, sandbox, standin }) => {
    const a = await sandbox({ "dir/a.txt": "a\n", "b.txt": "b\n" });
    await runAll(client, "pull", { workspaceId, sandboxId: a.id });
    await Deno.symlink("/", join(a.root, "linked"));
    for (const op of ["pull", "restore"]) {
      const answer = await client.call<{ code: string }>("POST", `e2b-bridge/${op}`, {
        workspaceId,
        sandboxId: a.id,
        root: `${ROOT}/linked`,
      });
      assert.deepEqual([op, answer.status, answer.body.code], [op, 400, "sandbox_path_refused"]);
    }

    const b = await sandbox();
    const elsewhere = join(standin.sandboxDir(b.id), "elsewhere");
    await Deno.mkdir(elsewhere);
    await Deno.symlink("/elsewhere", join(b.root, "dir"));
    const restored = await runAll(client, "restore", { workspaceId, sandboxId: b.id, root: ROOT });
    assert.deepEqual(restored.pages[0]!.refused, [{
      path: "dir/a.txt",
      reason: "symlinked_parent",
    }]);
    assert.equal(await Deno.readTextFile(join(b.root, "b.txt")), "b\n");
    assert.deepEqual([...Deno.readDirSync(elsewhere)], [], "nothing written through the link");
  }));
