/**
 * Which sandbox directories the bridge may sync: the request's `root` must lie at or below one
 * of the prefixes in the function secret `SANDSYNC_BRIDGE_ROOTS` (comma-separated absolute
 * paths, default `/home/user/project`). Some places are refused whatever the configuration
 * says: `/` and any ancestor of the sandbox user's home, `$HOME` itself (`/home/user`) and its
 * dot-directories (`.ssh`, `.bashrc`, `.config`, a stored login), and `/etc`, `/proc`, `/sys`,
 * `/dev`, `/root` with everything below them. Checked as input, before any E2B call.
 *
 * @module
 */
import { DEFAULT_SANDBOX_ROOT } from "../../../shared/protocol/bridge.ts";
import { errors } from "../../../shared/protocol/errors.ts";

/** The home of the user E2B templates run as (`user`). */
export const SANDBOX_HOME = "/home/user";

/** Trees the bridge never syncs, whatever `SANDSYNC_BRIDGE_ROOTS` says. */
const FORBIDDEN_TREES = ["/etc", "/proc", "/sys", "/dev", "/root"];

function segments(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

/** True when `path` is `prefix` or lies below it (whole segments). */
function within(path: string, prefix: string): boolean {
  const p = segments(path);
  const q = segments(prefix);
  return q.length <= p.length && q.every((segment, i) => p[i] === segment);
}

/** Why `root` is refused whatever the configuration says, or `undefined`. */
export function forbiddenRoot(root: string): string | undefined {
  if (within(SANDBOX_HOME, root)) return "it is the sandbox's home or one of its ancestors";
  const home = segments(SANDBOX_HOME);
  const parts = segments(root);
  if (within(root, SANDBOX_HOME) && parts[home.length]?.startsWith(".")) {
    return "it is inside a dot-directory of the sandbox's home";
  }
  const tree = FORBIDDEN_TREES.find((prefix) => within(root, prefix));
  return tree ? `${tree} is never synced` : undefined;
}

/** Reads the allowed prefixes from `SANDSYNC_BRIDGE_ROOTS` (default `/home/user/project`). */
export function bridgeRootsFromEnv(
  env: { get(name: string): string | undefined } = Deno.env,
): string[] {
  const configured = (env.get("SANDSYNC_BRIDGE_ROOTS") ?? "").split(",")
    .map((root) => root.trim()).filter((root) => root.startsWith("/"));
  return configured.length > 0 ? configured : [DEFAULT_SANDBOX_ROOT];
}

/** Throws `sandbox_path_refused` unless `root` lies under an allowed, never-forbidden prefix. */
export function assertBridgeRoot(root: string, allowed: readonly string[]): void {
  const forbidden = forbiddenRoot(root);
  if (forbidden) throw errors.sandboxPathRefused(root, forbidden);
  if (!allowed.some((prefix) => within(root, prefix))) {
    throw errors.sandboxPathRefused(
      root,
      `it is not under a configured bridge root (${allowed.join(", ")})`,
    );
  }
}
