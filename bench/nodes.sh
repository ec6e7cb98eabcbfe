#!/usr/bin/env bash
# Intake and case reads through nginx with 1, 2 and 3 Gongzhi nodes on one PostgreSQL (issue #8).
# Runs as root (a throwaway PostgreSQL via scripts/pg.sh). Usage: bench/nodes.sh [SECONDS] [NODES...]
# Needs: build/release/gongzhi (scripts/build.sh build/release -DCMAKE_BUILD_TYPE=Release), nginx, wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; shift || true
counts=("${@:-1 2 3}"); counts=(${counts[@]})
bin=build/release/gongzhi
work=$(mktemp -d /tmp/gz-nodes-XXXXXX); chmod 755 "$work"
pgdir=$(mktemp -d /tmp/gz-nodes-pg-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  scripts/pg.sh stop "$pgdir" || true
  rm -rf "$work"
}
trap cleanup EXIT
pg=$(scripts/pg.sh start "$pgdir" | sed -n "s/^export GONGZHI_TEST_PG_E2E='\(.*\)'$/\1/p")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
$bin demo load --pg "$pg" --key-file "$work/contacts.key" >/dev/null
for n in "${counts[@]}"; do
  pids=()
  upstream=""
  for i in $(seq 1 "$n"); do
    port=$((18100 + i))
    $bin serve --pg "$pg" --key-file "$work/contacts.key" --listen 127.0.0.1:$port --demo --workers 64 \
      --intake-per-minute 0 --files "$work/files" >"$work/node$i.log" 2>&1 &
    pids+=($!)
    upstream+="    server 127.0.0.1:$port;"$'\n'
  done
  mkdir -p "$work/tmp"
  cat >"$work/nginx.conf" <<CONF
daemon on; worker_processes 1; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $work/tmp; proxy_temp_path $work/tmp;
  upstream nodes { least_conn; $upstream keepalive 128; }
  server { listen 127.0.0.1:18100; location / { proxy_pass http://nodes; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
  for i in $(seq 1 50); do curl -sf http://127.0.0.1:$((18100 + n))/healthz >/dev/null && break; sleep 0.2; done
  nginx -c "$work/nginx.conf" -p "$work"
  sleep 0.5
  echo "== $n node(s)"
  wrk -t1 -c64 -d"${secs}s" --latency -s bench/wrk/intake.lua http://127.0.0.1:18100 | grep -E "Requests/sec|99%|Non-2xx" | sed 's/^/intake: /'
  code=$(curl -s -XPOST -H 'content-type: application/json' -d '{"description":"读","region_code":"130404001"}' \
    http://127.0.0.1:18100/api/v1/cases | sed 's/.*"tracking_code":"\([0-9A-Z]*\)".*/\1/')
  wrk -t1 -c64 -d"${secs}s" --latency "http://127.0.0.1:18100/api/v1/track/$code" | grep -E "Requests/sec|99%" | sed 's/^/track read: /'
  kill "$(cat "$work/nginx.pid")"; rm -f "$work/nginx.pid"
  for p in "${pids[@]}"; do kill "$p"; done
  wait "${pids[@]}" 2>/dev/null || true
done
