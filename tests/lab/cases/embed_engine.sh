#!/usr/bin/env bash
# The library as a P2P client embeds it: `cmake --install` into a temporary
# prefix, examples/embed built against it twice (pkg-config, and CMake's
# find_package), and run on the LAN host with UPnP on in its amule.conf: the
# Engine maps the three ports on the lab's real router, the events and the
# status JSON say so, and after SIGINT (Engine::stop) none is left.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
src=$(cd "$(dirname "$LAB")/../.." && pwd)
build=$(cd "$(dirname "$MULENET")/.." && pwd)
prefix="$SMOKE_TMP/prefix"

smoke_check "cmake --install into a temporary prefix" bash -c "cmake --install '$build' --prefix '$prefix' >/dev/null"
libdir=$(dirname "$(find "$prefix" -name mulenet.pc | head -n 1)")/..
smoke_check "the shared library has a SONAME" bash -c "objdump -p '$libdir/libmulenet.so' | grep -q 'SONAME *libmulenet.so.0'"
smoke_check "and the static one is there" test -f "$libdir/libmulenet.a"
smoke_check "only include/mulenet/ is installed" bash -c "[ \"\$(ls '$prefix/include')\" = mulenet ]"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# A library built with the sanitizers (`make asan`) needs its client built with them too.
san=()
mulenet_under_asan && san=("-fsanitize=address,undefined")
smoke_check "pkg-config knows it" pkg-config --exists mulenet
# shellcheck disable=SC2046
smoke_check "built with pkg-config" c++ -std=c++20 -O1 "${san[@]}" "$src/examples/embed/main.cpp" -o "$SMOKE_TMP/embed-pc" \
  $(pkg-config --cflags --libs mulenet) -Wl,-rpath,"$(pkg-config --variable=libdir mulenet)"
smoke_check "built with find_package" bash -c "cmake -S '$src/examples/embed' -B '$SMOKE_TMP/embed-cmake' -G Ninja \
  -DCMAKE_PREFIX_PATH='$prefix' -DCMAKE_CXX_FLAGS='${san[*]}' >/dev/null && cmake --build '$SMOKE_TMP/embed-cmake' >/dev/null"

conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=4931\nUDPPort=4941\nUPnPEnabled=1\n' >"$conf"
ours() { "$LAB" router mappings | grep -cE '^(tcp|udp) (4931|4934|4941) ' || true; }
all_three() { [ "$(ours)" -eq 3 ]; }
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap
last_status() { grep '^status: ' "$1" | tail -n 1 | sed 's/^status: //'; }
three_mapped() {
  last_status "$1" | jqt '[.ports[] | select(.state == "mapped" and .external_port == .port) | .port] | sort == [4931, 4934, 4941]' >/dev/null
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
    bash -c "grep '^status: ' '$log' | tail -n 1 | sed 's/^status: //' | jqt '.router.external_ip == \"$LAB_ROUTER_WAN_IP\" and .updated_at != null' >/dev/null"
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
# The Engine's eD2k session (EngineOptions::ed2k) on the LAN host, with the
# server of its server.met (the lab's eD2k server): with UPnP on the Engine
# maps first, so the server's connect-back comes through the router: a High
# ID at the router's outside address; with UPnP off nothing forwards the
# port: a Low ID. Said by events and in the status; stop() removes all.
wan_ed2k_id() {  # A.B.C.D -> the ID of a High ID at that address (ed2k order)
  local IFS=. a b c d
  read -r a b c d <<<"$1"
  echo $((a + (b << 8) + (c << 16) + (d << 24)))
}
high_id=$(wan_ed2k_id "$LAB_ROUTER_WAN_IP")
for upnp in 1 0; do
  dir="$conf_dir/ed2k-$upnp"
  mkdir -p "$dir"
  printf '[eMule]\nPort=4971\nUDPPort=4981\nUPnPEnabled=%s\n' "$upnp" >"$dir/amule.conf"
  # server.met: one server, the lab's eD2k server at 203.0.113.10:4661.
  printf '\xe0\x01\x00\x00\x00\xcb\x00\x71\x0a\x35\x12\x00\x00\x00\x00' >"$dir/server.met"
  log="$SMOKE_TMP/run-ed2k-$upnp.log"
  "$LAB" exec lan "$SMOKE_TMP/embed-pc" "$dir/amule.conf" --ed2k >"$log" 2>&1 &
  runner=$!
  SMOKE_PIDS+=("$runner")
  ed2k_said() { grep -qE '^event: eD2k: (high|low)-id' "$log"; }
  smoke_check "ed2k (UPnP $upnp): the ID arrived as an event" lab_wait_for "the eD2k ID" 40 ed2k_said
  grep -E '^event: (eD2k|ed2k|router)' "$log"  # shown by ctest when a check fails
  if [ "$upnp" = 1 ]; then
    smoke_check "ed2k (UPnP on): a High ID at the router's address" grep -q "^event: eD2k: high-id (ID $high_id)" "$log"
    smoke_check "ed2k (UPnP on): the status says so" bash -c "grep '^status: ' '$log' | tail -n 1 | sed 's/^status: //' |
      jqt '.ed2k.state == \"high-id\" and .ed2k.high_id == true and .ed2k.id == $high_id and .ed2k.server == \"$LAB_WAN_IP:4661\"' >/dev/null"
    smoke_check "ed2k (UPnP on): the server's connect-back verified the TCP port" bash -c "grep '^status: ' '$log' | tail -n 1 |
      sed 's/^status: //' | jqt '.ports[] | select(.name == \"ed2k-tcp\") | .state == \"verified-open\" and (.evidence | contains(\"connected back\"))' >/dev/null"
  else
    smoke_check "ed2k (UPnP off): a Low ID (nothing forwards the port)" grep -qE '^event: eD2k: low-id' "$log"
    smoke_check "ed2k (UPnP off): the router problem is said" bash -c "grep -q 'router: nothing to map' '$log'"
    smoke_check "ed2k (UPnP off): a Low ID verifies nothing (the TCP port stays unknown)" bash -c "grep '^status: ' '$log' |
      tail -n 1 | sed 's/^status: //' | jqt '.ports[] | select(.name == \"ed2k-tcp\") | .state == \"unknown\"' >/dev/null"
  fi
  smoke_check "ed2k (UPnP $upnp): connecting was said first" bash -c "grep -E '^event: eD2k' '$log' | head -n 1 | grep -q connecting"
  pid=$(pgrep -f "^$SMOKE_TMP/embed-pc $dir/amule.conf" | head -n 1)
  kill -INT "$pid" 2>/dev/null
  for _ in $(seq 150); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
  smoke_check "ed2k (UPnP $upnp): SIGINT stops it" bash -c "! kill -0 $runner 2>/dev/null"
  smoke_check "ed2k (UPnP $upnp): none of its mappings left" bash -c "! '$LAB' router mappings | grep -qE '^(tcp|udp) (4971|4974|4981) '"
  smoke_check "ed2k (UPnP $upnp): the TCP port is free again" bash -c "! '$LAB' exec lan ss -tln | grep -q ':4971 '"
done

# The Engine's own Kad node and listener, checked on demand (check_kad_now),
# directly on the WAN (a host only this case uses: amuled keeps per-address
# state, and a node that knows an address declines its UDP test) against the lab's amuled nodes: open and open, said by
# an event and in the status; stop() ends it.
mkdir -p "$conf_dir/kad"
printf '[eMule]\nPort=4951\nUDPPort=4961\n' >"$conf_dir/kad/amule.conf"
lab_kad_nodes_dat "$conf_dir/kad/nodes.dat" 6 5 4 3 2
# Written an hour ago, as by an aMule that ran then: a nodes.dat written just
# now would mean aMule may still hold UDP flows with its nodes (no UDP test).
touch -d '-1 hour' "$conf_dir/kad/nodes.dat"
log="$SMOKE_TMP/run-kad.log"
"$LAB" exec embed "$SMOKE_TMP/embed-pc" "$conf_dir/kad/amule.conf" --check-kad >"$log" 2>&1 &
runner=$!
SMOKE_PIDS+=("$runner")
kad_said() { grep -q '^event: Kad: connected, TCP' "$log"; }
smoke_check "kad: the check's verdicts arrived as an event" lab_wait_for "the Kad verdicts" 90 kad_said
grep '^event: ' "$log"  # shown by ctest when a check fails
smoke_check "kad: TCP open, UDP open (directly on the WAN)" grep -q '^event: Kad: connected, TCP open, UDP open' "$log"
smoke_check "kad: the status says so" \
  bash -c "grep '^status: ' '$log' | tail -n 1 | sed 's/^status: //' | jqt '.kad.tcp == \"open\" and .kad.udp == \"open\" and .kad.external_udp_port == 4961' >/dev/null"
smoke_check "kad: its verdicts verified the TCP and the Kad UDP port" \
  bash -c "grep '^status: ' '$log' | tail -n 1 | sed 's/^status: //' | jqt '[.ports[] | select(.state == \"verified-open\") | .name] | sort == [\"ed2k-tcp\", \"kad-udp\"]' >/dev/null"
pid=$(pgrep -f "^$SMOKE_TMP/embed-pc $conf_dir/kad/amule.conf" | head -n 1)
kill -INT "$pid" 2>/dev/null
for _ in $(seq 150); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
smoke_check "kad: SIGINT stops it" bash -c "! kill -0 $runner 2>/dev/null"
smoke_check "kad: the Kad port is free again" bash -c "! '$LAB' exec embed ss -uln | grep -q ':4961 '"
smoke_finish
