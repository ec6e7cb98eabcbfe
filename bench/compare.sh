#!/usr/bin/env bash
# Side by side on this machine, one after another (issue #7):
#   1. the HTTP ceiling: a minimal Boost.Beast JSON endpoint (bench/http_ceiling.cc);
#   2. Gongzhi on SQLite (durable: synchronous=FULL), on a generated 复兴区 with a case history;
#   3. Gongzhi on PostgreSQL (synchronous_commit=on), same data;
#   4. Request Tracker 5 (Debian's request-tracker5 + rt5-db-sqlite + rt5-standalone), REST 2.
# Each: intake (POST, 64 connections) and a read of one case/ticket by id (GET, 64 connections);
# Gongzhi also: public tracking by code (no sign-in), the console's filtered lists, the leader's
# rankings, Open311 POST, a mixed day and the dispatcher's and handlers' actions (accept → dispatch →
# claim → resolve → verify, with versions), and a working day offered open-loop with the morning's
# burst of reports, latency by kind of request (paced_load --day: 3,000/s on SQLite, 1,000/s on
# PostgreSQL).
# With wrk: throughput, p50/p99/p99.9 latency, errors, and the server's CPU (cores busy) and peak RSS.
# wrk is closed-loop (each connection sends when answered: latency = connections / throughput), so
# intake also runs open-loop at the issue's rate (bench/paced_load.cc: 10,000/s on SQLite, 3,000/s
# on PostgreSQL, latency counted from when each request was due): does it hold that rate, and at
# what p99?
# Prints ratios to the ceiling and to Request Tracker. Runs as root: it installs what it needs.
#   bench/compare.sh [SECONDS] [CASES]     defaults: 10 s per run, 100000 cases of history
# Environment: GZ_SKIP_RT=1 leaves Request Tracker out (its ~400 packages take minutes to install).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
history=${2:-100000}
conns=64

# --- what it needs ---
scripts/deps.sh --test >/dev/null
need=(wrk)
[ "${GZ_SKIP_RT:-}" = 1 ] || need+=(request-tracker5 rt5-db-sqlite rt5-standalone)
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "compare: installing ${missing[*]}" >&2
  # Request Tracker's questions answered up front: SQLite database, a known root password.
  debconf-set-selections <<'EOF'
request-tracker5 request-tracker5/rtname string gongzhi.bench
request-tracker5 request-tracker5/organization string gongzhi.bench
request-tracker5 request-tracker5/correspondaddress string rt@gongzhi.bench
request-tracker5 request-tracker5/commentaddress string rt-comment@gongzhi.bench
request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1:18400
request-tracker5 request-tracker5/initial-root-password password bench-password
request-tracker5 request-tracker5/install-cronjobs boolean false
request-tracker5 request-tracker5/handle-siteconfig-permissions boolean true
request-tracker5 request-tracker5/dbconfig-install boolean true
request-tracker5 request-tracker5/database-type select sqlite3
EOF
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
GZ_TARGETS="gongzhi http_ceiling paced_load" scripts/build.sh build/release -DCMAKE_BUILD_TYPE=Release -DGZ_TESTS=OFF >/dev/null
bin=build/release/gongzhi

work=$(mktemp -d /tmp/gz-compare-XXXXXX); chmod 755 "$work"
pgdir=$(mktemp -d /tmp/gz-compare-pg-XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ -n "${ceiling:-}" ] && kill "$ceiling" 2>/dev/null || true
  scripts/pg.sh stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# CPU seconds (user + system) of a process and its children; its peak RSS in MB.
cpu_of() { local t=0; for p in $1 $(pgrep -P "$1" || true); do
  t=$(awk -v t="$t" '{ print t + ($14 + $15) / 100 }' "/proc/$p/stat" 2>/dev/null || echo "$t"); done; echo "$t"; }
rss_of() { local m=0; for p in $1 $(pgrep -P "$1" || true); do
  m=$(awk -v m="$m" '/VmHWM/ { print m + $2 / 1024 }' "/proc/$p/status" 2>/dev/null || echo "$m"); done; echo "$m"; }
wait_http() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }

# run NAME PID URL SCRIPT: one wrk run; prints a row and remembers rps in R_<NAME>.
declare -A R
rows=()
run() {
  local name=$1 pid=$2 url=$3 script=$4 c0 c1 out
  c0=$(cpu_of "$pid")
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s -s "$script" "$url" | grep '^RESULT')
  c1=$(cpu_of "$pid")
  local rps=$(sed 's/.*rps=\([0-9]*\).*/\1/' <<<"$out")
  R[$name]=$rps
  local cores=$(awk -v a="$c0" -v b="$c1" -v s="$secs" 'BEGIN { printf "%.2f", (b - a) / s }')
  local row
  row=$(printf "| %-22s | %s | %s | %s |" "$name" "$(sed 's/RESULT //; s/ requests=[0-9]*//' <<<"$out")" "$cores" \
    "$(printf '%.0f' "$(rss_of "$pid")")")
  rows+=("$row")
  echo "$row"
}
# paced NAME PID URL ARGS...: paced_load URL ARGS... for the run's seconds (open loop), a row like
# run's; the tool's whole output stays in $paced_out.
paced() {
  local name=$1 pid=$2 url=$3 c0 c1; shift 3
  c0=$(cpu_of "$pid")
  paced_out=$(build/release/paced_load "$url" "$@" --seconds "$secs")
  c1=$(cpu_of "$pid")
  R[$name]=$(sed -n 's/^RESULT rps=\([0-9]*\).*/\1/p' <<<"$paced_out")
  local row
  row=$(printf "| %-22s | %s | %s | %s |" "$name" "$(sed -n 's/^RESULT //p' <<<"$paced_out" | sed 's/ requests=[0-9]*//')" \
    "$(awk -v a="$c0" -v b="$c1" -v s="$secs" 'BEGIN { printf "%.2f", (b - a) / (s + 1.2) }')" \
    "$(printf '%.0f' "$(rss_of "$pid")")")
  rows+=("$row")
  echo "$row"
}
# day NAME PID URL RATE CODES: a working day offered at RATE a second with the morning's burst of
# reports (paced_load --day); its row, and its lines by kind of request kept for the end.
day() {
  paced "$1" "$2" "$3" --day --rate "$4" --ids "$history" --codes "$5"
  days+=("$1 (offered $4/s, the morning's reports 4x):" "$(sed -n 's/^KIND /    /p' <<<"$paced_out")")
}
days=()
ratio() { awk -v a="${R[$1]:-0}" -v b="${R[$2]:-0}" 'BEGIN { if (b > 0) printf "%.1f%%", 100 * a / b; else print "n/a" }'; }
factor() { awk -v a="${R[$1]:-0}" -v b="${R[$2]:-0}" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "n/a" }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/ { print $2 }') GB"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), ${secs} s per run, $conns connections"
echo "| run | result | server cores busy | server peak RSS (MB) |"
echo "|---|---|---|---|"

# 1. the ceiling. It stays up (idle) and is measured again right before and after each of
# Gongzhi's reads and intakes, and their ratios use those two: this VM's speed drifts by up to a
# third within minutes, so a ceiling measured once at the start misjudged later runs.
build/release/http_ceiling 18300 >/dev/null &
ceiling=$!
wait_http http://127.0.0.1:18300/
run ceiling_get "$ceiling" http://127.0.0.1:18300/ bench/wrk/get.lua
run ceiling_post "$ceiling" http://127.0.0.1:18300/ bench/wrk/ceiling_post.lua
# beside NAME SCRIPT SAME RUN...: the ceiling just before and just after the run, driven by SCRIPT
# (a fixed request, as the first ceiling runs) and by SAME (the run's own script: the same requests
# and the same per-request Lua in wrk, which shares the two cores with the server), averaged in
# R[NAME_ceiling] and R[NAME_ceiling_same].
beside() {
  local name=$1 script=$2 same=$3; shift 3
  run "${name}_ceiling_before" "$ceiling" http://127.0.0.1:18300/ "$script"
  run "${name}_ceiling_same_before" "$ceiling" http://127.0.0.1:18300 "$same"
  "$@"
  run "${name}_ceiling_after" "$ceiling" http://127.0.0.1:18300/ "$script"
  run "${name}_ceiling_same_after" "$ceiling" http://127.0.0.1:18300 "$same"
  R[${name}_ceiling]=$(( (${R[${name}_ceiling_before]} + ${R[${name}_ceiling_after]}) / 2 ))
  R[${name}_ceiling_same]=$(( (${R[${name}_ceiling_same_before]} + ${R[${name}_ceiling_same_after]}) / 2 ))
}

# 2 and 3. Gongzhi on SQLite and on PostgreSQL, each on a generated district with a history.
printf '[open311]\napi_keys = ["bench-open311-key-0001"]\n' >"$work/gongzhi.toml"
gongzhi_runs() {
  local label=$1; shift
  local t0=$(date +%s.%N)
  $bin bench gen --scale district --cases "$history" "$@" >/dev/null 2>&1
  sync  # the generated file's writeback would otherwise overlap the runs (intake tails 3x)
  # PostgreSQL plans with statistics that autovacuum gathers within a minute of a load; the runs
  # start sooner, and without them the console's lists took a plan 8x slower (282 against 2,168/s).
  # VACUUM too, and a checkpoint, as sync above, so that neither autovacuum's first pass over the
  # new tables nor the write-out of the load's pages can overlap the runs (one run's intake fell
  # to 2.1k/s with Gongzhi a quarter busy, against 4.8-5.5k in the runs before and after).
  if [ "$label" = postgres ]; then psql "$pg" -qc "VACUUM ANALYZE" -c CHECKPOINT; fi
  echo "generated $history cases on $label in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s" >&2
  t0=$(date +%s.%N)
  $bin serve "$@" --config "$work/gongzhi.toml" --listen 127.0.0.1:18200 --trust-actor-header --intake-per-minute 0 \
    --workers 64 --files "$work/files-$label" >"$work/$label.log" 2>&1 &
  server=$!
  wait_http http://127.0.0.1:18200/healthz
  echo "start-up ($label, $history cases): $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s" >&2
  GZ_CASES=$history beside "${label}_read" bench/wrk/get.lua bench/wrk/case_read.lua \
    run "${label}_read" "$server" http://127.0.0.1:18200 bench/wrk/case_read.lua
  bench/codes.sh http://127.0.0.1:18200 "$history" 10000 >"$work/codes-$label.txt"
  GZ_CODES="$work/codes-$label.txt" run "${label}_track" "$server" http://127.0.0.1:18200 bench/wrk/track.lua
  run "${label}_list" "$server" http://127.0.0.1:18200 bench/wrk/case_list.lua
  run "${label}_ranking" "$server" http://127.0.0.1:18200 bench/wrk/ranking.lua
  paced "${label}_intake_paced" "$server" http://127.0.0.1:18200 --rate "$paced_rate" --intake
  beside "${label}_intake" bench/wrk/ceiling_post.lua bench/wrk/intake.lua run "${label}_intake" "$server" http://127.0.0.1:18200 bench/wrk/intake.lua
  run "${label}_open311" "$server" http://127.0.0.1:18200 bench/wrk/open311_post.lua
  GZ_CASES=$history run "${label}_mixed_day" "$server" http://127.0.0.1:18200 bench/wrk/mixed_day.lua
  day "${label}_day" "$server" http://127.0.0.1:18200 "$day_rate" "$work/codes-$label.txt"
  GZ_WRK_THREADS=2 run "${label}_dispatch" "$server" http://127.0.0.1:18200 bench/wrk/dispatch.lua
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}
paced_rate=10000 day_rate=3000 gongzhi_runs sqlite --db "$work/gz.db"
pg=$(scripts/pg.sh start "$pgdir" | sed -n "s/^export GONGZHI_TEST_PG_E2E='\(.*\)'$/\1/p")
paced_rate=3000 day_rate=1000 gongzhi_runs postgres --pg "$pg" --key-file "$work/pg.key"
scripts/pg.sh stop "$pgdir" >/dev/null 2>&1 || true

# 4. Request Tracker 5 on SQLite, its own standalone server.
# Restarted before each run: a run at 64 connections leaves RT a backlog that would starve the next.
# Also at 4 connections, where it does best, so it is not judged by an overload alone.
rt_start() {
  setsid /usr/share/request-tracker5/libexec/rt-server --port 18400 >>"$work/rt.log" 2>&1 &
  server=$!
  wait_http http://127.0.0.1:18400/
}
rt_stop() { kill -- -"$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; sleep 1; }
if [ "${GZ_SKIP_RT:-}" != 1 ]; then
  export GZ_RT_AUTH=$(printf 'root:bench-password' | base64)
  rt_start; run rt_intake "$server" http://127.0.0.1:18400 bench/wrk/rt_intake.lua; rt_stop
  rt_start; conns=4 run rt_intake_4conn "$server" http://127.0.0.1:18400 bench/wrk/rt_intake.lua; rt_stop
  tickets=$(( (${R[rt_intake]} + ${R[rt_intake_4conn]}) * secs + 1 ))
  rt_start; GZ_CASES=$tickets run rt_read "$server" http://127.0.0.1:18400 bench/wrk/rt_read.lua; rt_stop
  rt_start; GZ_CASES=$tickets conns=4 run rt_read_4conn "$server" http://127.0.0.1:18400 bench/wrk/rt_read.lua; rt_stop
fi

echo
echo "ratios:"
echo "- Gongzhi SQLite intake / ceiling POST: $(ratio sqlite_intake sqlite_intake_ceiling) (target ≥ 25%; ceiling measured just before and after; against the first: $(ratio sqlite_intake ceiling_post); against the ceiling driven by intake.lua itself: $(ratio sqlite_intake sqlite_intake_ceiling_same))"
echo "- Gongzhi SQLite read / ceiling GET: $(ratio sqlite_read sqlite_read_ceiling) (target ≥ 50%; against the first: $(ratio sqlite_read ceiling_get); against the ceiling driven by case_read.lua itself: $(ratio sqlite_read sqlite_read_ceiling_same))"
echo "- Gongzhi PostgreSQL intake / ceiling POST: $(ratio postgres_intake postgres_intake_ceiling) (driven by intake.lua: $(ratio postgres_intake postgres_intake_ceiling_same))"
for l in sqlite postgres; do
  echo "- Gongzhi $l intake offered at a fixed rate (open loop): $(sed -n "s/^| ${l}_intake_paced *| \(.*\) |.*|.*|$/\1/p" <<<"$(printf '%s\n' "${rows[@]}")") (target p99 ≤ 20 ms)"
done
echo "- Gongzhi PostgreSQL read / ceiling GET: $(ratio postgres_read postgres_read_ceiling) (driven by case_read.lua: $(ratio postgres_read postgres_read_ceiling_same))"
echo "- Gongzhi public tracking / ceiling GET (the read's): SQLite $(ratio sqlite_track sqlite_read_ceiling), PostgreSQL $(ratio postgres_track postgres_read_ceiling)"
echo
echo "a working day, open loop, latency (ms) by kind of request:"
printf '%s\n' "${days[@]}"
if [ "${GZ_SKIP_RT:-}" != 1 ]; then
  echo "- Gongzhi SQLite intake / Request Tracker intake: $(factor sqlite_intake rt_intake)"
  echo "- Gongzhi PostgreSQL intake / Request Tracker intake: $(factor postgres_intake rt_intake)"
  echo "- Gongzhi SQLite intake / Request Tracker intake at its best (4 connections): $(factor sqlite_intake rt_intake_4conn)"
  echo "- Gongzhi SQLite read / Request Tracker read: $(factor sqlite_read rt_read) (at 4 connections: $(factor sqlite_read rt_read_4conn))"
fi
