import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FunctionWorkers } from "./function_workers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function source(reply: string): string {
  return `Deno.serve(() => new Response(${
    JSON.stringify(reply)
  } + " " + Deno.env.get("GREETING")));\n`;
}

async function text(workers: FunctionWorkers, name: string): Promise<string> {
  const response = await workers.fetch(name, new Request("http://x/"), `/${name}`);
  return await response.text();
}

Deno.test("FunctionWorkers picks up an edited function without a restart", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "echo"));
  const file = join(dir, "echo", "index.ts");
  await Deno.writeTextFile(file, source("v1"));
  const workers = new FunctionWorkers({
    functionsDir: dir,
    cwd: ROOT,
    env: () => ({ GREETING: "hello" }),
  });
  try {
    assert.equal(await text(workers, "echo"), "v1 hello");
    await Deno.writeTextFile(file, source("v2"));
    const deadline = Date.now() + 10_000;
    let seen = "";
    while (Date.now() < deadline && seen !== "v2 hello") {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await text(workers, "echo");
    }
    assert.equal(seen, "v2 hello");
  } finally {
    await workers.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FunctionWorkers gives functions only the environment it is told to", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "env"));
  await Deno.writeTextFile(
    join(dir, "env", "index.ts"),
    'Deno.serve(() => Response.json({ secret: Deno.env.get("SANDSYNC_TEST_LEAK") ?? null, url: Deno.env.get("SUPABASE_URL") }));\n',
  );
  Deno.env.set("SANDSYNC_TEST_LEAK", "parent-only");
  const workers = new FunctionWorkers({
    functionsDir: dir,
    cwd: ROOT,
    env: () => ({ SUPABASE_URL: "http://api.test" }),
  });
  try {
    const response = await workers.fetch("env", new Request("http://x/"), "/env");
    assert.deepEqual(await response.json(), { secret: null, url: "http://api.test" });
  } finally {
    Deno.env.delete("SANDSYNC_TEST_LEAK");
    await workers.close();
    await Deno.remove(dir, { recursive: true });
  }
});
