#!/bin/bash
# Two gongzhi binaries on two copies of a database, the same GETs to each, one after the other:
# whether the answers are byte-identical, and each one's time. For changes that must not change
# what the API says (a faster query, a new table read instead of an old one). The database is
# served read-only in practice (GETs), but give each binary its own copy when the new one
# migrates the schema (DB_B), with its .key beside it: on one file the old binary would serve a
# schema newer than it knows.
#   bench/same_answers.sh OLD NEW DB [PATHS_FILE]     (default: bench/probe_paths.txt)
#   DB_B=COPY bench/same_answers.sh OLD NEW DB PATHS   (the new binary on the copy)
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 db=$3 paths=${4:-bench/probe_paths.txt} db_b=${DB_B:-$3}
files=$(mktemp -d)
up() {  # port pid log: wait until it answers (a migration at the first start may take a minute)
  for _ in $(seq 1200); do
    curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "the server on :$1 did not come up:" >&2
  cat "$3" >&2
  exit 2
}
"$old" serve --db "$db" --listen 127.0.0.1:18521 --trust-actor-header --files "$files" >"$files/old.log" 2>&1 &
a=$!
trap 'kill $a 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$files"' EXIT
up 18521 $a "$files/old.log"  # migrated (or nothing to do) before the second opens the file
"$new" serve --db "$db_b" --listen 127.0.0.1:18522 --trust-actor-header --files "$files" >"$files/new.log" 2>&1 &
b=$!
trap 'kill $a $b 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$files"' EXIT
up 18522 $b "$files/new.log"
differ=0
while read -r path; do
  case "$path" in '' | '#'*) continue ;; esac
  ta=$(curl -s -o "$files/a" -w "%{time_total}" -H "X-Gongzhi-Actor: system" "http://127.0.0.1:18521$path")
  tb=$(curl -s -o "$files/b" -w "%{time_total}" -H "X-Gongzhi-Actor: system" "http://127.0.0.1:18522$path")
  if cmp -s "$files/a" "$files/b"; then same=same; else same=DIFFERENT; differ=$((differ + 1)); fi
  printf "%-90s %-9s %ss -> %ss %sB\n" "$path" "$same" "$ta" "$tb" "$(wc -c <"$files/b")"
done <"$paths"
echo "peak RSS: old $(awk '/VmHWM/ {print int($2/1024)}' /proc/$a/status) MB, new $(awk '/VmHWM/ {print int($2/1024)}' /proc/$b/status) MB"
[ "$differ" -eq 0 ] || { echo "$differ answers differ"; exit 1; }
