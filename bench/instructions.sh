#!/bin/bash
# The server's user-space instructions per request, counted by callgrind: unlike throughput and
# CPU time they do not move with the VM's speed (which drifts by up to a third within an hour), so
# two binaries compare to a fraction of a percent in one run each. Kernel work (sockets, page
# reads) is not counted: confirm a gain in time with bench/ab.sh.
# Each binary serves a copy of DB twice under callgrind, answering N and then 3N GETs (PATHS_FILE's
# paths in turn, one keep-alive connection, as the trusted system actor); the difference divided
# by 2N leaves out start-up.
#   bench/instructions.sh DB PATHS_FILE N BINARY...
#   e.g. bench/instructions.sh /tmp/district.db <(for i in $(seq 500); do echo /api/v1/cases/$((RANDOM % 100000 + 1)); done) 1000 old/gongzhi new/gongzhi
set -euo pipefail
cd "$(dirname "$0")/.."
db=$1 paths=$2 n=$3
shift 3
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 2; }
dir=$(mktemp -d)
trap 'pkill -f "serve --db $dir/i.db" || true; rm -rf "$dir"' EXIT
mapfile -t list < <(grep -v '^#' "$paths" | awk '{print $1}' | grep .)
port=${PORT:-18531}
config() {  # requests -> a curl config of that many GETs
  for ((i = 0; i < $1; ++i)); do
    printf 'url = "http://127.0.0.1:%s%s"\noutput = "/dev/null"\n' "$port" "${list[i % ${#list[@]}]}"
  done >"$dir/urls.cfg"
}
count() {  # binary requests -> instructions of the whole run
  rm -rf "$dir"/i.db* "$dir/files"
  cp "$db" "$dir/i.db"
  cp "$db.key" "$dir/i.db.key"
  config "$2"
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" serve --db "$dir/i.db" --listen "127.0.0.1:$port" \
    --workers 8 --intake-per-minute 0 --trust-actor-header --files "$dir/files" >/dev/null 2>"$dir/vg.log" &
  local pid=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  curl -s -H 'X-Gongzhi-Actor: system' -K "$dir/urls.cfg"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$dir/vg.log"
}
for bin in "$@"; do
  a=$(count "$bin" "$n")
  b=$(count "$bin" $((3 * n)))
  echo "$bin: $(((b - a) / (2 * n))) instructions per request"
done
