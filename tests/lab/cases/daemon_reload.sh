#!/usr/bin/env bash
# `mulenet run` and SIGHUP behind the lab's real router, as a user changes
# the Kad UDP port in amule.conf under a running daemon: the new port is
# mapped and the old one removed within seconds, while the two ports that
# did not change (the TCP port and the server UDP port) keep their mappings
# without a gap: miniupnpd's log shows no removal of them, only renewals, and
# the journal keeps their PCP nonces (the same mappings, not new ones). Then
# a SIGHUP that turns UPnP off removes every mapping at once, and SIGTERM
# leaves nothing on the router.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
journal="$conf_dir/mulenet-mappings.json"
write_conf() { printf '[eMule]\nPort=4881\nUDPPort=%s\nUPnPEnabled=%s\n[mulenet]\nStatusPort=4729\n' "$1" "$2" >"$conf"; }
write_conf 4885 1
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap
log="$SMOKE_TMP/run.log"
ours() { "$LAB" router mappings | grep -cE '^(tcp|udp) (4881|4884|4885|4886) ' || true; }
mapped() { "$LAB" router mappings | grep -qE "^$1 $2 -> "; }
# nonces: "tcp 4881 NONCE" per mapping the journal lists, sorted.
nonces() { jq -r '.mappings[] | "\(.protocol) \(.internal_port) \(.pcp_nonce)"' "$journal" 2>/dev/null | sort; }
# removals PROTO PORT: how often miniupnpd has said it removed that PCP mapping (its log is the lab's).
removals() { grep -c "PCP: $1 port $2 mapping removed" "$LAB_DIR/log/miniupnpd.log" || true; }
starts() { grep -c "engine started" "$log"; }

"$LAB" exec lan "$MULENET" --config "$conf" run --no-kad --no-ed2k >"$log" 2>&1 &
SMOKE_PIDS+=($!)
three_old() { mapped tcp 4881 && mapped udp 4884 && mapped udp 4885; }
smoke_check "the router holds the three mappings" lab_wait_for "the three mappings" 15 three_old
nonces_before=$(nonces | grep -E '^(tcp 4881|udp 4884) ')
echo "PCP nonces before the reload: $(tr '\n' ' ' <<<"$nonces_before")"
smoke_check "the journal lists the two ports that stay, each with its PCP nonce" \
  test "$(grep -cE ' [0-9a-f]{24}$' <<<"$nonces_before")" -eq 2
removed_before="$(removals TCP 4881) $(removals UDP 4884)"

# The Kad UDP port changes; the TCP and server UDP ports stay.
write_conf 4886 1
pid=$(pgrep -f "mulenet --config $conf run" | head -n 1)
kill -HUP "$pid"
two_starts() { [ "$(starts)" -eq 2 ]; }
smoke_check "SIGHUP with a new Kad UDP port: the services restart with it" lab_wait_for "the second start" 10 two_starts
new_udp() { mapped udp 4886 && ! mapped udp 4885; }
smoke_check "the new Kad UDP port mapped and the old one removed within 5 s" lab_wait_for "the new UDP mapping" 5 new_udp
smoke_check "the log names the port that comes and the one that goes" \
  bash -c 'grep -qF "to forward now: 4886/udp (kad-udp)" "$1" && grep -qF "no longer forwarded: 4885/udp (kad-udp)" "$1"' _ "$log"
smoke_check "the old services left the three mappings for the next ones, said" grep -qF "3 kept on it for the next start" "$log"
smoke_check "the router removed the old Kad UDP mapping (miniupnpd's log)" test "$(removals UDP 4885)" -ge 1
removed_after="$(removals TCP 4881) $(removals UDP 4884)"
smoke_check "but never the two that stay: no removal in miniupnpd's log ($removed_before before, $removed_after after)" \
  test "$removed_before" = "$removed_after"
smoke_check "the two that stay are the same PCP mappings (same nonces in the journal)" \
  test "$(nonces | grep -E '^(tcp 4881|udp 4884) ')" = "$nonces_before"
smoke_check "still exactly three mappings of ours" test "$(ours)" -eq 3

# UPnP turned off: nothing of ours may stay on the router.
write_conf 4886 0
kill -HUP "$pid"
three_starts() { [ "$(starts)" -eq 3 ]; }
smoke_check "SIGHUP with UPnP off: the services restart" lab_wait_for "the third start" 10 three_starts
none() { [ "$(ours)" -eq 0 ]; }
smoke_check "every mapping removed within 5 s" lab_wait_for "no mapping" 5 none
smoke_check "and the journal is empty" bash -c "! test -s '$journal' || [ \"\$(jqt '.mappings | length' <'$journal')\" = 0 ]"

sigterm_daemon "$conf"
smoke_check "no mapping left on the router" none
cat "$log"
smoke_finish
