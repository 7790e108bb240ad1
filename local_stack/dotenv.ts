/**
 * Dotenv files: the stack writes its URLs and keys in this format and the functions gateway reads
 * `supabase/functions/.env`, as `supabase functions serve --env-file` does.
 *
 * @module
 */

/** Parses dotenv text (`KEY=value`, optional quotes, `#` comments), as `--env-file` does. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match?.[1]) continue;
    let value = match[2] ?? "";
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) {
      value = quoted[1] === '"' ? (quoted[2] ?? "").replaceAll("\\n", "\n") : quoted[2] ?? "";
    } else value = value.replace(/\s+#.*$/, "");
    values[match[1]] = value;
  }
  return values;
}

/** Formats values as dotenv text, quoting every value. */
export function formatDotenv(values: Record<string, string>): string {
  return Object.entries(values).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(
    "\n",
  ) +
    "\n";
}
