import assert from "node:assert/strict";
import { formatDotenv, parseDotenv } from "./dotenv.ts";

Deno.test("parseDotenv() reads quoted, unquoted, exported and commented lines", () => {
  const values = parseDotenv(
    '# comment\nA=1\nexport B="two words"\nC=\'x#y\'\nD=plain # trailing\n\nbad line\nE="a\\nb"\n',
  );
  assert.deepEqual(values, { A: "1", B: "two words", C: "x#y", D: "plain", E: "a\nb" });
});

Deno.test("formatDotenv() output parses back to the same values", () => {
  const values = { URL: "http://127.0.0.1:54321", KEY: "a.b.c", EMPTY: "" };
  assert.deepEqual(parseDotenv(formatDotenv(values)), values);
});
