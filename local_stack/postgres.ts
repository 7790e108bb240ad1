/**
 * An ephemeral PostgreSQL cluster built from the server binaries on this machine, for the local
 * stack and the tests. As root it runs the server as the unprivileged `postgres` user (initdb
 * refuses to run as root).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { freePort, isPortFree } from "./ports.ts";

/** A running cluster owned by this process. */
export interface PostgresCluster {
  /** Superuser connection URL. */
  readonly url: string;
  readonly port: number;
  /** Fast shutdown; resolves when the server has exited. */
  stop(): Promise<void>;
}

/** Options for {@linkcode startPostgres}. */
export interface StartPostgresOptions {
  /** Directory for the cluster's data (created; must not hold a cluster yet). */
  readonly dataDir: string;
  /** Preferred port; a busy one is replaced by a free one. */
  readonly port?: number;
  /** Where the server's log goes (default: `<dataDir>/../postgres.log`). */
  readonly logFile?: string;
}

/** Finds the directory holding `initdb` and `postgres`: PATH first, then Debian's layout. */
export function findPostgresBinDir(): string {
  const fromPath = (Deno.env.get("PATH") ?? "").split(":").find((dir) =>
    dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres"))
  );
  // Debian links a few binaries into /usr/local/bin; the real directory has all of them.
  if (fromPath) return dirname(Deno.realPathSync(join(fromPath, "initdb")));
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? [...Deno.readDirSync(root)].map((entry) => entry.name).filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const dir = join(root, version, "bin");
    if (existsSync(join(dir, "initdb"))) return dir;
  }
  throw new Error(
    "Cannot find PostgreSQL server binaries: install postgresql (initdb, postgres) or set DATABASE_URL",
  );
}

interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

function unprivilegedUser(): RunAs {
  if (Deno.uid() !== 0) return {};
  const passwd = Deno.readTextFileSync("/etc/passwd").split("\n");
  for (const name of ["postgres", "nobody"]) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(":");
    if (fields?.[2] && fields[3]) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error('Running as root needs a "postgres" or "nobody" user to run PostgreSQL');
}

async function run(command: string, args: string[], runAs: RunAs): Promise<void> {
  const output = await new Deno.Command(command, {
    args,
    ...runAs,
    stdout: "piped",
    stderr: "piped",
    env: { LC_ALL: "C.UTF-8" },
  }).output();
  if (!output.success) {
    const detail = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`${command} failed: ${detail}`);
  }
}

/** Creates a fresh cluster in `dataDir` and starts it; see {@linkcode PostgresCluster}. */
export async function startPostgres(options: StartPostgresOptions): Promise<PostgresCluster> {
  const bin = findPostgresBinDir();
  const runAs = unprivilegedUser();
  const { dataDir } = options;
  const socketDir = `${dataDir}.sock`;
  for (const dir of [dataDir, socketDir]) {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    if (runAs.uid !== undefined) await Deno.chown(dir, runAs.uid, runAs.gid ?? null);
  }
  // UTF8 explicitly: without a UTF-8 locale initdb picks SQL_ASCII and normalize() fails.
  await run(join(bin, "initdb"), [
    "-D",
    dataDir,
    "-U",
    "postgres",
    "-A",
    "trust",
    "-E",
    "UTF8",
    "--locale=C.UTF-8",
    "--no-sync",
  ], runAs);

  const preferred = options.port ?? 0;
  const port = preferred > 0 && await isPortFree(preferred) ? preferred : await freePort();
  const logFile = options.logFile ?? `${dataDir}.log`;
  const log = await Deno.open(logFile, { create: true, append: true });
  const child = new Deno.Command(join(bin, "postgres"), {
    args: [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-k",
      socketDir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=300",
      // An ephemeral cluster: durability buys nothing here, speed does.
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "shared_buffers=128MB",
    ],
    ...runAs,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { LC_ALL: "C.UTF-8" },
  }).spawn();
  child.stderr.pipeTo(log.writable).catch(() => {});
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  await waitForReady(bin, port, () => exited, logFile);
  return {
    url,
    port,
    async stop() {
      if (!exited) {
        try {
          child.kill("SIGINT"); // fast shutdown: roll back and close sessions
        } catch { /* already gone */ }
      }
      await status;
      await Deno.remove(socketDir, { recursive: true }).catch(() => {});
    },
  };
}

async function waitForReady(
  bin: string,
  port: number,
  exited: () => boolean,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited()) {
      const log = await Deno.readTextFile(logFile).catch(() => "");
      throw new Error(`PostgreSQL exited during start-up:\n${log.slice(-2000)}`);
    }
    const probe = await new Deno.Command(join(bin, "pg_isready"), {
      args: ["-h", "127.0.0.1", "-p", String(port), "-q"],
      stdout: "null",
      stderr: "null",
    }).output();
    if (probe.success) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`PostgreSQL did not accept connections on port ${port} within 30 s`);
}
