#!/bin/bash
# A/B of two gongzhi binaries on the same workload, alternated so a noisy VM affects both alike:
# each round starts each binary on a fresh database, measures /healthz, then the wrk script, and
# prints the server's CPU time per request of the script's run (it moves less than throughput when
# the VM's speed drifts, which on the development VM is up to a third within an hour).
#   bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]      (wrk must be installed: bench/compare.sh does it)
# Environment: LUA (default bench/wrk/intake.lua), D (seconds per run, default 8), PORT (8097),
# DB (a generated database to copy for each run, with its .key beside it; default: the demo),
# GZ_CASES (ids the read scripts spread over, default 1000), T (wrk threads, default 1),
# DB_B (a database for the second binary instead of DB: the same binary on two schemas).
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2 rounds=${3:-3} lua=${LUA:-bench/wrk/intake.lua} port=${PORT:-8097}
dir=$(mktemp -d)
db=$dir/ab.db
trap 'pkill -f "serve --db $db" || true; rm -rf "$dir"' EXIT
# CPU seconds (user + system, every thread) of a process.
cpu_of() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat"; }
for round in $(seq "$rounds"); do
  for bin in "$a" "$b"; do
    pkill -f "serve --db $db" || true; sleep 0.7; rm -f "$db"*
    src=${DB:-}
    [ "$bin" = "$b" ] && [ -n "${DB_B:-}" ] && src=$DB_B
    if [ -n "$src" ]; then
      cp "$src" "$db"; cp "$src.key" "$db.key"
      # The copy's dirty pages would be written back during the run and slow the WAL's syncs:
      # p99 of intake 30 ms instead of 10, p99.9 100 ms instead of 15 on the development VM.
      sync
      demo=()
    else
      demo=(--demo)
    fi
    "$bin" serve --db "$db" --listen "127.0.0.1:$port" "${demo[@]}" --workers 64 --intake-per-minute 0 \
      --trust-actor-header --files "$dir/files" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
    h=$(wrk -t1 -c64 -d3s "http://127.0.0.1:$port/healthz" | awk '/Requests\/sec/ {print $2}')
    c0=$(cpu_of "$pid")
    r=$(wrk -t"${T:-1}" -c64 -d"${D:-8}s" --latency -s "$lua" "http://127.0.0.1:$port")
    c1=$(cpu_of "$pid")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$r"); p99=$(awk '$1=="99%" {print $2}' <<<"$r")
    n=$(awk '/requests in/ {print $1}' <<<"$r")
    echo "round $round $bin: healthz=$h rps=$rps p99=$p99 ratio=$(awk -v a="$rps" -v b="$h" 'BEGIN {printf "%.3f", a/b}')" \
      "cpu_us_per_request=$(awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN {printf "%.1f", (b - a) * 1e6 / n}')"
  done
done
