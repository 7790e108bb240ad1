/**
 * The raw-transfer reference: `curl` against the same Storage server the agent uses (through
 * the same gateway), uploading with `curl -T` (a POST of the file as the service role) and
 * downloading a signed URL to a file. Plus the large random file both are given.
 *
 * @module
 */
import type { StackEnv } from "../../tests/support/stack_env.ts";
import { createSha256 } from "../../shared/hash.ts";
import { timed } from "./stats.ts";

/** Writes `bytes` random bytes to `path`, 8 MiB at a time. */
export async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const chunk = new Uint8Array(8 * 1024 * 1024);
    for (let written = 0; written < bytes; written += chunk.byteLength) {
      const part = chunk.subarray(0, Math.min(chunk.byteLength, bytes - written));
      for (let i = 0; i < part.length; i += 65536) {
        crypto.getRandomValues(part.subarray(i, i + 65536));
      }
      let offset = 0;
      while (offset < part.length) offset += await file.write(part.subarray(offset));
    }
  } finally {
    file.close();
  }
}

/** SHA-256 of a file, streamed. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createSha256();
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digestHex();
}

/** Creates a private bucket for the reference transfers; returns its id. */
export async function createBucket(env: StackEnv): Promise<string> {
  const bucket = `bench-${crypto.randomUUID().slice(0, 8)}`;
  const response = await fetch(`${env.apiUrl}/storage/v1/bucket`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.serviceRoleKey}`, "content-type": "application/json" },
    body: JSON.stringify({ id: bucket, name: bucket, public: false }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`create bucket: HTTP ${response.status}: ${text}`);
  return bucket;
}

async function curl(args: string[], what: string): Promise<void> {
  const output = await new Deno.Command("curl", {
    args: ["-sS", "-w", "%{http_code}", ...args],
    stdin: "null",
  }).output();
  const code = new TextDecoder().decode(output.stdout).slice(-3);
  if (!output.success || code !== "200") {
    throw new Error(`${what}: HTTP ${code}: ${new TextDecoder().decode(output.stderr)}`);
  }
}

/** `curl -T file` to `bucket/key`; returns ms. */
export function curlUpload(env: StackEnv, file: string, target: { bucket: string; key: string }) {
  return timed(() =>
    curl([
      "-o",
      "/dev/null",
      "-X",
      "POST",
      "-H",
      `authorization: Bearer ${env.serviceRoleKey}`,
      "-H",
      "content-type: application/octet-stream",
      "-T",
      file,
      `${env.apiUrl}/storage/v1/object/${target.bucket}/${target.key}`,
    ], "curl upload")
  );
}

/** A signed download URL of `bucket/key`, valid for an hour. */
export async function signedUrl(env: StackEnv, target: { bucket: string; key: string }) {
  const response = await fetch(
    `${env.apiUrl}/storage/v1/object/sign/${target.bucket}/${target.key}`,
    {
      method: "POST",
      headers: {
        authorization: `Bearer ${env.serviceRoleKey}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ expiresIn: 3600 }),
    },
  );
  const body = await response.json() as { signedURL?: string };
  if (!response.ok || !body.signedURL) throw new Error(`sign: HTTP ${response.status}`);
  return `${env.apiUrl}/storage/v1${body.signedURL}`;
}

/** `curl -o file <signed url>`; returns ms. */
export function curlDownload(url: string, file: string) {
  return timed(() => curl(["-o", file, url], "curl download"));
}
