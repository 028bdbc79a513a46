#!/usr/bin/env bash
# Builds mulenet with -DMULENET_WITH_UPNP=OFF (as aMule without ENABLE_UPNP)
# and checks that UPnP is then reported as unavailable everywhere, never
# silently ignored, while NAT-PMP and PCP remain. Only loopback is asked.
# usage: without_upnp.sh SOURCE_DIR BUILD_DIR WERROR
set -uo pipefail
# shellcheck source=../lib/jqt.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/jqt.bash"
src=${1:?source dir} build=${2:?build dir} werror=${3:-OFF}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1" >&2; }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }

# -O0: this build is about what is compiled in, not speed; it also builds fastest.
if ! cmake -S "$src" -B "$build" -G Ninja -DMULENET_WITH_UPNP=OFF -DMULENET_TESTS=OFF \
      -DMULENET_WERROR="$werror" -DCMAKE_BUILD_TYPE= >"$build.configure.log" 2>&1; then
  cat "$build.configure.log" >&2; echo "configure failed" >&2; exit 1
fi
if ! cmake --build "$build" --target mulenet_cli >"$build.build.log" 2>&1; then
  tail -n 60 "$build.build.log" >&2; echo "build without UPnP failed" >&2; exit 1
fi
bin=$build/bin/mulenet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '[eMule]\nUPnPEnabled=1\n' >"$tmp/amule.conf"

check "no UPnP source compiled in" bash -c "! ls '$build'/CMakeFiles/mulenet.dir/src/portmap/ | grep -qx upnp"
check "not linked to pugixml" bash -c "! ldd '$bin' | grep -q pugixml"
out=$("$bin" --config "$tmp/amule.conf" ports --json)
check "ports --json says upnp_built false" jqt '.upnp_built == false' <<<"$out"
out=$("$bin" --config "$tmp/amule.conf" ports)
check "ports says UPnP IGD is not available" grep -q "UPnP IGD is not available" <<<"$out"
out=$("$bin" igd --gateway 127.0.0.1 --timeout 300 --json 2>/dev/null)
check "igd: UPnP not built in" jqt '.protocols.upnp.answered == false and (.protocols.upnp.error | contains("not built in"))' <<<"$out"
out=$("$bin" --config "$tmp/amule.conf" map --via upnp --gateway 127.0.0.1 --timeout 300 --once --json 2>/dev/null)
code=$?
check "map --via upnp: exit code 2 ($code)" test "$code" -eq 2
check "map --via upnp: says why and what to use instead" \
  jqt '.error | contains("not built into") and contains("--via pcp")' <<<"$out"
out=$("$bin" --config "$tmp/amule.conf" doctor --no-router --json)
check "doctor: the UPnP toggle is reported unavailable" \
  jqt '.findings[] | select(.id == "upnp.not-built" and .severity == "warning")' <<<"$out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
