#!/usr/bin/env bash
# The layering check (scripts/check-layering.sh) on the real tree, and on a
# made-up tree with one broken rule of each kind, which it must refuse.
set -uo pipefail
src=${1:?usage: $0 SOURCE_DIR}
fail=0
bash "$src/scripts/check-layering.sh" "$src" || fail=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/net" "$tmp/src/kad" "$tmp/src/engine" "$tmp/apps/mulenet" "$tmp/include/mulenet" "$tmp/scripts"
cp "$src/scripts/check-layering.sh" "$tmp/scripts/"
expect_refused() {  # what, file, line
  local what=$1 file=$2 line=$3
  rm -rf "$tmp/src" "$tmp/include"
  mkdir -p "$(dirname "$tmp/$file")"
  echo "$line" >"$tmp/$file"
  if bash "$tmp/scripts/check-layering.sh" "$tmp" >"$tmp/out" 2>&1; then
    echo "FAIL: not refused: $what"; fail=1
  else
    echo "ok: refused: $what ($(head -n 1 "$tmp/out"))"
  fi
}
expect_refused "net includes kad" src/net/a.cpp '#include "kad/kad_node.hpp"'
expect_refused "kad includes the engine" src/kad/a.hpp '#include "engine/engine_core.hpp"'
expect_refused "kad includes the public API" src/kad/a.cpp '#include <mulenet/status.hpp>'
expect_refused "a public header includes Asio" include/mulenet/a.hpp '#include <boost/asio/io_context.hpp>'
expect_refused "a public header includes src/" include/mulenet/a.hpp '#include "config/settings.hpp"'
expect_refused "a module without a level" src/newthing/a.cpp '#include "net/x.hpp"'
exit $fail
