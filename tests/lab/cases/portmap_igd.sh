#!/usr/bin/env bash
# `mulenet igd` against the lab's miniupnpd: NAT-PMP, PCP and UPnP answer from the
# LAN with the router's real outside address; a host with no gateway gets a
# clear "no router" and exit code 2.
set -uo pipefail
LAB=${1:?usage: $0 LAB_SCRIPT}
source "$(dirname "$LAB")/lib/common.bash"
MULENET=${MULENET:?the ctest environment names the mulenet binary}
passed=0 failed=0
check() {  # DESCRIPTION JQ_FILTER JSON
  if jqt "$2" <<<"$3" 2>/dev/null; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $1: jq '$2' on: $3" >&2; fi
}

out=$("$LAB" exec lan "$MULENET" igd --json 2>/dev/null); code=$?
check "exit code 0 from the LAN" '. != null' "$out"
[ "$code" -eq 0 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: exit code $code" >&2; }
check "gateway" ".gateway.address == \"$LAB_ROUTER_LAN_IP\" and .local_address == \"$LAB_LAN_IP\"" "$out"
check "NAT-PMP answers with the outside address" \
  ".protocols.natpmp.answered and .protocols.natpmp.external_ip == \"$LAB_ROUTER_WAN_IP\"" "$out"
check "PCP answers" '.protocols.pcp.answered and .protocols.pcp.error == ""' "$out"
check "UPnP IGD found and asked" \
  ".protocols.upnp.answered and .protocols.upnp.external_ip == \"$LAB_ROUTER_WAN_IP\" and (.protocols.upnp.service_type | endswith(\"WANIPConnection:2\")) and .protocols.upnp.connection_status == \"Connected\" and (.protocols.upnp.location | startswith(\"http://$LAB_ROUTER_LAN_IP:\"))" "$out"
check "no double NAT" ".external_ip == \"$LAB_ROUTER_WAN_IP\" and .double_nat == false" "$out"

# The router's mapping table, whoever made the entry: here upnpc on the other LAN host.
"$LAB" exec lan2 upnpc -u "http://$LAB_ROUTER_LAN_IP:5000/rootDesc.xml" -d 4999 TCP >/dev/null 2>&1
"$LAB" exec lan2 upnpc -u "http://$LAB_ROUTER_LAN_IP:5000/rootDesc.xml" -e "igd-table-test" \
  -a "$LAB_LAN2_IP" 4999 4999 TCP >/dev/null 2>&1
out=$("$LAB" exec lan "$MULENET" igd --json 2>/dev/null)
check "the mapping table lists another host's entry" \
  ".protocols.upnp.mappings | any(.protocol == \"tcp\" and .external_port == 4999 and .internal_client == \"$LAB_LAN2_IP\" and .internal_port == 4999 and .description == \"igd-table-test\" and .lease > 0)" "$out"
check "no table error" '.protocols.upnp.mappings_error == ""' "$out"
text=$("$LAB" exec lan "$MULENET" igd 2>/dev/null)
echo "$text" | grep -q "4999 *$LAB_LAN2_IP:4999 .*igd-table-test" && passed=$((passed + 1)) ||
  { failed=$((failed + 1)); echo "FAIL: the text table lacks the entry: $text" >&2; }
"$LAB" exec lan2 upnpc -u "http://$LAB_ROUTER_LAN_IP:5000/rootDesc.xml" -d 4999 TCP >/dev/null 2>&1
out=$("$LAB" exec lan "$MULENET" igd --json 2>/dev/null)
check "the entry is gone after upnpc -d" '.protocols.upnp.mappings | all(.external_port != 4999)' "$out"

out=$("$LAB" exec direct "$MULENET" igd --json --timeout 500 2>/dev/null); code=$?
[ "$code" -eq 2 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: direct: exit code $code" >&2; }
check "no gateway on the WAN host" '.gateway == null and (.error | contains("no IPv4 default gateway"))' "$out"

# Asking a host that is no router: nothing answers, within the timeout.
out=$("$LAB" exec lan "$MULENET" igd --json --gateway "$LAB_LAN2_IP" --timeout 700 2>/dev/null)
check "a host that is no router" '(.protocols.natpmp.answered | not) and (.protocols.pcp.answered | not)' "$out"
# (UPnP may still be found by multicast: the real router answers that wherever we ask.)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
