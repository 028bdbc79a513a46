#!/usr/bin/env bash
# `mulenet doctor` from the LAN host against the lab's real miniupnpd: the
# router is found with what it speaks; ports not forwarded are named with the
# fix; after `mulenet map --once --keep` they are forwarded to us; when the
# other LAN host holds our TCP port (as after a DHCP address change), the
# doctor names that address and advises a fixed LAN IP. On the WAN host (no
# gateway) it says there is no router; --no-router asks nothing.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=4821\nUDPPort=4721\nUPnPEnabled=1\n' >"$conf"
# Without servers or nodes to ask (reachability is the other cases' business).
doctor_in() { "$LAB" exec "$1" "$MULENET" --config "$conf" doctor --no-ed2k --no-kad --json 2>/dev/null; }
desc="http://$LAB_ROUTER_LAN_IP:5000/rootDesc.xml"
cleanup() {
  "$LAB" exec lan "$MULENET" --config "$conf" unmap >/dev/null 2>&1
  "$LAB" exec lan2 upnpc -u "$desc" -d 4821 TCP >/dev/null 2>&1
}
smoke_on_exit cleanup
cleanup

out=$(doctor_in lan); code=$?
smoke_check "the router answers all three" \
  jqt '.findings[] | select(.id == "router.portmapping" and .severity == "ok" and (.title | contains("PCP") and contains("NAT-PMP") and contains("UPnP")) and (.evidence | contains("external address '"$LAB_ROUTER_WAN_IP"'")))' <<<"$out"
smoke_check "no double NAT" jqt '[.findings[] | select(.id == "router.double-nat")] | length == 0' <<<"$out"
smoke_check "the three P2P ports are not forwarded, with the map command and manual rules" \
  jqt '.findings[] | select(.id == "router.not-forwarded" and .severity == "warning" and (.title | contains("TCP 4821") and contains("UDP 4824") and contains("UDP 4721")) and (.fix | contains("mulenet map") and contains("TCP 4821 -> '"$LAB_LAN_IP"':4821")))' <<<"$out"
smoke_check "exit code 1 for the warning ($code)" test "$code" -eq 1

"$LAB" exec lan "$MULENET" --config "$conf" map --once --keep --via natpmp >/dev/null 2>&1
out=$(doctor_in lan); code=$?
smoke_check "after map: forwarded to this host" \
  jqt '.findings[] | select(.id == "router.forwarded" and .severity == "ok" and (.title | contains("TCP 4821") and contains("UDP 4824") and contains("UDP 4721")))' <<<"$out"
smoke_check "after map: nothing missing" jqt '[.findings[] | select(.id == "router.not-forwarded")] | length == 0' <<<"$out"
smoke_check "after map: exit code 0 ($code)" test "$code" -eq 0
"$LAB" exec lan "$MULENET" --config "$conf" unmap >/dev/null 2>&1

# The other LAN host holds our TCP port.
"$LAB" exec lan2 upnpc -u "$desc" -e "old aMule" -a "$LAB_LAN2_IP" 4821 4821 TCP >/dev/null 2>&1
out=$(doctor_in lan); code=$?
smoke_check "our port points to the other LAN address: a problem naming it, with the DHCP advice" \
  jqt '.findings[] | select(.id == "router.conflict.ed2k-tcp" and .severity == "problem" and (.title | contains("'"$LAB_LAN2_IP"'")) and (.evidence | contains("old aMule")) and (.fix | contains("DHCP reservation")))' <<<"$out"
smoke_check "conflict: exit code 2 ($code)" test "$code" -eq 2
"$LAB" exec lan2 upnpc -u "$desc" -d 4821 TCP >/dev/null 2>&1

out=$(doctor_in direct)
smoke_check "the WAN host has no router" \
  jqt '.findings[] | select(.id == "router.none" and .severity == "info")' <<<"$out"
out=$("$LAB" exec lan "$MULENET" --config "$conf" doctor --no-router --json 2>/dev/null)
smoke_check "--no-router: no router finding" jqt '[.findings[] | select(.id | startswith("router."))] | length == 0' <<<"$out"
text=$("$LAB" exec lan "$MULENET" --config "$conf" doctor 2>/dev/null)
smoke_check "text output names the router" grep -q "The router answers" <<<"$text"
smoke_finish
