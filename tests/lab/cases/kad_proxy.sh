#!/usr/bin/env bash
# Kad through a SOCKS5 proxy (the Proxy page: Kad UDP goes through SOCKS5's
# UDP ASSOCIATE), in strict mode, from the host behind the router, against
# the lab's real amuled nodes and dante:
#   * nothing leaves the client for anyone but the proxy (an nftables counter
#     in the client's namespace, replies to incoming connections aside);
#   * the nodes answered through the relay and saw the proxy's address and the
#     relay's port (so they could only connect back to the proxy: TCP
#     firewalled, said, and not called a NAT remapping);
#   * the OP_FWCHECKUDPREQ requests went over TCP through the proxy too.
# And with a SOCKS4 proxy in strict mode, Kad is refused with the reason.
# Nodes 6 5 4 check TCP and 3 is asked for the UDP test; kad_lookup.sh (also
# seen as 203.0.113.10) uses 1 and 2 for its TCP check.
# shellcheck source=../lib/case.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/case.bash" "$@"
lan_ns=$(lab_ns lan)
smoke_on_exit ip netns exec "$lan_ns" nft delete table inet mulenet_kad_leak_count

lab_kad_nodes_dat "$SMOKE_TMP/nodes.dat" 6 5 4 3
mkdir -p "$SMOKE_TMP/conf"
proxied() {  # TYPE PORT: an amule.conf with that proxy, strict
  printf '[eMule]\nPort=4876\nUDPPort=4776\n[Proxy]\nProxyEnableProxy=1\nProxyType=%s\nProxyName=%s\nProxyPort=%s\nProxyEnablePassword=1\nProxyUser=%s\nProxyPassword=%s\n[mulenet]\nProxyStrict=1\n' \
    "$1" "$LAB_WAN_IP" "$2" "$LAB_PROXY_USER" "$LAB_PROXY_PASS"
}
proxied 0 "$LAB_DANTE_PORT" >"$SMOKE_TMP/conf/amule.conf"

# Count what the client sends to anyone but the proxy host, except replies
# to connections others opened to us (those can never go through a proxy).
ip netns exec "$lan_ns" nft -f - <<NFT
table inet mulenet_kad_leak_count {
  counter leaked {}
  counter to_proxy {}
  chain output {
    type filter hook output priority 0; policy accept;
    oifname "lo" return
    ct direction reply return
    # The kernel's own link-scope chatter (IPv6 neighbour discovery, MLD,
    # link-local multicast) never leaves the link: not a leak.
    ip6 daddr { fe80::/10, ff02::/16 } return
    ip daddr 224.0.0.0/24 return
    ip daddr $LAB_WAN_IP counter name to_proxy return
    counter name leaked
  }
}
NFT
out=$("$LAB" exec lan "$MULENET" --config "$SMOKE_TMP/conf/amule.conf" kad check --nodes "$SMOKE_TMP/nodes.dat" \
  --tcp-checkers 3 --udp-checkers 1 --no-join --tcp-wait 5 --json 2>/dev/null); code=$?
echo "through dante: $(jq -c '{tcp, udp, external_udp_port, udp_remapped, udp_via_proxy, udp_path, public_ip, tcp_answers, tcp_acks}' <<<"$out")"
jq -r '.evidence[]? | "    \(.ms) ms \(.node) \(.said)"' <<<"$out"
counters=$(ip netns exec "$lan_ns" nft -j list counters table inet mulenet_kad_leak_count)
leaked=$(jq '[.nftables[] | select(.counter.name == "leaked") | .counter.packets] | add' <<<"$counters")
to_proxy=$(jq '[.nftables[] | select(.counter.name == "to_proxy") | .counter.packets] | add' <<<"$counters")
echo "packets to the proxy: $to_proxy, elsewhere: $leaked"
smoke_check "strict SOCKS5: no packet left for anyone but the proxy ($leaked), and traffic did flow ($to_proxy)" \
  bash -c "[ '$leaked' = 0 ] && [ '${to_proxy:-0}' -gt 10 ]"
smoke_check "Kad UDP went through the relay, said" \
  jqt '.udp_via_proxy and (.udp_path | startswith("through the SOCKS5 relay '"$LAB_WAN_IP"':"))' <<<"$out"
smoke_check "the nodes answered through the relay and saw the proxy's address" \
  jqt '.tcp_answers >= 2 and .public_ip == "'"$LAB_WAN_IP"'"' <<<"$out"
smoke_check "they saw the relay's port, which is not called a NAT remapping" \
  jqt '.external_udp_port != null and .external_udp_port != 4776 and (.udp_remapped | not)' <<<"$out"
smoke_check "TCP firewalled: the nodes could only connect back to the proxy (exit code 1: $code)" \
  jqt '.tcp == "firewalled" and .tcp_acks == 0 and .exit_code == 1' <<<"$out"
smoke_check "the UDP test request went over TCP through the proxy" \
  jqt '[.evidence[] | select(.said | startswith("OP_FWCHECKUDPREQ sent"))] | length == 1' <<<"$out"

# SOCKS4 cannot carry UDP: strict mode refuses Kad, and says why.
proxied 1 "$LAB_DANTE_OPEN_PORT" >"$SMOKE_TMP/conf/amule.conf"
out=$("$LAB" exec lan "$MULENET" --config "$SMOKE_TMP/conf/amule.conf" kad check --nodes "$SMOKE_TMP/nodes.dat" --json 2>/dev/null); code=$?
echo "strict SOCKS4: $(jq -c '{error, exit_code}' <<<"$out")"
smoke_check "strict SOCKS4: Kad refused, with the reason and the fix (exit code 2: $code)" \
  jqt '.exit_code == 2 and (.error | contains("strict") and contains("SOCKS5"))' <<<"$out"
smoke_finish
