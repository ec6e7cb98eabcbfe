#!/bin/bash
# Cost growth on a generated database (issue #7; bench/RESULTS.md "Cost growth"): start-up to the
# first /healthz, three single requests per ranking and dashboard endpoint (milliseconds), case reads
# and intake for D seconds each (wrk -t1 -c64), and the server's peak RSS before intake and after it.
#   bench/growth.sh BINARY DB [PORT]
# DB comes from `gongzhi bench gen --scale city --divisions data/handan-divisions.csv --cases N --db DB`
# and is written to (migrations, intake): give it a copy. wrk must be installed (bench/compare.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1 db=$2 port=${3:-8099} d=${D:-10}
url=http://127.0.0.1:$port
sync  # a fresh copy of DB would be written back during the runs and slow the intake's syncs
t0=$(date +%s.%N)
"$bin" serve --db "$db" --files "$(dirname "$db")/files" --listen "127.0.0.1:$port" --workers 64 \
  --intake-per-minute 0 --trust-actor-header >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf "$url/healthz" >/dev/null; do sleep 0.01; done
echo "start-up: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f s", b - a}')"
month=$(date +%Y-%m) year=$(date +%Y)
for path in "assessment/ranking?group=township&period=$month" "assessment/ranking?group=unit&period=$month" \
    "assessment/ranking?group=county&period=$month" "assessment/ranking?group=township&period=$year" \
    "assessment/ranking?group=unit&period=$year" "dashboard/counts?by=township" "dashboard/counts?by=state" \
    "dashboard/counts?by=category" "dashboard/hotspots"; do
  times=""
  for _ in 1 2 3; do
    t=$(curl -sf -o /dev/null -w '%{time_total}' -H 'X-Gongzhi-Actor: system' "$url/api/v1/$path")
    times+=" $(awk -v t="$t" 'BEGIN {printf "%.0f", t * 1000}')"
  done
  echo "$path:$times ms"
done
wrk1() { wrk -t1 -c64 -d"${d}s" --latency -s "$1" "$url" | awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} END {print r " req/s, p99 " p}'; }
# The highest case id (the case list is newest first).
newest_id() { curl -sf -H 'X-Gongzhi-Actor: system' "$url/api/v1/cases?limit=1" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2; }
newest=$(newest_id)
hwm() { awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/$pid/status; }
echo "case reads: $(GZ_CASES=$newest wrk1 bench/wrk/case_read.lua)"
# The database as generated: rankings, dashboards and reads. Intake then adds an open case per
# report to the duplicate index, so the peak after it follows how many reports the runs made.
echo "peak RSS before intake: $(hwm)"
echo "intake (first run, reads the open cases): $(wrk1 bench/wrk/intake.lua)"
echo "intake: $(wrk1 bench/wrk/intake.lua)"
reports=$(( $(newest_id) - newest ))
echo "peak RSS: $(hwm) (after $reports reports)"
