#!/usr/bin/env bash
# Command 2: every test. Installs what is missing, builds with AddressSanitizer + UBSan, starts a
# throwaway PostgreSQL, and runs unit, store-contract (SQLite and PostgreSQL), HTTP end-to-end and
# browser tests through CTest; before them, each libFuzzer target for a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/deps.sh --test
scripts/web.sh
scripts/build.sh build/test -DCMAKE_BUILD_TYPE=Debug -DGZ_SANITIZE=ON -DGZ_TESTS=ON
scripts/fuzz.sh "${GZ_FUZZ_SECONDS:-10}"   # every parser of outside input, a short bounded run
pgdir=$(mktemp -d /tmp/gongzhi-pg.XXXXXX)
trap 'scripts/pg.sh stop "$pgdir"' EXIT
pgenv=$(scripts/pg.sh start "$pgdir")   # a failure here stops the script (set -e)
eval "$pgenv"
export GONGZHI_REQUIRE_PG=1 GONGZHI_REQUIRE_BROWSER=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build/test --output-on-failure -j "$(nproc)" "$@"
