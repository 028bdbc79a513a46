#!/usr/bin/env bash
# The library as a P2P client embeds it: `cmake --install` into a temporary
# prefix, examples/embed built against it twice (pkg-config, and CMake's
# find_package), and run on the LAN host with UPnP on in its amule.conf: the
# Engine maps the three ports on the lab's real router, the events and the
# status JSON say so, and after SIGINT (Engine::stop) none is left.
set -uo pipefail
LAB=${1:?usage: $0 LAB_SCRIPT}
# shellcheck source=../router/smoke.bash
source "$(dirname "$LAB")/router/smoke.bash"
MULENET=${MULENET:?the ctest environment names the mulenet binary}
smoke_init
smoke_require_lab
src=$(cd "$(dirname "$LAB")/../.." && pwd)
build=$(cd "$(dirname "$MULENET")/.." && pwd)
prefix="$SMOKE_TMP/prefix"

smoke_check "cmake --install into a temporary prefix" bash -c "cmake --install '$build' --prefix '$prefix' >/dev/null"
libdir=$(dirname "$(find "$prefix" -name mulenet.pc | head -n 1)")/..
smoke_check "the shared library has a SONAME" bash -c "objdump -p '$libdir/libmulenet.so' | grep -q 'SONAME *libmulenet.so.0'"
smoke_check "and the static one is there" test -f "$libdir/libmulenet.a"
smoke_check "only include/mulenet/ is installed" bash -c "[ \"\$(ls '$prefix/include')\" = mulenet ]"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
smoke_check "pkg-config knows it" pkg-config --exists mulenet
# shellcheck disable=SC2046
smoke_check "built with pkg-config" c++ -std=c++20 -O1 "$src/examples/embed/main.cpp" -o "$SMOKE_TMP/embed-pc" \
  $(pkg-config --cflags --libs mulenet) -Wl,-rpath,"$(pkg-config --variable=libdir mulenet)"
smoke_check "built with find_package" bash -c "cmake -S '$src/examples/embed' -B '$SMOKE_TMP/embed-cmake' -G Ninja \
  -DCMAKE_PREFIX_PATH='$prefix' >/dev/null && cmake --build '$SMOKE_TMP/embed-cmake' >/dev/null"

conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=4931\nUDPPort=4941\nUPnPEnabled=1\n' >"$conf"
ours() { "$LAB" router mappings | grep -cE '^(tcp|udp) (4931|4934|4941) ' || true; }
all_three() { [ "$(ours)" -eq 3 ]; }
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap
last_status() { grep '^status: ' "$1" | tail -n 1 | sed 's/^status: //'; }
three_mapped() {
  last_status "$1" | jq -e '[.ports[] | select(.state == "mapped" and .external_port == .port) | .port] | sort == [4931, 4934, 4941]' >/dev/null
}

for how in pc cmake; do
  bin="$SMOKE_TMP/embed-$how"
  [ "$how" = cmake ] && bin="$SMOKE_TMP/embed-cmake/embed"
  log="$SMOKE_TMP/run-$how.log"
  "$LAB" exec lan "$bin" "$conf" >"$log" 2>&1 &
  runner=$!
  SMOKE_PIDS+=("$runner")
  smoke_check "$how: the router holds the three mappings" lab_wait_for "the three mappings" 15 all_three
  smoke_check "$how: the status JSON says mapped for the three" lab_wait_for "the status" 5 three_mapped "$log"
  smoke_check "$how: the router's external address in the status" \
    bash -c "grep '^status: ' '$log' | tail -n 1 | sed 's/^status: //' | jq -e '.router.external_ip == \"$LAB_ROUTER_WAN_IP\" and .updated_at != null' >/dev/null"
  smoke_check "$how: events arrived" grep -q "^event: engine started" "$log"
  smoke_check "$how: a port-changed event per port" test "$(grep -cE '^event: .* \((ed2k-tcp|server-udp|kad-udp)\): mapped via' "$log")" -eq 3
  pid=$(pgrep -f "^$bin $conf" | head -n 1)
  kill -INT "$pid" 2>/dev/null
  for _ in $(seq 150); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
  smoke_check "$how: SIGINT stops it (Engine::stop)" bash -c "! kill -0 $runner 2>/dev/null"
  smoke_check "$how: the last event says 3 removed" grep -q "^event: engine stopped: 3 mapping(s) removed" "$log"
  smoke_check "$how: none left on the router" test "$(ours)" -eq 0
  smoke_check "$how: and no journal" test ! -e "$conf_dir/mulenet-mappings.json"
done
smoke_finish
