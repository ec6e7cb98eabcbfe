#!/bin/bash
# Every GET in a list against a served database, one request each, as `system`: status, seconds,
# bytes, and the server's RSS and peak RSS after it. For finding what does not scale: run it on a
# generated city (`gongzhi bench gen --scale city --divisions data/handan-divisions.csv --cases
# 1000000 --db FILE`) and read the slow and the large lines.
#   bench/probe.sh BINARY DB [PATHS_FILE]      (default: bench/probe_paths.txt; port 18510)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1 db=$2 paths=${3:-bench/probe_paths.txt} port=${PORT:-18510}
files=$(mktemp -d)
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --trust-actor-header --files "$files" >"$files/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$files"' EXIT
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
mb() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' "/proc/$pid/status"; }
grep -v '^#' "$paths" | while read -r path; do
  [ -z "$path" ] && continue
  out=$(curl -s -o /dev/null -w "%{http_code} %{time_total}s %{size_download}B" -H "X-Gongzhi-Actor: system" \
    "http://127.0.0.1:$port$path")
  printf "%-100s %s rss=%sMB peak=%sMB\n" "$path" "$out" "$(mb VmRSS)" "$(mb VmHWM)"
done
