#!/usr/bin/env bash
# `mulenet run` when the router's external address changes under it (an ISP
# hands out a new one): the mapping renewals see the new address within
# seconds, the daemon says so, and logs in to the eD2k server again, whose
# connect-back through the same mapping gives the High ID of the new address
# (the old ID would name an address that is no longer ours). Back to the
# first address: the same again. SIGTERM leaves no mapping.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
status_port=4723
printf '[eMule]\nPort=4901\nUDPPort=4905\nUPnPEnabled=1\n[mulenet]\nStatusPort=%s\n' "$status_port" >"$conf"
# server.met: the lab's eD2k server, 203.0.113.10:4661.
printf '\xe0\x01\x00\x00\x00\xcb\x00\x71\x0a\x35\x12\x00\x00\x00\x00' >"$conf_dir/server.met"
smoke_on_exit "$LAB" router wan-address back
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap
# The eD2k ID of an address: its bytes in reverse order (203.0.113.N).
ed2k_id_of_last_byte() { echo $((203 + 113 * 65536 + $1 * 16777216)); }
first_id=$(ed2k_id_of_last_byte 2)
other_id=$(ed2k_id_of_last_byte 3)
status_json() { "$LAB" exec lan curl -s --max-time 5 "http://127.0.0.1:$status_port/api/status"; }
at() {  # at EXTERNAL_IP ED2K_ID: the router's address and a High ID with that ID, the TCP port verified
  status_json | jqt ".router.external_ip == \"$1\" and .ed2k.state == \"high-id\" and .ed2k.id == $2 and
    ([.ports[] | select(.name == \"ed2k-tcp\") | .state] == [\"verified-open\"])" >/dev/null 2>&1
}
log="$SMOKE_TMP/run.log"

"$LAB" exec lan "$MULENET" --config "$conf" run --no-kad >"$log" 2>&1 &
SMOKE_PIDS+=("$!")
smoke_check "started: 203.0.113.2, a High ID for it, the port verified" \
  lab_wait_for "a High ID at 203.0.113.2" 30 at 203.0.113.2 "$first_id"

smoke_check "the router's external address changes" "$LAB" router wan-address other
smoke_check "within seconds: 203.0.113.3, logged in again, the High ID of the new address" \
  lab_wait_for "a High ID at 203.0.113.3" 30 at 203.0.113.3 "$other_id"
grep -E "external address|eD2k" "$log" | tail -n 8  # shown by ctest when a check fails
smoke_check "the log says the external address changed" grep -q "203.0.113.3" "$log"
smoke_check "no session problem blamed on the server for it" bash -c "! grep -q 'ed2k: 203.0.113.10:4661: the connection' '$log'"

smoke_check "the first address comes back" "$LAB" router wan-address back
smoke_check "again: 203.0.113.2 and its High ID" lab_wait_for "a High ID at 203.0.113.2 again" 30 at 203.0.113.2 "$first_id"

sigterm_daemon "$conf"
smoke_check "no mapping of ours left on the router" bash -c "! '$LAB' router mappings | grep -qE '^(tcp|udp) (4901|4904|4905) '"
smoke_finish
