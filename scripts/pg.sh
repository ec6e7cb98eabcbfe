#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on loopback for the tests.
#   eval "$(scripts/pg.sh start DIR)"   prints export lines (GONGZHI_TEST_PG, GONGZHI_TEST_PG_E2E...)
#   scripts/pg.sh restart DIR [SECONDS]   fast shutdown, SECONDS down (default 0), start again
#   scripts/pg.sh stop DIR
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
cmd=${1:?start|stop}; dir=${2:?directory}
case "$cmd" in
start)
  mkdir -p "$dir"
  chown postgres:postgres "$dir"; chmod 700 "$dir"
  cd /   # runuser keeps the working directory; postgres must be able to enter it
  # Some sandboxes (a chroot made with mktemp -d) have a root directory only root may enter.
  if ! runuser -u postgres -- test -x "$bin/initdb"; then
    echo "pg.sh: the postgres user cannot reach $bin; making / traversable (chmod o+x /)" >&2
    chmod o+x /
  fi
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # A free port: the kernel's pick for a throwaway socket, retried if taken meanwhile.
  for attempt in 1 2 3 4 5; do
    port=$(( 20000 + RANDOM % 20000 ))
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && continue
    if runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null; then
      break
    fi
    port=
  done
  [ -n "${port:-}" ] || { cat "$dir/server.log" >&2; exit 1; }
  for db in gongzhi_contract gongzhi_e2e gongzhi_e2e_cases gongzhi_e2e_feed; do
    runuser -u postgres -- psql -q -h "$dir" -p "$port" -U postgres -c "CREATE DATABASE $db" postgres >/dev/null
  done
  echo "export GONGZHI_TEST_PG='postgresql://postgres@127.0.0.1:$port/gongzhi_contract'"
  echo "export GONGZHI_TEST_PG_E2E='postgresql://postgres@127.0.0.1:$port/gongzhi_e2e'"
  echo "export GONGZHI_TEST_PG_E2E_CASES='postgresql://postgres@127.0.0.1:$port/gongzhi_e2e_cases'"
  echo "export GONGZHI_TEST_PG_E2E_FEED='postgresql://postgres@127.0.0.1:$port/gongzhi_e2e_feed'"
  ;;
restart)
  cd /
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  sleep "${3:-0}"
  # The same options as the first start (pg_ctl keeps them in postmaster.opts).
  opts=$(sed -e 's/^[^ ]* //' -e 's/"-D" "[^"]*" //g' "$dir/data/postmaster.opts")
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "${opts//\"/}" start >/dev/null
  ;;
stop)
  cd /
  [ -d "$dir/data" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
esac
