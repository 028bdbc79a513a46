#!/usr/bin/env bash
# `cpack -G DEB` makes a .deb that holds the program, the library, the
# service and the manual page; installed with dpkg, `mulenet --version` runs;
# purged again. (Root needed to install: otherwise only the contents are checked.)
set -uo pipefail
build=${1:?usage: $0 BUILD_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { local what=$1; shift; if "$@"; then echo "ok - $what"; else echo "FAIL - $what"; fail=1; fi; }

(cd "$build" && cpack -G DEB -B "$tmp" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; echo "FAIL - cpack -G DEB"; exit 1; }
deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
check "cpack -G DEB made a .deb" test -n "$deb"
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/mulenet ./usr/lib/systemd/system/mulenet.service ./usr/share/man/man1/mulenet.1 \
            ./usr/include/mulenet/engine.hpp; do
  check "it holds $path" grep -q " $path\$" <<<"$contents"
done
check "it holds libmulenet.so.0" grep -qE 'libmulenet\.so\.0' <<<"$contents"
check "its dependencies come from the libraries it links" bash -c "dpkg-deb -f '$deb' Depends | grep -q libboost-json"
if [ "$(id -u)" -ne 0 ] || dpkg-query -W -f='${Status}' mulenet 2>/dev/null | grep -q "ok installed"; then
  echo "ok - not installed (not root, or a mulenet package is installed already: left alone)"
  exit $fail
fi
if dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then
  check "installed: mulenet --version says $(/usr/bin/mulenet --version 2>&1)" bash -c "/usr/bin/mulenet --version | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+'"
  check "installed: the manual page is there" test -s /usr/share/man/man1/mulenet.1*
  dpkg -P mulenet >>"$tmp/dpkg.log" 2>&1 || { echo "FAIL - dpkg -P mulenet"; fail=1; }
  check "removed again" bash -c "! test -e /usr/bin/mulenet"
else
  cat "$tmp/dpkg.log"
  echo "FAIL - dpkg -i"
  fail=1
fi
exit $fail
