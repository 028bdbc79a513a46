#!/usr/bin/env bash
# `mulenet kad check` against the lab's real amuled 2.3.3 nodes, in the four
# network situations of the Network Connectivity page:
#   directly on the WAN                      -> TCP open, UDP open, not remapped; the
#                                               nodes list us as a verified contact
#   behind the router with mappings          -> open, open
#   the router rewrites the UDP source port  -> remapped, the verdict names the external port
#   no UDP mapping                           -> UDP firewalled (TCP open)
#   no TCP mapping                           -> TCP firewalled (UDP open)
# Each run takes its nodes from a nodes.dat in a chosen order, so that no
# node gets more than 2 firewall checks or pings a minute from one address
# (amuled's flood limits), and `lab router forget-flows` clears the NAT's
# memory of earlier UDP exchanges between runs.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
# This case makes the router forget earlier flows itself (forget-flows)
# before each run, so mulenet's UDP flow window is shortened to a second
# (kad_recheck tests it). The re-check window stays: amuled answers a re-check
# within it from its earlier check (FIREWALLED_RES, then no connection).
short_memory='[mulenet]\nKadUdpFlowWindow=1\n'
printf "[eMule]\nPort=4871\nUDPPort=4771\nUPnPEnabled=1\n$short_memory" >"$conf"
mkdir -p "$conf_dir/direct"
cp "$conf" "$conf_dir/direct/amule.conf"
desc="http://$LAB_ROUTER_LAN_IP:5000/rootDesc.xml"

check_from() {  # NODE NODES_DAT [ARGS...]: JSON in $out, exit code in $code
  local node=$1 dat=$2 c=$conf
  shift 2
  [ "$node" = direct ] && c=$conf_dir/direct/amule.conf  # another machine: its own identity
  [ "$node" = lan2 ] && c=$conf2
  out=$("$LAB" exec "$node" "$MULENET" --config "$c" kad check --nodes "$dat" --json "$@" 2>/dev/null)
  code=$?
  echo "$node: $(jq -c '{tcp,udp,external_udp_port,udp_remapped,public_ip,tcp_acks,tcp_answers,udp_working_port,verified_by,ms}' <<<"$out")"
  jq -r '.evidence[]? | "    \(.ms) ms \(.node) \(.said)"' <<<"$out"  # shown by ctest when a check fails
}
smoke_on_exit "$LAB" router remap-udp off
smoke_on_exit "$LAB" exec lan "$MULENET" --config "$conf" unmap
lab_kad_nodes_dat "$SMOKE_TMP/a.dat" 1 2 3 4 5
lab_kad_nodes_dat "$SMOKE_TMP/b.dat" 4 5 6 1 2

# Directly on the WAN: open, and joining makes the nodes keep us as verified.
check_from direct "$SMOKE_TMP/a.dat"
smoke_check "direct: TCP open, UDP open, exit code 0 ($code)" \
  jqt '.tcp == "open" and .udp == "open" and .exit_code == 0' <<<"$out"
smoke_check "direct: external port = ours, not remapped; public address ours" \
  jqt '.external_udp_port == 4771 and (.udp_remapped | not) and .public_ip == "'"$LAB_DIRECT_IP"'"' <<<"$out"
smoke_check "direct: the evidence names the nodes and what they said" \
  jqt '.tcp_reached >= 2 and ([.evidence[] | select(.said | contains("connected to our TCP port") or contains("OP_KAD_FWTCPCHECK_ACK") or contains("FIREWALLED_ACK_RES")) | .node] | unique | length >= 2)' <<<"$out"
smoke_check "direct: amuled lists us as a verified contact after the HELLO/ACK exchange" \
  jqt '.verified_by >= 1' <<<"$out"

# Behind the router. amuled keeps per-address (and per-node-ID) state for
# minutes (a node that checked us once does not check the same address
# again soon), so each run from one outside address uses nodes of its own:
# lan leaves with 203.0.113.2, lan2 with 203.0.113.3, each host has its own
# config dir (identity); 2 TCP checkers and 2 UDP checkers each (as aMule, UDP
# is called firewalled only when 2 nodes took the test and stayed silent; and
# now and then one amuled sends nothing, so one alone would decide nothing).
mkdir -p "$conf_dir/lan2"
conf2="$conf_dir/lan2/amule.conf"
printf "[eMule]\nPort=4872\nUDPPort=4772\nUPnPEnabled=1\n$short_memory" >"$conf2"
smoke_on_exit "$LAB" exec lan2 "$MULENET" --config "$conf2" unmap
lab_kad_nodes_dat "$SMOKE_TMP/first.dat" 1 2 3 7
# The second run from an address: nodes 4 and 5 check TCP, the UDP test is
# asked of up to three nodes that have not met this address (6 and 8; 2, 3
# and 7 checked it in the first run and are left out), so one silent node
# costs no verdict.
lab_kad_nodes_dat "$SMOKE_TMP/second-remap.dat" 4 5 2 3 6 8
small=(--tcp-checkers 2 --udp-checkers 2 --no-join)

# lan, every port mapped: open, open.
"$LAB" exec lan "$MULENET" --config "$conf" map --once --keep >/dev/null 2>&1
"$LAB" router forget-flows
check_from lan "$SMOKE_TMP/first.dat" "${small[@]}" --udp-wait 25
smoke_check "mapped: TCP open, UDP open" jqt '.tcp == "open" and .udp == "open"' <<<"$out"
smoke_check "mapped: public address = the router's" jqt '.public_ip == "'"$LAB_ROUTER_WAN_IP"'" and (.udp_remapped | not)' <<<"$out"

# lan, the router rewrites the UDP source port (mappings still in place).
"$LAB" router remap-udp on
"$LAB" router forget-flows
check_from lan "$SMOKE_TMP/second-remap.dat" --tcp-checkers 2 --udp-checkers 3 --no-join --udp-wait 25
smoke_check "remapped: said, with the external port the nodes saw" \
  jqt '.udp_remapped and .external_udp_port != null and .external_udp_port != 4771' <<<"$out"
smoke_check "remapped: UDP still reachable at the mapped internal port" jqt '.udp == "open" and .udp_working_port == 4771' <<<"$out"
smoke_check "remapped: TCP open" jqt '.tcp == "open"' <<<"$out"
"$LAB" router remap-udp off

# lan2, TCP mapped but not UDP: UDP firewalled, TCP open.
"$LAB" exec lan2 "$MULENET" --config "$conf2" map --once --keep >/dev/null 2>&1
"$LAB" exec lan2 upnpc -u "$desc" -d 4772 UDP >/dev/null 2>&1
"$LAB" router forget-flows
check_from lan2 "$SMOKE_TMP/first.dat" "${small[@]}"
smoke_check "no UDP mapping: UDP firewalled, TCP open, exit code 1 ($code)" \
  jqt '.udp == "firewalled" and .tcp == "open" and .exit_code == 1 and .public_ip == "'"$LAB_ROUTER_WAN2_IP"'"' <<<"$out"

# lan2, UDP mapped but not TCP: TCP firewalled, UDP open.
"$LAB" exec lan2 "$MULENET" --config "$conf2" unmap >/dev/null 2>&1
"$LAB" exec lan2 upnpc -u "$desc" -e kad-udp -a "$LAB_LAN2_IP" 4772 4772 UDP >/dev/null 2>&1
"$LAB" router forget-flows
# The verdict below is only as good as this mapping: say so when the router did not take it.
smoke_check "the router forwards UDP 4772 to lan2 (upnpc)" \
  bash -c "'$LAB' exec lan2 upnpc -u '$desc' -l 2>/dev/null | grep -qE 'UDP +4772->$LAB_LAN2_IP:4772'"
check_from lan2 "$SMOKE_TMP/second-remap.dat" --udp-wait 25 --tcp-checkers 2 --udp-checkers 3 --no-join
smoke_check "no TCP mapping: TCP firewalled (the nodes answered, none got through), UDP open" \
  jqt '.tcp == "firewalled" and .tcp_answers >= 2 and .tcp_acks == 0 and .udp == "open"' <<<"$out"
"$LAB" exec lan2 upnpc -u "$desc" -d 4772 UDP >/dev/null 2>&1

# The doctor's Kad section, from a WAN host with a nodes.dat next to its amule.conf.
mkdir -p "$SMOKE_TMP/peer"
printf '[eMule]\nPort=4873\nUDPPort=4773\n' >"$SMOKE_TMP/peer/amule.conf"
cp "$SMOKE_TMP/a.dat" "$SMOKE_TMP/peer/nodes.dat"
touch -d "-1 hour" "$SMOKE_TMP/peer/nodes.dat"  # aMule wrote it long ago: none of its flows is still open
out=$("$LAB" exec peer "$MULENET" --config "$SMOKE_TMP/peer/amule.conf" doctor --no-router --no-ed2k --json 2>/dev/null)
smoke_check "doctor: Kad open from the WAN host, said with its evidence" \
  jqt '.findings[] | select(.id == "kad.open" and .severity == "ok" and (.evidence | contains("ACK")))' <<<"$out"
smoke_check "doctor: changed no file (no preferencesKad.dat, no key in amule.conf)" \
  bash -c "[ ! -e '$SMOKE_TMP/peer/preferencesKad.dat' ] && ! grep -q CryptoKadUDPKey '$SMOKE_TMP/peer/amule.conf'"

# Bad input: no nodes, a broken nodes.dat.
out=$("$LAB" exec lan "$MULENET" --config "$conf" kad check --nodes /nonexistent/nodes.dat --json 2>/dev/null); code=$?
smoke_check "a missing nodes.dat: exit code 4 ($code)" test "$code" -eq 4
printf 'junk' >"$SMOKE_TMP/junk.dat"
out=$("$LAB" exec lan "$MULENET" --config "$conf" kad check --nodes "$SMOKE_TMP/junk.dat" --json 2>/dev/null); code=$?
smoke_check "a broken nodes.dat: exit code 4 and why ($code)" jqt '.error.message | contains("nodes.dat")' <<<"$out"
smoke_finish
