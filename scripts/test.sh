#!/usr/bin/env bash
# The README's second command (and CI's): set everything up, then run every test from the root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec pnpm exec vitest run "$@"
