#!/usr/bin/env bash
# Installs everything kehoach needs on a machine with Node 20 and npm, from the lockfile, and builds it.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version)" != "$PNPM_VERSION" ]]; then
  echo "setup: installing pnpm $PNPM_VERSION" >&2
  npm install --global --silent "pnpm@$PNPM_VERSION" >&2
fi

# better-sqlite3 builds from source when no prebuilt binary can be downloaded: point node-gyp at the
# headers of the Node.js that is installed (pnpm ignores nodedir in .npmrc, so it is set here).
if [[ -z "${npm_config_nodedir:-}" ]]; then
  nodedir=$(node -p 'require("path").resolve(process.execPath, "../..")')
  if [[ -f "$nodedir/include/node/node.h" ]]; then export npm_config_nodedir="$nodedir"; fi
fi

pnpm install --frozen-lockfile --reporter=silent >&2
pnpm run build >&2
