#!/usr/bin/env bash
# The README's first command: set everything up, then build the plan-182 demo database and show it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node apps/cli/dist/bundle/kehoach.mjs demo --db "${KEHOACH_DB:-./kehoach.db}" "$@"
