#!/usr/bin/env bash
# Installs what `deno task bench agent` compares against, and nothing that is already there:
# unison (Debian package, the local-to-local reference) and curl (the raw transfer reference).
# Idempotent and quiet when nothing is missing; called by bench/agent.ts. Usage:
#   bash scripts/bench_setup.sh
set -euo pipefail

log() { printf 'bench_setup: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=()
command -v unison >/dev/null || packages+=(unison)
command -v curl >/dev/null || packages+=(curl)
if [ ${#packages[@]} -gt 0 ]; then
  log "installing ${packages[*]} from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null
fi
command -v unison >/dev/null
