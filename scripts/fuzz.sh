#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 10) over its corpus.
# New inputs found are kept in a scratch copy, not in the repository's corpus; crashes fail.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
CXX=clang++ GZ_TARGETS="fuzz_division_csv fuzz_geojson fuzz_api" \
  scripts/build.sh build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGZ_FUZZ=ON -DGZ_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for t in division_csv geojson api; do
  mkdir -p "$work/$t"
  cp fuzz/corpus/$t/* "$work/$t/"
  echo "fuzz: $t for ${secs}s" >&2
  ( cd "$work" && ASAN_OPTIONS=detect_leaks=0 "$OLDPWD/build/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=65536 \
      -print_final_stats=1 "$work/$t" 2>&1 | grep -E "stat::number_of_executed_units|ERROR|SUMMARY|crash-|Test unit written" || true )
  if ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* >/dev/null 2>&1; then
    echo "fuzz: $t found a failing input:" >&2; ls "$work" >&2; exit 1
  fi
done
echo "fuzz: 3 passed, 0 failed"
