#!/usr/bin/env bash
# Tracking codes of a running server's cases, for bench/wrk/track.lua and paced_load --codes:
# COUNT codes taken from the console's list (newest first, 500 a page) in twenty bands spread over
# the ids 1..CASES, so the reads that use them reach old cases as well as new ones.
#   bench/codes.sh URL CASES [COUNT] > codes.txt       (the server trusts X-Gongzhi-Actor)
set -euo pipefail
url=$1 cases=$2 count=${3:-10000}
bands=20 per=$(( (count + 19) / 20 ))
for b in $(seq 0 $((bands - 1))); do
  # The page below this cursor: ids just under it, newest first.
  cursor=$(( cases - b * cases / bands + 1 ))
  left=$per
  while [ "$left" -gt 0 ]; do
    page=$(( left < 500 ? left : 500 ))
    body=$(curl -sf -H 'X-Gongzhi-Actor: system' "$url/api/v1/cases?limit=$page&cursor=$cursor")
    got=$(grep -o '"tracking_code":"[^"]*"' <<<"$body" | cut -d'"' -f4)
    [ -n "$got" ] || break
    echo "$got"
    left=$(( left - $(wc -l <<<"$got") ))
    cursor=$(grep -o '"id":[0-9]*' <<<"$body" | tail -1 | cut -d: -f2)
  done
done
