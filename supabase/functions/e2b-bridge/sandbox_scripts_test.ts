import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { sha256Hex } from "../../../shared/hash.ts";
import {
  archiveMode,
  inspectScript,
  installScript,
  parseFindTime,
  parseInspection,
  parseInstall,
  parsePullScript,
  pullScript,
  removeScript,
} from "./sandbox_scripts.ts";
import { TarReader } from "./tar_reader.ts";
import { tarStream } from "./tar_writer.ts";

const ODD = [
  "dir with space/file name.txt",
  "quote's/it's \"quoted\".txt",
  "-leading-dash.txt",
  "shell/$(echo pwned);`id`&|*.txt",
  "ünïcödé/日本語.md",
  `${"deep/".repeat(30)}leaf.txt`,
];

/** Runs a script as the SDK does (`bash -c`, working directory at the root). */
async function run(root: string, script: string): Promise<string> {
  const { stdout } = await new Deno.Command("bash", {
    args: ["-c", script],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return new TextDecoder().decode(stdout);
}

async function withRoot(work: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "scripts-test-" });
  try {
    await work(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function write(root: string, path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(join(root, path)), { recursive: true });
  await Deno.writeTextFile(join(root, path), text);
}

async function tarEntries(bytes: Uint8Array) {
  const reader = new TarReader(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(), {
    maxBytes: 1 << 24,
  });
  const found: [string | null, string, string][] = [];
  for (let entry = await reader.next(); entry; entry = await reader.next()) {
    found.push([entry.name, entry.kind, new TextDecoder().decode(await reader.readAll())]);
  }
  return found;
}

Deno.test("parseFindTime() truncates find's seconds to milliseconds like envd", () => {
  assert.equal(parseFindTime("1796490701.5900299500"), 1796490701590);
  assert.equal(parseFindTime("12.5"), 12500);
  assert.equal(parseFindTime("7"), 7000);
  assert.equal(parseFindTime("garbage"), 0);
});

Deno.test("pullScript() hashes odd names, archives only what is not known, skips the missing", () =>
  withRoot(async (root) => {
    for (const path of ODD) await write(root, path, `content of ${path}`);
    await write(root, "known.txt", "known");
    await Deno.symlink("/etc/hostname", join(root, "swapped.txt"));
    const paths = [...ODD, "known.txt", "missing.txt", "swapped.txt"];
    const known = new Map([["known.txt", [sha256Hex("old"), sha256Hex("known")]]]);
    const tar = ".sandsync-tmp-x.tar";
    const out = parsePullScript(await run(root, pullScript({ paths, known, tar })), new Set(paths));
    assert.equal(out.archived, true);
    for (const path of ODD) {
      assert.deepEqual(out.hashes.get(path), {
        sha256: sha256Hex(`content of ${path}`),
        changed: true,
      });
    }
    assert.deepEqual(out.hashes.get("known.txt"), { sha256: sha256Hex("known"), changed: false });
    assert.equal(out.hashes.has("missing.txt"), false);
    const entries = await tarEntries(await Deno.readFile(join(root, tar)));
    // The archive holds the changed files by `./` name; a file swapped for a symlink after the
    // listing stays a symlink entry (never followed), for the reader to refuse.
    assert.deepEqual(
      entries.filter(([name]) => name !== "./swapped.txt"),
      ODD.map((path) => [`./${path}`, "file", `content of ${path}`]),
    );
    assert.deepEqual(entries.find(([name]) => name === "./swapped.txt")?.[1], "symlink");
  }));

Deno.test("parsePullScript() drops lines about paths it did not ask for", () => {
  const hash = "a".repeat(64);
  const out = parsePullScript(
    `C ${hash} asked\nC ${hash} ../../etc/passwd\nT 0\n`,
    new Set(["asked"]),
  );
  assert.deepEqual([...out.hashes.keys()], ["asked"]);
});

Deno.test("inspectScript() tells symlinked directories, and hashes and stats regular files only", () =>
  withRoot(async (root) => {
    const outside = await Deno.makeTempDir();
    try {
      await write(root, "a/b/file.txt", "here");
      await write(outside, "victim.txt", "outside");
      await Deno.symlink(outside, join(root, "a/link"));
      await Deno.symlink("file.txt", join(root, "a/b/alias.txt"));
      const paths = ["a/b/file.txt", "a/link/victim.txt", "a/link/deeper/x", "a/b/alias.txt", "no"];
      const found = parseInspection(await run(root, inspectScript(paths)), new Set(paths));
      assert.deepEqual([...found.linked].sort(), ["a/link/deeper/x", "a/link/victim.txt"]);
      const stat = await Deno.stat(join(root, "a/b/file.txt"));
      assert.deepEqual([...found.files], [["a/b/file.txt", {
        size: 4,
        mtimeMs: stat.mtime!.getTime(),
        sha256: sha256Hex("here"),
      }]]);
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  }));

Deno.test("installScript() verifies, sets modes, renames per directory and never writes through a symlink", () =>
  withRoot(async (root) => {
    const outside = await Deno.makeTempDir();
    try {
      await write(root, "keep/old.txt", "old");
      await Deno.mkdir(join(root, "taken/dir.txt"), { recursive: true });
      await Deno.symlink(outside, join(root, "linked"));
      await Deno.symlink("/etc/passwd", join(root, "keep/was-link.txt"));
      const files = [
        { path: "top.txt", text: "top", mode: 0o644 },
        { path: "keep/old.txt", text: "new", mode: 0o755 },
        { path: "keep/was-link.txt", text: "now a file", mode: 0o644 },
        { path: "keep/private", text: "p", mode: 0o400 },
        { path: "new/deep/dir/f.txt", text: "deep", mode: 0o640 },
        { path: "linked/evil.txt", text: "evil", mode: 0o644 },
        { path: "taken/dir.txt", text: "x", mode: 0o644 },
        { path: "bad.txt", text: "damaged", mode: 0o644 },
        ...ODD.map((path) => ({ path, text: path, mode: 0o644 })),
      ];
      const dirs = new Map<string, number>();
      const members = files.map((file) => {
        const dir = file.path.includes("/") ? file.path.slice(0, file.path.lastIndexOf("/")) : "";
        if (!dirs.has(dir)) dirs.set(dir, dirs.size);
        const base = file.path.slice(file.path.lastIndexOf("/") + 1);
        return { ...file, member: `${dirs.get(dir)}/${base}`, sha256: sha256Hex(file.text) };
      });
      const tar = ".sandsync-tmp-t.tar";
      const archive = tarStream(members.map((m) => {
        const bytes = new TextEncoder().encode(m.path === "bad.txt" ? "DAMAGED" : m.text);
        return {
          name: m.member,
          size: bytes.byteLength,
          mode: archiveMode(m.mode),
          open: () => Promise.resolve(bytes),
        };
      }));
      await Deno.writeFile(join(root, tar), archive);
      const script = installScript({ tar, staging: ".sandsync-tmp-t", files: members });
      const asked = new Set(files.map((file) => file.path));
      const out = parseInstall(await run(root, script), asked);
      assert.equal(out.failed, null);
      assert.deepEqual(out.refused.toSorted((a, b) => a.path < b.path ? -1 : 1), [
        { path: "bad.txt", reason: "hash_mismatch" },
        { path: "linked/evil.txt", reason: "symlinked_parent" },
        { path: "taken/dir.txt", reason: "not_a_file" },
      ]);
      assert.deepEqual([...Deno.readDirSync(outside)], [], "nothing written through the link");
      for (const file of files) {
        if (out.refused.some((r) => r.path === file.path)) continue;
        const info = await Deno.lstat(join(root, file.path));
        assert.ok(info.isFile, file.path);
        assert.equal(info.mode! & 0o777, file.mode, file.path);
        assert.deepEqual(out.written.get(file.path), {
          size: info.size,
          mtimeMs: info.mtime!.getTime(),
        });
        if (file.mode & 0o400) {
          assert.equal(await Deno.readTextFile(join(root, file.path)), file.text);
        }
      }
      assert.equal(out.written.size, files.length - 3);
      const left = [...Deno.readDirSync(root)].map((e) => e.name);
      assert.equal(left.some((name) => name.startsWith(".sandsync-tmp-")), false, "no temp left");
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  }));

Deno.test("installScript() reports an archive it cannot unpack and leaves nothing behind", () =>
  withRoot(async (root) => {
    await Deno.writeTextFile(join(root, ".sandsync-tmp-u.tar"), "not a tar");
    const script = installScript({
      tar: ".sandsync-tmp-u.tar",
      staging: ".sandsync-tmp-u",
      files: [{ path: "a", member: "0/a", sha256: sha256Hex("a"), mode: 0o644 }],
    });
    const out = parseInstall(await run(root, script), new Set(["a"]));
    assert.equal(out.failed, "tar");
    assert.deepEqual([...Deno.readDirSync(root)], []);
  }));

Deno.test("removeScript() removes files and symlinks, never directories", () =>
  withRoot(async (root) => {
    await write(root, "a b/c's.txt", "x");
    await write(root, "dir/inside.txt", "kept");
    await Deno.symlink("/", join(root, "link"));
    await run(root, removeScript(["a b/c's.txt", "dir", "link", "missing"]));
    const left = [...Deno.readDirSync(root)].map((e) => e.name).sort();
    assert.deepEqual(left, ["a b", "dir"]);
    assert.equal(await Deno.readTextFile(join(root, "dir/inside.txt")), "kept");
  }));
