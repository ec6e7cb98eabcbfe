#!/bin/bash
# The server's user-space instructions per request, counted by callgrind: unlike throughput and
# CPU time they do not move with the VM's speed (which drifts by up to a third within an hour);
# runs of one binary still differ by up to ~3% (checkpoints, the page cache), so a smaller
# difference needs several runs. Kernel work (sockets, page reads) is not counted: confirm a gain
# in time with bench/ab.sh.
# Each binary serves a copy of DB twice under callgrind, answering N and then 3N requests
# (PATHS_FILE's lines in turn, one keep-alive connection, as the trusted system actor); the
# difference divided by 2N leaves out start-up. A line is a path to GET, or "POST path JSON-body".
# (One request at a time: each intake is a batch of its own, unlike under load.)
#   bench/instructions.sh DB PATHS_FILE N BINARY...
#   e.g. bench/instructions.sh /tmp/district.db <(for i in $(seq 500); do echo /api/v1/cases/$((RANDOM % 100000 + 1)); done) 1000 old/gongzhi new/gongzhi
#   intake: bench/instructions.sh DB <(bench/wrk/bodies.sh 500) 500 ...
set -euo pipefail
cd "$(dirname "$0")/.."
db=$1 paths=$2 n=$3
shift 3
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 2; }
dir=$(mktemp -d)
trap 'pkill -f "serve --db $dir/i.db" || true; rm -rf "$dir"' EXIT
mapfile -t list < <(grep -v '^#' "$paths" | grep .)
port=${PORT:-18531}
config() {  # requests -> a curl config of that many requests
  local line body
  for ((i = 0; i < $1; ++i)); do
    line=${list[i % ${#list[@]}]}
    ((i)) && echo next
    if [[ $line == "POST "* ]]; then
      line=${line#POST }
      body=${line#* }
      printf 'url = "http://127.0.0.1:%s%s"\n' "$port" "${line%% *}"
      printf 'header = "Content-Type: application/json"\ndata-binary = "%s"\n' "${body//\"/\\\"}"
    else
      printf 'url = "http://127.0.0.1:%s%s"\n' "$port" "${line%% *}"
    fi
    printf 'output = "/dev/null"\nheader = "X-Gongzhi-Actor: system"\n'
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
  curl -s -K "$dir/urls.cfg"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$dir/vg.log"
}
for bin in "$@"; do
  a=$(count "$bin" "$n")
  b=$(count "$bin" $((3 * n)))
  echo "$bin: $(((b - a) / (2 * n))) instructions per request"
done
