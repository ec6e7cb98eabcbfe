#!/bin/bash
# PostgreSQL intake A/B of two gongzhi binaries, alternated so a noisy VM affects both alike: each
# run serves a fresh copy of a generated database (CREATE DATABASE … TEMPLATE), after a CHECKPOINT.
#   bench/pg_ab.sh OLD_BINARY NEW_BINARY [ROUNDS]
# Environment: PG (server URL without a database, e.g. postgresql://postgres@127.0.0.1:5432),
# TEMPLATE (a database made by `gongzhi bench gen … --pg $PG/NAME --key-file KEY`, default gzgen),
# KEY (that key file), LUA (default bench/wrk/intake.lua), D (seconds per run, default 8), PORT.
# wrk must be installed (bench/compare.sh does); psql comes with scripts/deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1 b=$2 rounds=${3:-3}
pg=${PG:?set PG to the server URL, e.g. postgresql://postgres@127.0.0.1:5432}
template=${TEMPLATE:-gzgen} key=${KEY:?set KEY to the key file the template was generated with}
port=${PORT:-18201} lua=${LUA:-bench/wrk/intake.lua}
trap 'pkill -f "serve --pg $pg/gz_ab" || true' EXIT
for round in $(seq "$rounds"); do
  for bin in "$a" "$b"; do
    psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS gz_ab" -c "CREATE DATABASE gz_ab TEMPLATE $template" -c CHECKPOINT
    "$bin" serve --pg "$pg/gz_ab" --key-file "$key" --listen "127.0.0.1:$port" --trust-actor-header \
      --intake-per-minute 0 --workers 64 >/dev/null 2>&1 &
    pid=$!
    until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.05; done
    c0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    out=$(wrk -t2 -c64 -d"${D:-8}s" -s "$lua" "http://127.0.0.1:$port" | grep '^RESULT')
    c1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    n=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$out")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "round $round $bin: $out server_cpu_us_per_request=$(awk -v c="$((c1 - c0))" -v n="$n" 'BEGIN {printf "%.1f", c * 1e4 / n}')"
  done
done
