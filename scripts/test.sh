#!/usr/bin/env bash
# The README's second command (and CI's): set everything up, check the code's form (ESLint, Prettier),
# then run every test from the root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm run lint >&2
pnpm run format:check >&2
exec pnpm exec vitest run "$@"
