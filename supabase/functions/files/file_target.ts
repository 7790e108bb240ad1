/**
 * The target of a `files` request: `/<workspaceId>/<path>`, where the client percent-encodes
 * each path segment (or the whole path, slashes included) and joins segments with `/`. The raw
 * URL path is split here, not by the router, because the router drops empty segments and a
 * request for `a//b` must be refused as the invalid path it is, not served as `a/b`.
 *
 * @module
 */
import { errors } from "../../../shared/protocol/errors.ts";
import { validatePath } from "../../../shared/paths/path_rules.ts";
import { localPath } from "../_shared/edge/http.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A workspace and a valid synced path. */
export interface FileTarget {
  readonly workspaceId: string;
  readonly path: string;
}

/**
 * Reads `/<workspaceId>/<encoded path>` below the function's prefix (`/files` hosted,
 * `/functions/v1/files` locally) and checks the path against the path rules.
 *
 * @throws `validation_failed` for a workspace id that is not a uuid, `bad_request` for broken
 * percent-encoding, `invalid_path` (with `details.problem`) for a path the rules refuse.
 */
export function parseFileTarget(pathname: string, name = "files"): FileTarget {
  const rest = localPath(pathname, name).replace(/^\//, "");
  const slash = rest.indexOf("/");
  const workspaceId = slash === -1 ? rest : rest.slice(0, slash);
  if (!UUID.test(workspaceId)) {
    throw errors.validationFailed([{ path: "workspaceId", message: "expected a uuid" }]);
  }
  const raw = slash === -1 ? "" : rest.slice(slash + 1);
  const path = raw.split("/").map(decodeSegment).join("/");
  const checked = validatePath(path);
  if (!checked.ok) {
    // validatePath's message starts with the same `Invalid path "<path>": ` the factory adds.
    const detail = checked.message.slice(`Invalid path ${JSON.stringify(path)}: `.length);
    throw errors.invalidPath(path, detail, checked.code);
  }
  return { workspaceId: workspaceId.toLowerCase(), path };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw errors.badRequest(`malformed percent-encoding in ${JSON.stringify(segment)}`);
  }
}

/** The URL path of a file below a function base, each segment percent-encoded. */
export function fileUrlPath(workspaceId: string, path: string): string {
  return `${workspaceId}/${path.split("/").map(encodeURIComponent).join("/")}`;
}
