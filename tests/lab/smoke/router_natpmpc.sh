#!/usr/bin/env bash
# Smoke test of the lab router's NAT-PMP (miniupnpd) with libnatpmp's natpmpc:
# mappings requested from `lan` let `peer` reach `lan` through the router's
# WAN address, and no longer once deleted; without a mapping nothing gets in.
#
#   MULENET_LAB_PREFIX=... MULENET_LAB_DIR=... bash router_natpmpc.sh LAB_SCRIPT
#
# Runs against a lab that is up; removes the mappings it adds.
set -uo pipefail
LAB=${1:?usage: router_natpmpc.sh PATH/TO/tests/lab/lab}
# shellcheck source=../router/smoke.bash
source "$(dirname "${BASH_SOURCE[0]}")/../router/smoke.bash"

TCP_PORT=47821
UDP_PORT=47822
# peer sends its datagrams from SRC_PORT+1.. (one port per step)
SRC_PORT=40020

# natpmpc from lan to the router (no gateway guessing). natpmpc retries for
# a long time when nobody answers, hence the timeout.
natpmpc_lan() { smoke_in lan timeout 10 natpmpc -g "$LAB_ROUTER_LAN_IP" "$@" 2>&1; }

natpmpc_reports_wan_ip() { natpmpc_lan | smoke_match -x "Public IP address : $LAB_ROUTER_WAN_IP"; }

# natpmpc_map PORT PROTO LIFETIME: public PORT -> lan:PORT; lifetime 0 deletes.
# The answer must name the same public port ("liftime" is natpmpc's spelling).
natpmpc_map() {
  local public=$1
  [ "$3" -eq 0 ] && public=0
  natpmpc_lan -a "$1" "$1" "$2" "$3" |
    smoke_match -iE "^Mapped public port $public protocol $2 to local port $1 lif?e?time $3$"
}

# natpmp_in_force PORT PROTO: the router's NAT table maps PORT to lan:PORT
# (NAT-PMP itself has no way to list mappings).
natpmp_in_force() { router_mappings | smoke_match -x "$2 $1 -> $LAB_LAN_IP:$1"; }
both_in_force() { natpmp_in_force "$TCP_PORT" tcp && natpmp_in_force "$UDP_PORT" udp; }
none_in_force() { ! natpmp_in_force "$TCP_PORT" tcp && ! natpmp_in_force "$UDP_PORT" udp; }

smoke_init
smoke_require_lab
if router_mappings | smoke_match -E " ($TCP_PORT|$UDP_PORT) -> "; then
  smoke_fail "ports $TCP_PORT and $UDP_PORT are free on the router (mapped by someone else: not touching them)"
  smoke_finish
  exit 1
fi
# Whatever happens below, our mappings go away at exit.
smoke_on_exit natpmpc_map "$TCP_PORT" tcp 0
smoke_on_exit natpmpc_map "$UDP_PORT" udp 0

smoke_check "natpmpc in lan gets external address $LAB_ROUTER_WAN_IP" natpmpc_reports_wan_ip

# Negative control: the router lets nothing in by itself.
smoke_check "no mapping: peer cannot connect to $LAB_ROUTER_WAN_IP:$TCP_PORT/tcp" \
  smoke_tcp_blocked peer "$TCP_PORT" before-mapping-tcp
smoke_check "no mapping: a datagram from peer to $LAB_ROUTER_WAN_IP:$UDP_PORT/udp does not reach lan" \
  smoke_udp_not_through peer "$UDP_PORT" before-mapping-udp "$((SRC_PORT + 1))"

smoke_check "natpmpc maps TCP $TCP_PORT -> lan:$TCP_PORT for 120 s" natpmpc_map "$TCP_PORT" tcp 120
smoke_check "natpmpc maps UDP $UDP_PORT -> lan:$UDP_PORT for 120 s" natpmpc_map "$UDP_PORT" udp 120
smoke_check "both mappings are in the router's NAT table" \
  both_in_force

smoke_check "TCP: bytes peer sends to $LAB_ROUTER_WAN_IP:$TCP_PORT arrive in lan, from peer's address" \
  smoke_tcp_through peer "$TCP_PORT" "mapped-tcp-$$"
smoke_check "UDP: a datagram peer sends to $LAB_ROUTER_WAN_IP:$UDP_PORT arrives in lan, from peer's address" \
  smoke_udp_through peer "$UDP_PORT" "mapped-udp-$$" "$((SRC_PORT + 2))"

smoke_check "natpmpc deletes the TCP mapping (lifetime 0)" natpmpc_map "$TCP_PORT" tcp 0
smoke_check "natpmpc deletes the UDP mapping (lifetime 0)" natpmpc_map "$UDP_PORT" udp 0
smoke_check "neither mapping is in the router's NAT table any more" \
  none_in_force
smoke_check "deleted: peer cannot connect to $LAB_ROUTER_WAN_IP:$TCP_PORT/tcp any more" \
  smoke_tcp_blocked peer "$TCP_PORT" after-delete-tcp
smoke_check "deleted: a datagram from peer to $LAB_ROUTER_WAN_IP:$UDP_PORT/udp no longer reaches lan" \
  smoke_udp_not_through peer "$UDP_PORT" after-delete-udp "$((SRC_PORT + 3))"

smoke_finish
