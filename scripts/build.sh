#!/usr/bin/env bash
# Configures and builds one CMake tree. Usage: scripts/build.sh DIR [CMAKE ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1; shift
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
fi
# Two cores, and the Beast translation unit needs ~1 GB: two jobs are right on the reference machine.
ninja -C "$dir" -j "$(nproc)" ${GZ_TARGETS:-}
