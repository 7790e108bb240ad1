/**
 * The stand-in's control API through the unmodified `e2b` SDK, not in debug mode: create with
 * metadata, getInfo, list filtered by metadata and paged, connect, kill; keys are teams; envd
 * answers only with the access token the control API issued.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { AuthenticationError, Sandbox, SandboxNotFoundError } from "e2b";
import { ENVD_VERSION, STANDIN_API_KEY, STANDIN_OTHER_TEAM_KEY } from "./control_api.ts";
import { type EnvdStandin, startEnvdStandin } from "./standin.ts";

async function withStandin(work: (standin: EnvdStandin) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "e2b-standin-" });
  const standin = await startEnvdStandin({ root });
  try {
    await work(standin);
  } finally {
    await standin.close();
    await Deno.remove(root, { recursive: true });
  }
}

const opts = (standin: EnvdStandin, apiKey = STANDIN_API_KEY) => ({
  apiKey,
  apiUrl: standin.url,
  sandboxUrl: standin.url,
  debug: false,
});

Deno.test("Sandbox.create() records metadata, getInfo() reads it, files land in its own dir", () =>
  withStandin(async (standin) => {
    const metadata = { sandsync_owner: crypto.randomUUID(), purpose: "a b%c" };
    const sandbox = await Sandbox.create("base", { ...opts(standin), metadata });
    assert.match(sandbox.sandboxId, /^[a-z0-9]{20}$/);
    const info = await Sandbox.getInfo(sandbox.sandboxId, opts(standin));
    assert.deepEqual(info.metadata, metadata);
    assert.equal(info.envdVersion, ENVD_VERSION);
    assert.equal(info.templateId, "base");
    await sandbox.files.write("/home/user/project/a.txt", "hello");
    assert.equal(
      await Deno.readTextFile(
        join(standin.sandboxDir(sandbox.sandboxId), "home/user/project/a.txt"),
      ),
      "hello",
    );
    const again = await Sandbox.connect(sandbox.sandboxId, opts(standin));
    assert.equal(await again.files.read("/home/user/project/a.txt"), "hello");
  }));

Deno.test("another key is another team: it can neither see, connect to nor kill the sandbox", () =>
  withStandin(async (standin) => {
    const sandbox = await Sandbox.create("base", opts(standin));
    const other = opts(standin, STANDIN_OTHER_TEAM_KEY);
    await assert.rejects(Sandbox.getInfo(sandbox.sandboxId, other), SandboxNotFoundError);
    await assert.rejects(Sandbox.connect(sandbox.sandboxId, other), SandboxNotFoundError);
    assert.equal(await Sandbox.kill(sandbox.sandboxId, other), false);
    await assert.rejects(
      Sandbox.getInfo(sandbox.sandboxId, opts(standin, "e2b_wrong")),
      AuthenticationError,
    );
    assert.equal(
      (await Sandbox.getInfo(sandbox.sandboxId, opts(standin))).sandboxId,
      sandbox.sandboxId,
    );
  }));

Deno.test("envd refuses a request without the sandbox's access token", () =>
  withStandin(async (standin) => {
    const sandbox = await Sandbox.create("base", opts(standin));
    await sandbox.files.write("/home/user/secret.txt", "mine");
    const forged = await fetch(`${standin.url}/files?path=/home/user/secret.txt`, {
      headers: { "E2b-Sandbox-Id": sandbox.sandboxId },
    });
    assert.equal(forged.status, 401);
    await forged.body?.cancel();
    // Debug mode names the sandbox but carries no token: refused too.
    const debug = await Sandbox.connect(sandbox.sandboxId, {
      debug: true,
      sandboxUrl: standin.url,
    });
    await assert.rejects(debug.files.read("/home/user/secret.txt"));
  }));

Deno.test("Sandbox.list() filters by metadata and pages; kill() removes the sandbox", () =>
  withStandin(async (standin) => {
    const owner = crypto.randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await Sandbox.create("base", { ...opts(standin), metadata: { owner } });
      ids.push(s.sandboxId);
    }
    await Sandbox.create("base", { ...opts(standin), metadata: { owner: "someone else" } });
    const paginator = Sandbox.list({ ...opts(standin), query: { metadata: { owner } }, limit: 2 });
    const seen: string[] = [];
    let pages = 0;
    while (paginator.hasNext) {
      seen.push(...(await paginator.nextItems()).map((s) => s.sandboxId));
      pages++;
    }
    assert.deepEqual(seen.sort(), ids.sort());
    assert.equal(pages, 3);
    assert.equal(await Sandbox.kill(ids[0]!, opts(standin)), true);
    await assert.rejects(Sandbox.getInfo(ids[0]!, opts(standin)), SandboxNotFoundError);
    assert.equal(await Deno.stat(standin.sandboxDir(ids[0]!)).catch(() => null), null);
  }));

Deno.test("a restarted stand-in over the same root still knows its sandboxes", async () => {
  const root = await Deno.makeTempDir({ prefix: "e2b-standin-" });
  try {
    const first = await startEnvdStandin({ root });
    const sandbox = await Sandbox.create("base", { ...opts(first), metadata: { k: "v" } });
    await first.close();
    const second = await startEnvdStandin({ root });
    try {
      const info = await Sandbox.getInfo(sandbox.sandboxId, opts(second));
      assert.deepEqual(info.metadata, { k: "v" });
    } finally {
      await second.close();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
