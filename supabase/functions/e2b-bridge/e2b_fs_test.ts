import assert from "node:assert/strict";
import { commandBatches, parseSha256sum, shellQuote } from "./e2b_fs.ts";

Deno.test("shellQuote() makes any name one literal shell word", async () => {
  const names = ["plain", "it's", "$(id)", "a b", "`x`;|&*", "-n", "ünï"];
  const command = new Deno.Command("sh", {
    args: ["-c", `printf '%s\\n' ${names.map(shellQuote).join(" ")}`],
  });
  const { stdout } = await command.output();
  assert.deepEqual(new TextDecoder().decode(stdout).trimEnd().split("\n"), names);
});

Deno.test("commandBatches() keeps each command line under the limit, in order", () => {
  const paths = Array.from({ length: 3000 }, (_, i) => `dir/${"x".repeat(40)}-${i}.ts`);
  const batches = commandBatches(paths);
  assert.ok(batches.length > 1);
  assert.deepEqual(batches.flat(), paths);
  assert.deepEqual(commandBatches([]), []);
});

Deno.test("parseSha256sum() reads hashes and keeps spaces in names", () => {
  const hash = "a".repeat(64);
  const parsed = parseSha256sum(
    `${hash}  dir with space/f.txt\n${hash} *bin.dat\nsha256sum: x: No such file\n`,
  );
  assert.deepEqual([...parsed], [["dir with space/f.txt", hash], ["bin.dat", hash]]);
});
