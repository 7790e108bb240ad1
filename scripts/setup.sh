#!/usr/bin/env bash
# Installs what Sandsync needs on a fresh machine, and nothing that is already there:
#   - Deno and the Supabase CLI from the npm registry (pinned below),
#   - PostgreSQL server binaries, pgTAP and pg_prove from Debian's packages,
#   - the project's npm dependencies into Deno's cache.
# Idempotent and quiet when nothing is missing. Usage: bash scripts/setup.sh
set -euo pipefail

DENO_VERSION=2.9.6
SUPABASE_CLI_VERSION=3.1.0
PG_MAJOR=15
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf 'setup: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# npm global installs go to a user prefix when the system one is not writable.
npm_global() {
  if [ -w "$(npm prefix -g)/lib" ] || [ "$(id -u)" -eq 0 ]; then
    npm install -g --no-fund --no-audit --loglevel=error "$@"
  else
    npm install -g --prefix "$HOME/.local" --no-fund --no-audit --loglevel=error "$@"
    export PATH="$HOME/.local/bin:$PATH"
  fi
}

if ! command -v deno >/dev/null || [ "$(deno --version 2>/dev/null | head -1 | awk '{print $2}')" != "$DENO_VERSION" ]; then
  log "installing deno@$DENO_VERSION from npm"
  npm_global "deno@$DENO_VERSION"
fi

if ! command -v supabase >/dev/null || [ "$(supabase --version 2>/dev/null)" != "$SUPABASE_CLI_VERSION" ]; then
  log "installing supabase@$SUPABASE_CLI_VERSION (the Supabase CLI) from npm"
  npm_global "supabase@$SUPABASE_CLI_VERSION"
fi

apt_packages=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  apt_packages+=("postgresql-$PG_MAJOR")
fi
pg_dir=$(ls -d /usr/lib/postgresql/*/ 2>/dev/null | sort -V | tail -1)
pg_major=$(basename "${pg_dir:-/$PG_MAJOR}")
if ! ls /usr/share/postgresql/"$pg_major"/extension/pgtap.control >/dev/null 2>&1; then
  apt_packages+=("postgresql-$pg_major-pgtap")
fi
command -v pg_prove >/dev/null || apt_packages+=(libtap-parser-sourcehandler-pgtap-perl)
command -v psql >/dev/null || apt_packages+=("postgresql-client-$PG_MAJOR")
if [ ${#apt_packages[@]} -gt 0 ]; then
  log "installing ${apt_packages[*]} from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    "${apt_packages[@]}" >/dev/null
fi

# Fill Deno's cache from the lock file so the first run does not stall on downloads.
(cd "$ROOT" && deno install --quiet >/dev/null 2>&1) || (cd "$ROOT" && deno install)
