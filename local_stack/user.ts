/**
 * `deno task user <email> [--ttl <duration>] [--password <password>]`: creates a local user
 * (idempotent) in the running stack's database and prints only its access token, for
 * `Authorization: Bearer`. With `--password` the user (new or existing) gets that password and
 * can sign in through `/auth/v1` (supabase-js `signInWithPassword`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadStackConfig } from "./config.ts";
import { parseDotenv } from "./dotenv.ts";
import { createUser } from "./users.ts";

const USAGE =
  "Usage: deno task user <email> [--ttl <duration, e.g. 3600, 30m, 12h, 7d>] [--password <password>]";

/** Parses `3600`, `90s`, `30m`, `12h` or `7d` into seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`Invalid duration: "${text}"`);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "" | "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { ttl: { type: "string" }, password: { type: "string" } },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
    return 2;
  }
  const [email, ...extra] = parsed.positionals;
  if (!email || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const config = loadStackConfig();
  let env: Record<string, string>;
  try {
    env = parseDotenv(await Deno.readTextFile(config.envFile));
  } catch {
    console.error(
      `No running stack: cannot read "${config.envFile}"; start one with \`deno task start\``,
    );
    return 1;
  }
  try {
    const ttlSeconds = parsed.values.ttl ? parseDuration(parsed.values.ttl) : undefined;
    const user = await createUser(env.SUPABASE_DB_URL ?? "", email, {
      jwtSecret: env.JWT_SECRET ?? config.jwtSecret,
      ttlSeconds,
      password: parsed.values.password,
    });
    console.log(user.accessToken);
    return 0;
  } catch (error) {
    console.error(`Cannot create user: ${error instanceof Error ? error.message : error}`);
    return error instanceof Error && error.message.startsWith("Invalid") ? 2 : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
