#!/usr/bin/env bash
# Strict mode leaks nothing: from the host behind the NAT router, mulenet
# reaches a TCP and a UDP echo service on another WAN host through the SOCKS5
# proxy, while an nftables counter in the client's namespace counts every
# packet that leaves for anywhere but the proxy host. It must stay at 0, and
# the echoes must have worked (so traffic did flow, through the proxy).
set -uo pipefail
LAB=${1:?usage: $0 LAB_SCRIPT}
source "$(dirname "$LAB")/lib/common.bash"
source "$(dirname "$LAB")/lib/wan.bash"
MULENET=${MULENET:?the ctest environment names the mulenet binary}
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
lan_ns=$(lab_ns lan)
peer_ns=$(lab_ns peer)
echo_port=7009

cleanup() {
  ip netns exec "$lan_ns" nft delete table inet mulenet_leak_count 2>/dev/null
  [ -n "${echo_tcp:-}" ] && kill "$echo_tcp" 2>/dev/null
  [ -n "${echo_udp:-}" ] && kill "$echo_udp" 2>/dev/null
  wait 2>/dev/null
}
trap cleanup EXIT

# Echo services on the peer host (a WAN host that is not the proxy).
ip netns exec "$peer_ns" socat TCP-LISTEN:$echo_port,fork,reuseaddr EXEC:cat </dev/null >/dev/null 2>&1 &
echo_tcp=$!
ip netns exec "$peer_ns" socat UDP-RECVFROM:$echo_port,fork EXEC:cat </dev/null >/dev/null 2>&1 &
echo_udp=$!
lab_wait_for "the peer's echo" 10 lab_tcp_listening peer $echo_port || bad "echo did not start"

# Count everything the client sends to anyone but the proxy host.
ip netns exec "$lan_ns" nft -f - <<NFT
table inet mulenet_leak_count {
  counter leaked {}
  counter to_proxy {}
  chain output {
    type filter hook output priority 0; policy accept;
    oifname "lo" return
    ip daddr $LAB_WAN_IP counter name to_proxy return
    counter name leaked
  }
}
NFT

out=$("$LAB" exec lan "$MULENET" proxy test "socks5://$LAB_PROXY_USER:$LAB_PROXY_PASS@$LAB_WAN_IP:$LAB_DANTE_PORT" \
  --strict --target "$LAB_PEER_IP:$echo_port" --udp-echo "$LAB_PEER_IP:$echo_port" --timeout 4000 --json 2>&1)
if jqt '.exit_code == 0 and .tcp.ok and .udp.ok and .strict' <<<"$out"; then ok; else bad "proxy test: $out"; fi
jqt '.udp.checks[] | select(.name == "udp echo") | .detail | contains("'"$LAB_PEER_IP"'")' <<<"$out" \
  && ok || bad "the UDP echo did not come from the peer: $out"

counters=$(ip netns exec "$lan_ns" nft -j list counters table inet mulenet_leak_count)
leaked=$(echo "$counters" | jq '[.nftables[] | select(.counter.name == "leaked") | .counter.packets] | add')
to_proxy=$(echo "$counters" | jq '[.nftables[] | select(.counter.name == "to_proxy") | .counter.packets] | add')
[ "$leaked" = 0 ] && ok || bad "$leaked packets left the client for somewhere other than the proxy"
[ "${to_proxy:-0}" -gt 0 ] && ok || bad "no packets went to the proxy at all (the counter is not working)"
echo "packets to the proxy: $to_proxy, elsewhere: $leaked"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
