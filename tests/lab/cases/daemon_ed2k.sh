#!/usr/bin/env bash
# `mulenet run`'s eD2k session as the seeds advise, against eD2k test servers
# of this case's own (so it may stop and start them): server.met lists an
# "overloaded" server (Low ID for everyone) first and a good one second. With
# the port forwarded by our own mapping, the Low ID is the server's fault: the
# daemon leaves it for the next server and gets a High ID there, and says
# why. The server stopped: the daemon says the session ended; started again:
# a High ID again within aMule's retry time. With ServerKeepAliveTimeout=1
# the daemon sends aMule's keep-alive (an empty OP_OFFERFILES) after a
# minute of silence, before the servers' 70 s idle limit closes the session.
# SIGTERM leaves no mapping.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
server_py="$LAB_HOME/../ed2k_server/ed2k_test_server.py"
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
status_port=4719
printf '[eMule]\nPort=4921\nUDPPort=4925\nUPnPEnabled=1\nServerKeepAliveTimeout=1\n[mulenet]\nStatusPort=%s\n' \
  "$status_port" >"$conf"
# server.met: 203.0.113.10:4691 (lowid), then 203.0.113.10:4692 (normal).
printf '\xe0\x02\x00\x00\x00\xcb\x00\x71\x0a\x53\x12\x00\x00\x00\x00\xcb\x00\x71\x0a\x54\x12\x00\x00\x00\x00' \
  >"$conf_dir/server.met"
start_servers() {
  "$LAB" exec wan python3 -u "$server_py" --address "$LAB_WAN_IP" --listen 4691:lowid --listen 4692:normal \
    --idle-timeout 70 >>"$SMOKE_TMP/servers.log" 2>&1 &
  SMOKE_PIDS+=("$!")
  lab_wait_for "our eD2k test servers" 10 lab_tcp_listening wan 4692
}
stop_servers() { pkill -f -- "--listen 4691:lowid --listen 4692:normal"; }
smoke_on_exit pkill -f -- "--listen 4691:lowid --listen 4692:normal"
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap
status_json() { "$LAB" exec lan curl -s --max-time 5 "http://127.0.0.1:$status_port/api/status"; }
high_id_at_good() { status_json | jqt '.ed2k.state == "high-id" and .ed2k.server == "'"$LAB_WAN_IP"':4692"' >/dev/null 2>&1; }
no_high_id() { status_json | jqt '.ed2k.state != "high-id"' >/dev/null 2>&1; }
log="$SMOKE_TMP/run.log"

smoke_check "our eD2k test servers listen" start_servers
"$LAB" exec lan "$MULENET" --config "$conf" run --no-kad >"$log" 2>&1 &
SMOKE_PIDS+=("$!")
smoke_check "a High ID from the second server" lab_wait_for "a High ID at :4692" 60 high_id_at_good
grep -E 'eD2k|ed2k' "$log"  # shown by ctest when a check fails
smoke_check "the first server's Low ID was left, and the log says why" \
  grep -qE "ed2k: $LAB_WAN_IP:4691: a Low ID although the router forwards our TCP port; trying the next server" "$log"
smoke_check "the port verified open by the good server's connect-back" bash -c "$(declare -f status_json); LAB=$LAB status_port=$status_port
  status_json | jqt '.ports[] | select(.name == \"ed2k-tcp\") | .state == \"verified-open\"' >/dev/null"

stop_servers
smoke_check "the servers stopped: the session ends, the API says so" lab_wait_for "the session to end" 20 no_high_id
smoke_check "the log says the server closed the connection" grep -q "4692: the server closed the connection" "$log"
start_servers
smoke_check "started again: a High ID again within aMule's retry time" lab_wait_for "a High ID again" 120 high_id_at_good
offered() { grep -q "offer of 0 files" "$SMOKE_TMP/servers.log"; }
smoke_check "a minute of silence: the server got the keep-alive (an offer of 0 files)" \
  lab_wait_for "the keep-alive" 75 offered
grep -E "4692" "$SMOKE_TMP/servers.log" | tail -n 4  # shown by ctest when a check fails
still_held() { ! grep -q "silent for" "$SMOKE_TMP/servers.log" && high_id_at_good; }
smoke_check "the session was not closed as idle, still a High ID" still_held

sigterm_daemon "$conf"
smoke_check "no mapping of ours left on the router" bash -c "! '$LAB' router mappings | grep -qE '^(tcp|udp) (4921|4924|4925) '"
smoke_finish
