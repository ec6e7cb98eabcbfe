#!/usr/bin/env bash
# Builds the web UI into web/dist with npm, only when its sources or packages changed.
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=node_modules/.gz-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "web: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
newest_src=$(find src public index.html vite.config.js package-lock.json -type f -newer dist/index.html 2>/dev/null | head -1 || true)
if [ ! -f dist/index.html ] || [ -n "$newest_src" ]; then
  echo "web: vite build" >&2
  npx --no-install vite build --logLevel warn
fi
