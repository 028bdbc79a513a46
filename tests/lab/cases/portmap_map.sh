#!/usr/bin/env bash
# `mulenet map --once --keep` / `mulenet unmap` from the LAN host against the
# lab's miniupnpd, by each protocol: every planned port is mapped, a WAN host
# really connects in (TCP) and sends in (UDP), and after unmap nothing of ours
# is left in the router's rules. Then: a `mulenet map` killed with -9 leaves
# its mappings in the journal, and the next run removes them first.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
conf_dir="$SMOKE_TMP/conf"
mkdir -p "$conf_dir"
conf="$conf_dir/amule.conf"
printf '[eMule]\nPort=4811\nUDPPort=4711\nUPnPEnabled=1\n' >"$conf"
mulenet_in_lan() { "$LAB" exec lan "$MULENET" --config "$conf" "$@"; }
ours_on_router() { router_cmd mappings | grep -E '^(tcp|udp) (4811|4814|4711) ' || true; }
smoke_on_exit mulenet_in_lan unmap

for via in pcp natpmp upnp; do
  out=$(mulenet_in_lan map --once --keep --via "$via" --json 2>/dev/null); code=$?
  smoke_check "$via: exit code 0 ($code)" test "$code" -eq 0
  smoke_check "$via: every planned port mapped at its own number" \
    jqt --arg via "$via" '[.mappings[] | select(.state == "mapped" and .via == $via and .external_port == .internal_port) | .internal_port] | sort == [4711, 4811, 4814]' <<<"$out"
  smoke_check "$via: the router's outside address" jqt ".external_ip == \"$LAB_ROUTER_WAN_IP\"" <<<"$out"
  smoke_check "$via: the router lists the three" test "$(ours_on_router | wc -l)" -eq 3
  smoke_check "$via: the journal lists the three" jqt '.mappings | length == 3' "$conf_dir/mulenet-mappings.json"
  smoke_check "$via: peer connects in to TCP 4811" smoke_tcp_through peer 4811 "tcp-$via"
  smoke_check "$via: peer's datagram reaches UDP 4711" smoke_udp_through peer 4711 "udp-$via" 41711
  out=$(mulenet_in_lan unmap --json 2>/dev/null); code=$?
  smoke_check "$via: unmap exit code 0 ($code)" test "$code" -eq 0
  smoke_check "$via: unmap removed the three" jqt '[.removed[] | select(.removed)] | length == 3' <<<"$out"
  smoke_check "$via: nothing of ours left on the router" test -z "$(ours_on_router)"
  smoke_check "$via: the journal is gone" test ! -e "$conf_dir/mulenet-mappings.json"
  smoke_check "$via: peer can no longer connect in" smoke_tcp_blocked peer 4811 "late-$via"
done

# The description URL found by SSDP is remembered and tried first next time;
# a remembered URL that no longer answers (a router restarted on another HTTP
# port) costs nothing but the refused connection: SSDP finds the router again.
memory="$conf_dir/mulenet-router.json"
smoke_check "upnp: the description URL is remembered" jqt ".upnp_location == \"$LAB_ROUTER_DESC_URL\"" "$memory"
out=$(mulenet_in_lan map --once --via upnp --json 2>/dev/null)
smoke_check "upnp again: mapped from the remembered URL" \
  jqt '.upnp_location_remembered == true and ([.mappings[] | select(.state == "mapped")] | length == 3)' <<<"$out"
jq --arg url "http://$LAB_ROUTER_LAN_IP:5999/rootDesc.xml" '.upnp_location = $url' "$memory" >"$memory.new" && mv "$memory.new" "$memory"
out=$(mulenet_in_lan map --once --via upnp --json 2>/dev/null)
smoke_check "upnp, remembered URL dead: found by SSDP and mapped" \
  jqt '.upnp_location_remembered == false and ([.mappings[] | select(.state == "mapped")] | length == 3)' <<<"$out"
smoke_check "upnp, remembered URL dead: the memory is corrected" jqt ".upnp_location == \"$LAB_ROUTER_DESC_URL\"" "$memory"
echo 'not json' >"$memory"
out=$(mulenet_in_lan map --once --via upnp --json 2>/dev/null)
smoke_check "upnp, memory damaged: found by SSDP and mapped" \
  jqt '.upnp_location_remembered == false and ([.mappings[] | select(.state == "mapped")] | length == 3)' <<<"$out"
smoke_check "nothing left after the remembered-URL runs" test -z "$(ours_on_router)"

# --once without --keep: maps, then removes them again before exiting.
out=$(mulenet_in_lan map --once --json 2>/dev/null)
smoke_check "--once alone: mapped" jqt '[.mappings[] | select(.state == "mapped")] | length == 3' <<<"$out"
smoke_check "--once alone: nothing left" test -z "$(ours_on_router)"

# kill -9 while it stays: the journal outlives it, and the next start cleans up.
"$LAB" exec lan "$MULENET" --config "$conf" map --via pcp >/dev/null 2>&1 &
stayer=$!
SMOKE_PIDS+=("$stayer")
lab_wait_for "the mappings of the staying mulenet" 15 bash -c "[ \"\$(\"$LAB\" router mappings | grep -cE '^(tcp|udp) (4811|4814|4711) ')\" -eq 3 ]"
pkill -KILL -f "mulenet --config $conf map --via pcp" 2>/dev/null
wait "$stayer" 2>/dev/null
smoke_check "after kill -9 the mappings are still there" test "$(ours_on_router | wc -l)" -eq 3
smoke_check "after kill -9 the journal lists them" jqt '.mappings | length == 3' "$conf_dir/mulenet-mappings.json"
out=$(mulenet_in_lan map --once --via natpmp --json 2>/dev/null)
smoke_check "the next start removed the leftovers first" jqt '[.cleaned[] | select(endswith(": removed"))] | length == 3' <<<"$out"
smoke_check "and then left nothing behind" test -z "$(ours_on_router)"

# Nothing to map when UPnP is off in amule.conf.
printf '[eMule]\nUPnPEnabled=0\n' >"$SMOKE_TMP/off.conf"
"$LAB" exec lan "$MULENET" --config "$SMOKE_TMP/off.conf" map --once --json >/dev/null 2>&1
smoke_check "UPnP off: exit code 3" test $? -eq 3
smoke_finish
