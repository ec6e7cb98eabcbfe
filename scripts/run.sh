#!/usr/bin/env bash
# Command 1: install what is missing, build, and serve http://127.0.0.1:8080 on the embedded
# SQLite database var/gongzhi.db with the 复兴区 demo data. Extra arguments go to `gongzhi serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/web.sh
GZ_TARGETS=gongzhi scripts/build.sh build/release -DCMAKE_BUILD_TYPE=Release -DGZ_TESTS=OFF
mkdir -p var
exec build/release/gongzhi serve --db var/gongzhi.db --listen 127.0.0.1:8080 --demo --web web/dist "$@"
