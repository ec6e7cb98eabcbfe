#!/bin/bash
# A/B of two gongzhi binaries on the same workload, alternated so a noisy VM affects both alike:
# each round starts each binary on a fresh demo database, measures /healthz, then the wrk script.
#   bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]      (wrk must be installed: bench/compare.sh does it)
# Environment: LUA (default bench/wrk/intake.lua), D (seconds per run, default 8), PORT (8097).
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2 rounds=${3:-3} lua=${LUA:-bench/wrk/intake.lua} port=${PORT:-8097}
db=$(mktemp -d)/ab.db
trap 'pkill -f "serve --db $db" || true; rm -rf "$(dirname "$db")"' EXIT
for round in $(seq "$rounds"); do
  for bin in "$a" "$b"; do
    pkill -f "serve --db $db" || true; sleep 0.7; rm -f "$db"*
    "$bin" serve --db "$db" --listen "127.0.0.1:$port" --demo --workers 64 --intake-per-minute 0 \
      --trust-actor-header >/dev/null 2>&1 &
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
    h=$(wrk -t1 -c64 -d3s "http://127.0.0.1:$port/healthz" | awk '/Requests\/sec/ {print $2}')
    r=$(wrk -t1 -c64 -d"${D:-8}s" --latency -s "$lua" "http://127.0.0.1:$port")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$r"); p99=$(awk '$1=="99%" {print $2}' <<<"$r")
    echo "round $round $bin: healthz=$h rps=$rps p99=$p99 ratio=$(awk -v a="$rps" -v b="$h" 'BEGIN {printf "%.3f", a/b}')"
  done
done
