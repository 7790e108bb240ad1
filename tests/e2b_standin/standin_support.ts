/**
 * Test helpers: a stand-in on a free port over a temp directory, one sandbox in it, and the
 * real `e2b` SDK connected to that sandbox in debug mode.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { Sandbox } from "e2b";
import { type EnvdStandin, startEnvdStandin } from "./standin.ts";

/** What a test gets. */
export interface SandboxFixture {
  readonly standin: EnvdStandin;
  /** The SDK's handle on the sandbox. */
  readonly sandbox: Sandbox;
  /** The sandbox id. */
  readonly id: string;
  /** Host directory of the sandbox's `/`. */
  readonly dir: string;
}

/** Connects the SDK to sandbox `id` of `standin` (debug mode, given by options, not env). */
export function connect(standin: EnvdStandin, id: string): Promise<Sandbox> {
  return Sandbox.connect(id, { debug: true, sandboxUrl: standin.url });
}

/** Runs `work` against a fresh stand-in and sandbox, then removes both. */
export async function withSandbox(work: (fixture: SandboxFixture) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "envd-standin-" });
  const standin = await startEnvdStandin({ root });
  try {
    const id = `sbx-${crypto.randomUUID().slice(0, 8)}`;
    const dir = await standin.createSandbox(id);
    await work({ standin, sandbox: await connect(standin, id), id, dir });
  } finally {
    await standin.close();
    await Deno.remove(root, { recursive: true });
  }
}

/** SHA-256 of bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** `size` pseudo-random bytes (deterministic per seed, not compressible). */
export function randomBytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
