#!/bin/bash
# The first N intake bodies of bench/wrk/intake.lua as "POST /api/v1/cases BODY" lines (for
# bench/instructions.sh): report.lua's intake_body and nth_point again, in awk (there is no
# standalone Lua here, and wrk connects before its scripts run). Change both together.
#   bench/wrk/bodies.sh N
n=${1:-500}
awk -v n="$n" 'BEGIN {
  split("0101 0102 0103 0201 0301 0302 0401 0402 0501 0502 0601 0602 22 23 24 25", cat, " ")
  for (i = 1; i <= n; ++i) {
    lng = 114.30 + (i * 7919 % 1700) / 10000; lat = 36.58 + (i * 104729 % 700) / 10000
    printf "POST /api/v1/cases {\"category_code\":\"%s\",\"description\":\"bench %d: 垃圾堆放\",\"lng\":%.5f,\"lat\":%.5f}\n", cat[(i % 16) + 1], i, lng, lat
  }
}'
