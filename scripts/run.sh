#!/usr/bin/env bash
# The README's commands: installs whatever is missing (scripts/setup.sh), then runs a deno task.
#   bash scripts/run.sh demo   # the local stack with the demo
#   bash scripts/run.sh test   # every test suite
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
exec deno task "${@:-demo}"
