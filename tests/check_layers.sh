#!/usr/bin/env bash
# Fails when a layer includes a header of a layer above it:
#   core <- app <- {store, http} <- main.cc
set -euo pipefail
src=${1:?usage: check_layers.sh SRC_DIR}
bad=0
check() {  # check LAYER_DIR ALLOWED_REGEX
  local dir=$1 allowed=$2
  while IFS= read -r line; do
    echo "layer violation: $line"; bad=1
  done < <(grep -rHn --exclude='*_test.cc' --exclude='test_support.h' '#include "' "$src/$dir" | grep -vE "#include \"($allowed)/" || true)
}
check core 'core'
check app 'core|app'
check store 'core|app|store'
check http 'core|app|http'
[ $bad = 0 ] && echo "layers ok: core <- app <- {store, http} <- main"
exit $bad
