// The defined behaviours for the file kinds that are not plain files (docs/backend/FILE-SYNC.md,
// "Defined behaviours"): executable bits travel, empty directories and symlinks do not, a
// directory emptied by a remote delete goes, a case-only rename arrives as the new name, and a
// name that is not NFC is skipped (never half-synced).
import assert from "node:assert/strict";
import { join } from "node:path";
import { cleanup, newAccount, newRoot, tree, write } from "./support.ts";

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

Deno.test("executable bits, empty dirs, symlinks, case-only renames and non-NFC names", async () => {
  const { config, workspace } = await newAccount("special");
  const a = await newRoot(config, workspace);
  const b = await newRoot(config, workspace);
  try {
    await write(a.dir, "bin/run.sh", "#!/bin/sh\necho hi\n");
    await Deno.chmod(join(a.dir, "bin/run.sh"), 0o755);
    await write(a.dir, "Readme.md", "# Read me\n");
    await write(a.dir, "only/child.txt", "alone\n");
    await Deno.mkdir(join(a.dir, "empty/nested"), { recursive: true });
    await Deno.symlink("Readme.md", join(a.dir, "link.md"));
    await write(a.dir, "cafe\u0301.txt", "decomposed name\n"); // NFD, not NFC
    const first = await a.sync();
    assert.ok(first.skipped >= 2, "the symlink and the non-NFC name are skipped");
    await b.sync();

    assert.equal((await Deno.stat(join(b.dir, "bin/run.sh"))).mode! & 0o777, 0o755);
    assert.equal(await exists(join(b.dir, "empty")), false, "empty directories are not synced");
    assert.equal(await exists(join(b.dir, "link.md")), false, "symlinks are not synced");
    assert.equal(await exists(join(b.dir, "cafe\u0301.txt")), false);
    assert.equal(await exists(join(b.dir, "caf\u00e9.txt")), false, "nor renamed to NFC");
    assert.deepEqual(Object.keys(await tree(b.dir)).sort(), [
      "Readme.md",
      "bin/run.sh",
      "only/child.txt",
    ]);

    // A case-only rename, and the last file of a directory deleted.
    await Deno.rename(join(a.dir, "Readme.md"), join(a.dir, "README.md"));
    await Deno.remove(join(a.dir, "only/child.txt"));
    await a.sync();
    await b.sync();
    const names = [...Deno.readDirSync(b.dir)].map((entry) => entry.name).sort();
    assert.ok(names.includes("README.md"), JSON.stringify(names));
    assert.ok(!names.includes("Readme.md"), JSON.stringify(names));
    assert.equal(await Deno.readTextFile(join(b.dir, "README.md")), "# Read me\n");
    assert.equal(await exists(join(b.dir, "only")), false, "a directory emptied remotely goes");
  } finally {
    await cleanup(a, b);
  }
});
