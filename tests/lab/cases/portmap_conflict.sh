#!/usr/bin/env bash
# Another LAN host already holds our ports on the router (secure mode): by
# each protocol, mulenet gets another external port from the router (UPnP:
# 718, then AddAnyPortMapping on IGD:2; NAT-PMP/PCP: the router's choice),
# says so (state other-port, exit code 2, UPnP names the holder), a WAN host
# really reaches us through the port granted, and unmap removes only ours:
# the other host's mappings stay.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=4831\nUDPPort=4731\nUPnPEnabled=1\n' >"$conf"
mulenet_in_lan() { "$LAB" exec lan "$MULENET" --config "$conf" "$@"; }
desc="http://$LAB_ROUTER_LAN_IP:5000/rootDesc.xml"
lan2_holds() { "$LAB" exec lan2 upnpc -u "$desc" -e lan2-holds -a "$LAB_LAN2_IP" "$1" "$1" "$2" >/dev/null 2>&1; }
lan2_drops() { "$LAB" exec lan2 upnpc -u "$desc" -d "$1" "$2" >/dev/null 2>&1; }
cleanup() { mulenet_in_lan unmap >/dev/null 2>&1; lan2_drops 4831 TCP; lan2_drops 4731 UDP; }
smoke_on_exit cleanup
cleanup
lan2_holds 4831 TCP
lan2_holds 4731 UDP
smoke_check "lan2 holds TCP 4831" bash -c "\"$LAB\" router mappings | grep -q '^tcp 4831 -> $LAB_LAN2_IP:4831'"

for via in upnp natpmp pcp; do
  out=$(mulenet_in_lan map --once --keep --via "$via" --json 2>/dev/null); code=$?
  smoke_check "$via: exit code 2, not everything at its own port ($code)" test "$code" -eq 2
  smoke_check "$via: TCP 4831 granted at another external port" \
    jqt '.mappings[] | select(.internal_port == 4831 and .state == "other-port" and .external_port != 4831 and (.error | contains("instead of 4831")))' <<<"$out"
  smoke_check "$via: UDP 4731 granted at another external port" \
    jqt '.mappings[] | select(.internal_port == 4731 and .state == "other-port" and .external_port != 4731)' <<<"$out"
  smoke_check "$via: the free UDP port mapped as asked" \
    jqt '.mappings[] | select(.internal_port == 4834 and .state == "mapped" and .external_port == 4834)' <<<"$out"
  if [ "$via" = upnp ]; then
    smoke_check "upnp: the router named the holder" \
      jqt '.mappings[] | select(.internal_port == 4831 and (.holder | contains("'"$LAB_LAN2_IP"':4831")))' <<<"$out"
  fi
  ext=$(jq -r '.mappings[] | select(.internal_port == 4831) | .external_port' <<<"$out")
  smoke_check "$via: peer connects in through the granted port $ext" smoke_tcp_through_to peer "$ext" 4831 "conflict-$via"
  mulenet_in_lan unmap >/dev/null 2>&1
  smoke_check "$via: unmap left lan2's mappings alone" \
    bash -c "m=\$(\"$LAB\" router mappings); grep -q '^tcp 4831 -> $LAB_LAN2_IP:4831' <<<\"\$m\" && grep -q '^udp 4731 -> $LAB_LAN2_IP:4731' <<<\"\$m\" && ! grep -q '$LAB_LAN_IP' <<<\"\$m\""
done

# Our UPnP mapping is lost (the router restarts and forgets) and lan2 takes the port: the
# journal's delete must leave lan2's mapping alone, and say ours is gone.
lan2_drops 4831 TCP
lan2_drops 4731 UDP
mulenet_in_lan map --once --keep --via upnp >/dev/null 2>&1
"$LAB" router restart-miniupnpd forget >/dev/null 2>&1
lan2_holds 4831 TCP
smoke_check "lan2 took the port" bash -c "\"$LAB\" router mappings | grep -q '^tcp 4831 -> $LAB_LAN2_IP:4831'"
out=$(mulenet_in_lan unmap --json 2>/dev/null); code=$?
smoke_check "unmap after the loss: exit code 0 ($code)" test "$code" -eq 0
smoke_check "lan2's mapping of the same port is still there" \
  bash -c "\"$LAB\" router mappings | grep -q '^tcp 4831 -> $LAB_LAN2_IP:4831'"
smoke_finish
