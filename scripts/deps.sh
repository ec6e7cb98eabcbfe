#!/usr/bin/env bash
# Installs what Gongzhi needs on Debian 12, skipping what is already there.
#   scripts/deps.sh          build + run dependencies
#   scripts/deps.sh --test   also what the test command needs (PostgreSQL server, Chromium, nginx)
set -euo pipefail
pkgs=(g++ cmake ninja-build pkg-config git ca-certificates
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
      libsodium-dev libspdlog-dev libtomlplusplus-dev libcli11-dev
      libsqlite3-dev libpq-dev nodejs npm)
if [ "${1:-}" = "--test" ]; then
  # fonts-wqy-zenhei: Chinese glyphs in the browser tests' screenshots (headless Chromium has none).
  pkgs+=(libgtest-dev libgmock-dev libbenchmark-dev postgresql chromium procps clang libclang-rt-14-dev nginx
        fonts-wqy-zenhei)
fi
missing=()
for p in "${pkgs[@]}"; do
  # npm ships inside nodesource's nodejs on some machines: accept an npm on PATH.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
