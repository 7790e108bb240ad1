import assert from "node:assert/strict";
import { join } from "node:path";
import { type TarEntry, TarFormatError, TarReader } from "./tar_reader.ts";
import { tarStream } from "./tar_writer.ts";

const encoder = new TextEncoder();

function streamOf(bytes: Uint8Array, chunk = 700): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

async function entries(bytes: Uint8Array, maxBytes = 1 << 30) {
  const reader = new TarReader(streamOf(bytes), { maxBytes });
  const found: (TarEntry & { text: string })[] = [];
  for (let entry = await reader.next(); entry; entry = await reader.next()) {
    found.push({ ...entry, text: new TextDecoder().decode(await reader.readAll()) });
  }
  return found;
}

/** A raw header block, checksum filled in (`fields` patch it before the sum). */
function rawHeader(name: string, size: number, type: string, patch?: (b: Uint8Array) => void) {
  const block = new Uint8Array(512);
  block.set(encoder.encode(name).subarray(0, 100));
  block.set(encoder.encode("0000644\0"), 100);
  block.set(encoder.encode(size.toString(8).padStart(11, "0") + "\0"), 124);
  block.fill(0x20, 148, 156);
  block[156] = type.charCodeAt(0);
  block.set(encoder.encode("ustar\u000000"), 257);
  patch?.(block);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.set(encoder.encode(sum.toString(8).padStart(6, "0") + "\0"), 148);
  return block;
}

function archive(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + Math.ceil(p.byteLength / 512) * 512, 0) + 1024;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += Math.ceil(part.byteLength / 512) * 512;
  }
  return out;
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("TarReader reads what tarStream writes, long names and empty files included", async () => {
  const long = `${"d".repeat(80)}/${"e".repeat(80)}/ünïcödé name.txt`;
  const files = [
    { name: "a.txt", text: "hello" },
    { name: long, text: "x".repeat(1500) },
    { name: "empty", text: "" },
  ];
  const tar = await bytesOf(tarStream(files.map((file) => ({
    name: file.name,
    size: encoder.encode(file.text).byteLength,
    open: () => Promise.resolve(encoder.encode(file.text)),
  }))));
  assert.deepEqual(
    (await entries(tar)).map((e) => [e.name, e.kind, e.size, e.text]),
    files.map((f) => [f.name, "file", f.text.length, f.text]),
  );
});

Deno.test("tarStream pads a short body and cuts a long one to the declared size", async () => {
  const tar = await bytesOf(tarStream([
    { name: "short", size: 4, open: () => Promise.resolve(encoder.encode("ab")) },
    { name: "long", size: 2, open: () => Promise.resolve(new Blob(["abcdef"]).stream()) },
    { name: "gone", size: 2, open: () => Promise.resolve(undefined) },
  ]));
  assert.deepEqual((await entries(tar)).map((e) => [e.name, e.text]), [
    ["short", "ab\0\0"],
    ["long", "ab"],
  ]);
});

Deno.test("TarReader reads GNU tar's own archives (long names, pax, hard links, symlinks)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const long = `${"n".repeat(120)}.txt`;
    await Deno.writeTextFile(join(dir, long), "long");
    await Deno.writeTextFile(join(dir, "a.txt"), "aaa");
    await Deno.link(join(dir, "a.txt"), join(dir, "hard.txt"));
    await Deno.symlink("/etc/passwd", join(dir, "link"));
    const run = async (format: string[]) => {
      const { stdout } = await new Deno.Command("tar", {
        args: ["-c", ...format, "-f", "-", "--no-recursion", "./a.txt", "./hard.txt", long, "link"],
        cwd: dir,
        stdout: "piped",
      }).output();
      return (await entries(stdout)).map((e) => [e.name, e.kind, e.text]);
    };
    for (const format of [[], ["--format=pax"], ["--format=ustar"]]) {
      const got = await run(format);
      if (format[0] === "--format=ustar") {
        // ustar cannot name a 124-byte file without a '/': tar leaves it out.
        assert.deepEqual(got.map((e) => e[0]), ["./a.txt", "./hard.txt", "link"]);
        continue;
      }
      assert.deepEqual(got, [
        ["./a.txt", "file", "aaa"],
        ["./hard.txt", "hardlink", ""],
        [long, "file", "long"],
        ["link", "symlink", ""],
      ], format.join(" "));
    }
    const dereferenced = await new Deno.Command("tar", {
      args: ["-c", "-f", "-", "--hard-dereference", "./a.txt", "./hard.txt"],
      cwd: dir,
      stdout: "piped",
    }).output();
    assert.deepEqual((await entries(dereferenced.stdout)).map((e) => [e.kind, e.text]), [
      ["file", "aaa"],
      ["file", "aaa"],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TarReader reports hostile names and kinds as they are, for the caller to refuse", async () => {
  const tar = archive(
    rawHeader("../../etc/passwd", 3, "0"),
    encoder.encode("abc"),
    rawHeader("/etc/shadow", 0, "0"),
    rawHeader("dev", 0, "3"),
    rawHeader("fifo", 0, "6"),
    rawHeader("dir/", 0, "5"),
    rawHeader("bad\xff", 0, "0", (b) => (b[3] = 0xff)),
  );
  assert.deepEqual((await entries(tar)).map((e) => [e.name, e.kind]), [
    ["../../etc/passwd", "file"],
    ["/etc/shadow", "file"],
    ["dev", "other"],
    ["fifo", "other"],
    ["dir/", "dir"],
    [null, "file"],
  ]);
});

Deno.test("TarReader refuses bad checksums, huge or malformed sizes, big extensions and truncation", async () => {
  const good = rawHeader("a", 3, "0");
  const cases: [string, Uint8Array][] = [
    ["bad checksum", archive(rawHeader("a", 0, "0", () => {}).map((b, i) => i === 0 ? 0x62 : b))],
    ["huge size runs past the end", archive(rawHeader("a", 2 ** 40, "0"))],
    ["malformed size", archive(rawHeader("a", 0, "0", (b) => b.set(encoder.encode("9x"), 124)))],
    [
      "negative base-256 size",
      archive(rawHeader("a", 0, "0", (b) => {
        b.fill(0xff, 124, 136);
      })),
    ],
    ["oversized pax header", archive(rawHeader("p", 1 << 20, "x"))],
    ["truncated data", good.slice(0, 512)],
  ];
  for (const [what, bytes] of cases) {
    await assert.rejects(() => entries(bytes), TarFormatError, what);
  }
  // The cap on the whole stream holds whatever the headers claim.
  const big = archive(rawHeader("a", 4096, "0"), new Uint8Array(4096));
  await assert.rejects(
    () => entries(big, 2048),
    (e) => e instanceof TarFormatError && /exceeds/.test(e.message),
  );
});

Deno.test("TarReader rethrows the source's own errors unchanged", async () => {
  let pulls = 0;
  const broken = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulls++ === 0) controller.enqueue(rawHeader("a", 100, "0"));
      else controller.error(new TypeError("connection reset"));
    },
  });
  const reader = new TarReader(broken, { maxBytes: 1 << 20 });
  const entry = await reader.next();
  assert.deepEqual(entry?.name, "a");
  await assert.rejects(() => reader.readAll(), { name: "TypeError", message: "connection reset" });
});
