#!/usr/bin/env bash
# Smoke test of the lab router's UPnP IGD (miniupnpd) with miniupnpc's upnpc:
# mappings made from `lan` let `peer` reach `lan` through the router's WAN
# address, and no longer once deleted; without a mapping nothing gets in.
#
#   MULENET_LAB_PREFIX=... MULENET_LAB_DIR=... bash router_upnpc.sh LAB_SCRIPT
#
# Runs against a lab that is up; removes the mappings it adds.
set -uo pipefail
LAB=${1:?usage: router_upnpc.sh PATH/TO/tests/lab/lab}
# shellcheck source=../router/smoke.bash
source "$(dirname "${BASH_SOURCE[0]}")/../router/smoke.bash"

TCP_PORT=47811
UDP_PORT=47812
# peer sends its datagrams from SRC_PORT+1.. (one port per step)
SRC_PORT=40010
DESC=mulenet-smoke-upnpc

# upnpc from lan, straight to the router's description: miniupnpc 2.2.x only
# accepts an IGD whose external address is reserved (TEST-NET here) with -i.
upnpc_lan() { smoke_in lan upnpc -i -u "$LAB_ROUTER_DESC_URL" "$@" 2>&1; }

upnpc_reports_wan_ip() { upnpc_lan -s | smoke_match -x "ExternalIPAddress = $LAB_ROUTER_WAN_IP"; }

# upnpc_add IP PORT PROTO: map external PORT to IP:PORT for 120 s.
upnpc_add() {
  upnpc_lan -e "$DESC" -a "$1" "$2" "$2" "$3" 120 |
    smoke_match "external $LAB_ROUTER_WAN_IP:$2 $3 is redirected to internal $1:$2"
}

upnpc_delete() { upnpc_lan -d "$1" "$2" >/dev/null; }

# upnpc_listed PORT PROTO IP: GetGenericPortMappingEntry shows the mapping.
upnpc_listed() { upnpc_lan -l | smoke_match -E "^ *[0-9]+ $2 +$1->$3:$1 "; }
both_listed() { upnpc_listed "$TCP_PORT" TCP "$LAB_LAN_IP" && upnpc_listed "$UDP_PORT" UDP "$LAB_LAN_IP"; }
none_listed() { ! upnpc_listed "$TCP_PORT" TCP "$LAB_LAN_IP" && ! upnpc_listed "$UDP_PORT" UDP "$LAB_LAN_IP"; }

smoke_init
smoke_require_lab
if router_mappings | smoke_match -E " ($TCP_PORT|$UDP_PORT) -> "; then
  smoke_fail "ports $TCP_PORT and $UDP_PORT are free on the router (mapped by someone else: not touching them)"
  smoke_finish
  exit 1
fi
# Whatever happens below, our mappings go away at exit.
smoke_on_exit upnpc_delete "$TCP_PORT" TCP
smoke_on_exit upnpc_delete "$UDP_PORT" UDP

smoke_check "upnpc in lan finds the IGD, external address $LAB_ROUTER_WAN_IP" upnpc_reports_wan_ip

# Negative control: the router lets nothing in by itself.
smoke_check "no mapping: peer cannot connect to $LAB_ROUTER_WAN_IP:$TCP_PORT/tcp" \
  smoke_tcp_blocked peer "$TCP_PORT" before-mapping-tcp
smoke_check "no mapping: a datagram from peer to $LAB_ROUTER_WAN_IP:$UDP_PORT/udp does not reach lan" \
  smoke_udp_not_through peer "$UDP_PORT" before-mapping-udp "$((SRC_PORT + 1))"

# secure_mode: a host may only map ports to itself.
if upnpc_add "$LAB_LAN2_IP" "$TCP_PORT" TCP; then
  smoke_fail "secure_mode: lan cannot map a port to lan2 ($LAB_LAN2_IP)"
  upnpc_delete "$TCP_PORT" TCP
else
  smoke_pass "secure_mode: lan cannot map a port to lan2 ($LAB_LAN2_IP)"
fi

smoke_check "upnpc adds TCP $TCP_PORT -> lan:$TCP_PORT" upnpc_add "$LAB_LAN_IP" "$TCP_PORT" TCP
smoke_check "upnpc adds UDP $UDP_PORT -> lan:$UDP_PORT" upnpc_add "$LAB_LAN_IP" "$UDP_PORT" UDP
smoke_check "upnpc -l lists both mappings" \
  both_listed

smoke_check "TCP: bytes peer sends to $LAB_ROUTER_WAN_IP:$TCP_PORT arrive in lan, from peer's address" \
  smoke_tcp_through peer "$TCP_PORT" "mapped-tcp-$$"
smoke_check "UDP: a datagram peer sends to $LAB_ROUTER_WAN_IP:$UDP_PORT arrives in lan, from peer's address" \
  smoke_udp_through peer "$UDP_PORT" "mapped-udp-$$" "$((SRC_PORT + 2))"

upnpc_delete "$TCP_PORT" TCP
upnpc_delete "$UDP_PORT" UDP
smoke_check "upnpc deletes both mappings (no longer listed)" \
  none_listed
smoke_check "deleted: peer cannot connect to $LAB_ROUTER_WAN_IP:$TCP_PORT/tcp any more" \
  smoke_tcp_blocked peer "$TCP_PORT" after-delete-tcp
smoke_check "deleted: a datagram from peer to $LAB_ROUTER_WAN_IP:$UDP_PORT/udp no longer reaches lan" \
  smoke_udp_not_through peer "$UDP_PORT" after-delete-udp "$((SRC_PORT + 3))"

smoke_finish
